class CreateAccounts < ActiveRecord::Migration[7.1]
  def change
    create_table :accounts do |t|
      t.string :name, null: false
      t.string :subdomain, null: false
      t.integer :plan, null: false, default: 0

      t.timestamps
    end
    add_index :accounts, :subdomain, unique: true
  end
end
