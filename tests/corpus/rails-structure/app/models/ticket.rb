class Ticket < ApplicationRecord
  enum :status, { fresh: 0, open: 1, pending: 2, solved: 3, closed: 4 }, default: :fresh
  enum :priority, { low: 0, normal: 1, high: 2, urgent: 3 }, default: :normal

  belongs_to :account
  belongs_to :requester, class_name: "User"
  belongs_to :assignee, class_name: "User", optional: true
  has_many :comments, -> { order(:created_at) }, dependent: :destroy, inverse_of: :ticket
  has_many :taggings, dependent: :destroy
  has_many :tags, through: :taggings
  has_many_attached :files

  accepts_nested_attributes_for :comments

  before_validation :assign_number, on: :create
  before_save :stamp_solved_at, if: :will_save_change_to_status?

  validates :subject, presence: true
  validates :number, uniqueness: { scope: :account_id }

  scope :queue, ->(account) { where(account:, status: :open).order(updated_at: :desc) }

  private

  # per-account ticket numbers (#1, #2, ...); the unique index catches a race
  def assign_number
    self.number ||= (account.tickets.maximum(:number) || 0) + 1
  end

  def stamp_solved_at
    self.solved_at = (solved? || closed?) ? (solved_at || Time.current) : nil
  end
end
