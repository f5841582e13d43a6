DROP TABLE IF EXISTS kb_articles;
