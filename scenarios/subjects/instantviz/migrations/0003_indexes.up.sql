-- The report's indexes (section 4), exactly as listed.
CREATE INDEX users_email_idx ON users (email);                                  -- login
CREATE INDEX users_stripe_customer_id_idx ON users (stripe_customer_id);        -- webhook lookups
CREATE INDEX users_created_at_idx ON users (created_at);                        -- admin: recent signups
CREATE INDEX workspaces_owner_id_created_at_idx ON workspaces (owner_id, created_at);   -- my recent workspaces
CREATE INDEX workspaces_owner_id_updated_at_idx ON workspaces (owner_id, updated_at);   -- recently edited
CREATE INDEX projects_owner_id_created_at_idx ON projects (owner_id, created_at);       -- my projects
CREATE INDEX project_visualizations_project_id_slide_number_idx
    ON project_visualizations (project_id, slide_number);                       -- ordered slides
