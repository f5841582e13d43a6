-- flagged by the FK index lint
CREATE INDEX subscriptions_plan_id_idx ON subscriptions (plan_id);
CREATE INDEX kb_articles_author_id_idx ON kb_articles (author_id);
CREATE INDEX kb_article_versions_created_by_idx ON kb_article_versions (created_by);
CREATE INDEX macros_created_by_idx ON macros (created_by);
CREATE INDEX tags_organization_id_idx ON tags (organization_id);
CREATE INDEX tickets_priority_idx ON tickets (priority);
