DROP TABLE IF EXISTS kb_article_versions;
