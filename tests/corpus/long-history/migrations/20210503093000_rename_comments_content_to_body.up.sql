ALTER TABLE comments RENAME COLUMN content TO body;
