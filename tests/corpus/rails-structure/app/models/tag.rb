class Tag < ApplicationRecord
  belongs_to :account
  has_many :taggings, dependent: :destroy
  has_many :tickets, through: :taggings

  validates :name, presence: true, uniqueness: { scope: :account_id }
end
