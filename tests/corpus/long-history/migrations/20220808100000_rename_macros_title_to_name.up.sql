ALTER TABLE macros RENAME COLUMN title TO name;
