DROP TABLE IF EXISTS business_hours;
