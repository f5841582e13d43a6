class CreateTagsAndTaggings < ActiveRecord::Migration[7.1]
  def change
    create_table :tags do |t|
      t.references :account, null: false, foreign_key: true, index: false
      t.string :name, null: false

      t.timestamps
    end
    add_index :tags, [:account_id, :name], unique: true

    create_table :taggings do |t|
      t.references :tag, null: false, foreign_key: { on_delete: :cascade }
      t.references :ticket, null: false, foreign_key: { on_delete: :cascade }, index: false
      t.datetime :created_at, null: false
    end
    add_index :taggings, [:ticket_id, :tag_id], unique: true
  end
end
