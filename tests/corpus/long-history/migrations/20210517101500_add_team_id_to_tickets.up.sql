ALTER TABLE tickets ADD COLUMN team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL;
CREATE INDEX tickets_team_id_idx ON tickets (team_id);
