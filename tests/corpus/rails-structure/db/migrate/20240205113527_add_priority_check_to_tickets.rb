class AddPriorityCheckToTickets < ActiveRecord::Migration[7.1]
  def change
    # Ticket.priorities: low: 0, normal: 1, high: 2, urgent: 3
    add_check_constraint :tickets, "priority >= 0 AND priority <= 3", name: "tickets_priority_range"
  end
end
