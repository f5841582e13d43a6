ALTER TABLE project_visualizations
    DROP CONSTRAINT project_visualizations_project_id_fkey,
    ADD CONSTRAINT project_visualizations_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id);
ALTER TABLE projects
    DROP CONSTRAINT projects_owner_id_fkey,
    ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id),
    DROP CONSTRAINT projects_workspace_id_fkey,
    ADD CONSTRAINT projects_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
ALTER TABLE workspaces
    DROP CONSTRAINT workspaces_owner_id_fkey,
    ADD CONSTRAINT workspaces_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id);

ALTER TABLE project_visualizations
    DROP CONSTRAINT project_visualizations_slide_number_check,
    DROP CONSTRAINT project_visualizations_project_id_slide_number_key;

ALTER TABLE users
    DROP CONSTRAINT users_subscription_status_check,
    DROP CONSTRAINT users_usage_count_check,
    DROP CONSTRAINT users_stripe_subscription_id_key,
    DROP CONSTRAINT users_stripe_customer_id_key;
