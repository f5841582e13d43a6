class Comment < ApplicationRecord
  belongs_to :ticket, counter_cache: true, touch: true
  belongs_to :author, class_name: "User"
  has_many_attached :files

  validates :body, presence: true
end
