class User < ApplicationRecord
  devise :database_authenticatable, :recoverable, :rememberable, :trackable, :validatable

  enum :role, { requester: 0, agent: 1, admin: 2 }

  belongs_to :account
  has_many :requested_tickets, class_name: "Ticket", foreign_key: :requester_id,
                               inverse_of: :requester, dependent: :restrict_with_error
  has_many :assigned_tickets, class_name: "Ticket", foreign_key: :assignee_id,
                              inverse_of: :assignee, dependent: :nullify

  validates :name, presence: true
end
