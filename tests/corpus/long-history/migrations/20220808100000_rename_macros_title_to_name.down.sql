ALTER TABLE macros RENAME COLUMN name TO title;
