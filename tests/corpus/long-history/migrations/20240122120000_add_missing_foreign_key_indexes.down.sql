DROP INDEX IF EXISTS tickets_priority_idx;
DROP INDEX IF EXISTS tags_organization_id_idx;
DROP INDEX IF EXISTS macros_created_by_idx;
DROP INDEX IF EXISTS kb_article_versions_created_by_idx;
DROP INDEX IF EXISTS kb_articles_author_id_idx;
DROP INDEX IF EXISTS subscriptions_plan_id_idx;
