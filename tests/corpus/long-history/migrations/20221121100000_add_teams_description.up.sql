ALTER TABLE teams ADD COLUMN description TEXT;
