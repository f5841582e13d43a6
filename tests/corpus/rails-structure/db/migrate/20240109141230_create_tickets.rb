class CreateTickets < ActiveRecord::Migration[7.1]
  def change
    create_table :tickets do |t|
      t.references :account, null: false, foreign_key: true, index: false
      t.references :requester, null: false, foreign_key: { to_table: :users }
      t.references :assignee, foreign_key: { to_table: :users, on_delete: :nullify }
      t.integer :number, null: false
      t.string :subject, null: false
      t.integer :status, null: false, default: 0
      t.integer :priority, null: false, default: 1
      t.datetime :solved_at

      t.timestamps
    end
    add_index :tickets, [:account_id, :number], unique: true
    add_index :tickets, [:account_id, :status]
  end
end
