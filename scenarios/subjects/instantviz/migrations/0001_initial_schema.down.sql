DROP TABLE stripe_events;
DROP TABLE project_visualizations;
DROP TABLE projects;
DROP TABLE workspaces;
DROP TABLE users;
