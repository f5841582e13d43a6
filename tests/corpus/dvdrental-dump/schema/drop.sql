-- drop.sql: removes everything schema.sql creates, leaving an empty database.
-- Keep it in step with schema.sql: every object the dump creates is named here.
--
--   psql -v ON_ERROR_STOP=1 -q -f schema/drop.sql
--
SET client_min_messages = warning;

BEGIN;

-- reporting: revenue_goal, the views and the materialized view, refresh function
DROP SCHEMA IF EXISTS reporting CASCADE;

-- views
DROP VIEW IF EXISTS public.film_list;
DROP VIEW IF EXISTS public.customer_list;

-- tables, children first (sequences owned by serial/identity columns go with them;
-- dropping payment drops its partitions)
DROP TABLE IF EXISTS public.payment;
DROP TABLE IF EXISTS public.rental;
DROP TABLE IF EXISTS public.inventory;
DROP TABLE IF EXISTS public.customer;
DROP TABLE IF EXISTS public.staff;
DROP TABLE IF EXISTS public.store;
DROP TABLE IF EXISTS public.film_category;
DROP TABLE IF EXISTS public.film_actor;
DROP TABLE IF EXISTS public.film;
DROP TABLE IF EXISTS public.actor;
DROP TABLE IF EXISTS public.category;
DROP TABLE IF EXISTS public.language;

-- functions
DROP FUNCTION IF EXISTS public.create_payment_partition(date);
DROP FUNCTION IF EXISTS public.customer_balance(integer, timestamp with time zone);
DROP FUNCTION IF EXISTS public.film_copies_in_stock(integer, integer);
DROP FUNCTION IF EXISTS public.inventory_in_stock(integer);
DROP FUNCTION IF EXISTS public.staff_password_ok(text, text);
DROP FUNCTION IF EXISTS public.last_updated();

-- types and domains
DROP DOMAIN IF EXISTS public.email_address;
DROP DOMAIN IF EXISTS public.year;
DROP TYPE IF EXISTS public.mpaa_rating;

-- extensions
DROP EXTENSION IF EXISTS pgcrypto;
DROP EXTENSION IF EXISTS citext;

COMMIT;
