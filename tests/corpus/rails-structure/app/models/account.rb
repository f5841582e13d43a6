class Account < ApplicationRecord
  enum :plan, { free: 0, team: 1, business: 2 }

  has_many :users, dependent: :destroy
  has_many :tickets, dependent: :destroy
  has_many :tags, dependent: :destroy

  validates :name, presence: true
  validates :subdomain, presence: true, uniqueness: true,
                        format: { with: /\A[a-z0-9][a-z0-9-]*\z/ }
end
