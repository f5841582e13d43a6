-- The report's constraints (section 3): UNIQUE, CHECK and CASCADE deletes.
ALTER TABLE users
    ADD CONSTRAINT users_stripe_customer_id_key UNIQUE (stripe_customer_id),
    ADD CONSTRAINT users_stripe_subscription_id_key UNIQUE (stripe_subscription_id),
    ADD CONSTRAINT users_usage_count_check CHECK (usage_count >= 0),
    ADD CONSTRAINT users_subscription_status_check CHECK (subscription_status IN
        ('active', 'trialing', 'past_due', 'canceled', 'incomplete', 'incomplete_expired', 'unpaid', 'paused'));

ALTER TABLE project_visualizations
    ADD CONSTRAINT project_visualizations_project_id_slide_number_key UNIQUE (project_id, slide_number),
    ADD CONSTRAINT project_visualizations_slide_number_check CHECK (slide_number >= 1);

-- deleting a user removes its workspaces and projects; deleting a project removes its slides
ALTER TABLE workspaces
    DROP CONSTRAINT workspaces_owner_id_fkey,
    ADD CONSTRAINT workspaces_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE projects
    DROP CONSTRAINT projects_workspace_id_fkey,
    ADD CONSTRAINT projects_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    DROP CONSTRAINT projects_owner_id_fkey,
    ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE project_visualizations
    DROP CONSTRAINT project_visualizations_project_id_fkey,
    ADD CONSTRAINT project_visualizations_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
