ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_not_merged_into_self;
ALTER TABLE tickets DROP COLUMN IF EXISTS merged_into_id;
