require_relative "boot"

require "rails/all"

Bundler.require(*Rails.groups)

module Deskline
  class Application < Rails::Application
    config.load_defaults 7.2

    config.autoload_lib(ignore: %w[assets tasks])

    config.time_zone = "UTC"

    # db/structure.sql instead of db/schema.rb: the check constraint, ON DELETE
    # actions and anything else we add by hand in SQL survive a schema dump.
    config.active_record.schema_format = :sql

    config.active_storage.variant_processor = :vips
  end
end
