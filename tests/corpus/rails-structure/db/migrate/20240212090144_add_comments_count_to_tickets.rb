class AddCommentsCountToTickets < ActiveRecord::Migration[7.1]
  def change
    add_column :tickets, :comments_count, :integer, null: false, default: 0

    up_only do
      execute <<~SQL
        UPDATE tickets
        SET comments_count = (SELECT count(*) FROM comments WHERE comments.ticket_id = tickets.id)
      SQL
    end
  end
end
