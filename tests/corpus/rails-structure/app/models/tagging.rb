class Tagging < ApplicationRecord
  belongs_to :tag
  belongs_to :ticket

  validates :tag_id, uniqueness: { scope: :ticket_id }
end
