--
-- PostgreSQL database dump
--

\restrict HX1A2IVZgdq7hegi8F71H0s0dqASxtancfcBiXwNj81fmWuEq3VHbtUHEwhDb82

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: reporting; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA reporting;


--
-- Name: SCHEMA reporting; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA reporting IS 'read models for the back office: revenue and catalog reports';


--
-- Name: citext; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;


--
-- Name: EXTENSION citext; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: email_address; Type: DOMAIN; Schema: public; Owner: -
--

CREATE DOMAIN public.email_address AS public.citext
	CONSTRAINT email_address_check CHECK ((VALUE OPERATOR(public.~) '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'::public.citext));


--
-- Name: mpaa_rating; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.mpaa_rating AS ENUM (
    'G',
    'PG',
    'PG-13',
    'R',
    'NC-17'
);


--
-- Name: year; Type: DOMAIN; Schema: public; Owner: -
--

CREATE DOMAIN public.year AS integer
	CONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));


--
-- Name: create_payment_partition(date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.create_payment_partition(p_month date) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_from date := date_trunc('month', p_month)::date;
    v_name text := format('payment_p%s', to_char(v_from, 'YYYY_MM'));
BEGIN
    IF to_regclass('public.' || v_name) IS NOT NULL THEN
        RETURN v_name;
    END IF;
    EXECUTE format(
        'CREATE TABLE public.%I PARTITION OF public.payment FOR VALUES FROM (%L) TO (%L)',
        v_name, v_from::timestamptz, (v_from + interval '1 month')::timestamptz);
    RETURN v_name;
END
$$;


--
-- Name: customer_balance(integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.customer_balance(p_customer_id integer, p_as_of timestamp with time zone DEFAULT now()) RETURNS numeric
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    v_fees numeric(10,2);
    v_late numeric(10,2);
    v_paid numeric(10,2);
BEGIN
    -- rental fees: the film's rate for every rental started before p_as_of
    SELECT coalesce(sum(f.rental_rate), 0)
      INTO v_fees
      FROM public.rental r
      JOIN public.inventory i ON i.inventory_id = r.inventory_id
      JOIN public.film f ON f.film_id = i.film_id
     WHERE r.customer_id = p_customer_id AND r.rental_date <= p_as_of;

    -- late fees: one dollar a day past the rental duration, capped at the replacement cost
    SELECT coalesce(sum(least(f.replacement_cost,
               greatest(0, extract(day FROM coalesce(r.return_date, p_as_of) - r.rental_date)::int - f.rental_duration))), 0)
      INTO v_late
      FROM public.rental r
      JOIN public.inventory i ON i.inventory_id = r.inventory_id
      JOIN public.film f ON f.film_id = i.film_id
     WHERE r.customer_id = p_customer_id AND r.rental_date <= p_as_of;

    SELECT coalesce(sum(p.amount), 0)
      INTO v_paid
      FROM public.payment p
     WHERE p.customer_id = p_customer_id AND p.payment_date <= p_as_of;

    RETURN v_fees + v_late - v_paid;
END
$$;


--
-- Name: film_copies_in_stock(integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.film_copies_in_stock(p_film_id integer, p_store_id integer) RETURNS SETOF integer
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN QUERY
        SELECT i.inventory_id
        FROM public.inventory i
        WHERE i.film_id = p_film_id
          AND i.store_id = p_store_id
          AND i.disc_condition <> 'damaged'
          AND public.inventory_in_stock(i.inventory_id);
END
$$;


--
-- Name: inventory_in_stock(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.inventory_in_stock(p_inventory_id integer) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    -- a copy is in stock when it has never been rented, or its last rental came back
    RETURN NOT EXISTS (
        SELECT 1 FROM public.rental r
        WHERE r.inventory_id = p_inventory_id AND r.return_date IS NULL
    );
END
$$;


--
-- Name: last_updated(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.last_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.last_update := now();
    RETURN NEW;
END
$$;


--
-- Name: staff_password_ok(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.staff_password_ok(p_username text, p_password text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    v_hash text;
BEGIN
    SELECT s.password_hash INTO v_hash
      FROM public.staff s
     WHERE s.username = p_username AND s.active;
    IF v_hash IS NULL THEN
        RETURN false;
    END IF;
    RETURN v_hash = public.crypt(p_password, v_hash);
END
$$;


--
-- Name: refresh_monthly_store_revenue(); Type: FUNCTION; Schema: reporting; Owner: -
--

CREATE FUNCTION reporting.refresh_monthly_store_revenue() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_matviews WHERE schemaname = 'reporting'
                 AND matviewname = 'monthly_store_revenue' AND ispopulated) THEN
        REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.monthly_store_revenue;
    ELSE
        REFRESH MATERIALIZED VIEW reporting.monthly_store_revenue;
    END IF;
END
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: actor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.actor (
    actor_id integer NOT NULL,
    first_name character varying(45) NOT NULL,
    last_name character varying(45) NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: actor_actor_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.actor_actor_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: actor_actor_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.actor_actor_id_seq OWNED BY public.actor.actor_id;


--
-- Name: category; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.category (
    category_id smallint NOT NULL,
    name character varying(25) NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: category_category_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.category_category_id_seq
    AS smallint
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: category_category_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.category_category_id_seq OWNED BY public.category.category_id;


--
-- Name: customer; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.customer (
    customer_id integer NOT NULL,
    store_id smallint NOT NULL,
    first_name character varying(45) NOT NULL,
    last_name character varying(45) NOT NULL,
    full_name text GENERATED ALWAYS AS ((((first_name)::text || ' '::text) || (last_name)::text)) STORED,
    email public.email_address NOT NULL,
    phone character varying(20),
    loyalty_tier character varying(8) DEFAULT 'bronze'::character varying NOT NULL,
    active boolean DEFAULT true NOT NULL,
    create_date date DEFAULT CURRENT_DATE NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT customer_loyalty_tier_check CHECK (((loyalty_tier)::text = ANY ((ARRAY['bronze'::character varying, 'silver'::character varying, 'gold'::character varying])::text[])))
);


--
-- Name: customer_customer_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.customer ALTER COLUMN customer_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.customer_customer_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: store; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.store (
    store_id smallint NOT NULL,
    store_name character varying(60) NOT NULL,
    address text NOT NULL,
    city character varying(50) NOT NULL,
    postal_code character varying(10),
    phone character varying(20),
    opened_on date DEFAULT CURRENT_DATE NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: customer_list; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.customer_list AS
 SELECT cu.customer_id AS id,
    cu.full_name AS name,
    cu.email,
    cu.phone,
    s.city,
    s.store_name AS store,
    cu.loyalty_tier,
        CASE
            WHEN cu.active THEN 'active'::text
            ELSE ''::text
        END AS notes,
    cu.store_id AS sid
   FROM (public.customer cu
     JOIN public.store s ON ((s.store_id = cu.store_id)));


--
-- Name: film; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.film (
    film_id integer NOT NULL,
    title text NOT NULL,
    description text,
    release_year public.year,
    language_id smallint NOT NULL,
    original_language_id smallint,
    rental_duration smallint DEFAULT 3 NOT NULL,
    rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL,
    length smallint,
    replacement_cost numeric(5,2) DEFAULT 19.99 NOT NULL,
    rating public.mpaa_rating DEFAULT 'G'::public.mpaa_rating,
    special_features text[],
    fulltext tsvector NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT film_length_check CHECK ((length > 0)),
    CONSTRAINT film_rental_duration_check CHECK (((rental_duration >= 1) AND (rental_duration <= 14))),
    CONSTRAINT film_rental_rate_check CHECK ((rental_rate >= (0)::numeric)),
    CONSTRAINT film_replacement_cost_check CHECK ((replacement_cost > (0)::numeric)),
    CONSTRAINT film_special_features_check CHECK ((special_features <@ ARRAY['Trailers'::text, 'Commentaries'::text, 'Deleted Scenes'::text, 'Behind the Scenes'::text]))
);


--
-- Name: COLUMN film.fulltext; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.film.fulltext IS 'maintained by film_fulltext_trigger';


--
-- Name: film_actor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.film_actor (
    actor_id integer NOT NULL,
    film_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: film_category; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.film_category (
    film_id integer NOT NULL,
    category_id smallint NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: film_film_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.film ALTER COLUMN film_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.film_film_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: film_list; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.film_list AS
 SELECT f.film_id,
    f.title,
    f.description,
    c.name AS category,
    f.rental_rate AS price,
    f.length,
    f.rating,
    string_agg((((a.first_name)::text || ' '::text) || (a.last_name)::text), ', '::text ORDER BY a.last_name, a.first_name) AS actors
   FROM ((((public.film f
     LEFT JOIN public.film_category fc ON ((fc.film_id = f.film_id)))
     LEFT JOIN public.category c ON ((c.category_id = fc.category_id)))
     LEFT JOIN public.film_actor fa ON ((fa.film_id = f.film_id)))
     LEFT JOIN public.actor a ON ((a.actor_id = fa.actor_id)))
  GROUP BY f.film_id, f.title, f.description, c.name, f.rental_rate, f.length, f.rating;


--
-- Name: inventory; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.inventory (
    inventory_id integer NOT NULL,
    film_id integer NOT NULL,
    store_id smallint NOT NULL,
    disc_condition character varying(10) DEFAULT 'new'::character varying NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inventory_disc_condition_check CHECK (((disc_condition)::text = ANY ((ARRAY['new'::character varying, 'good'::character varying, 'fair'::character varying, 'damaged'::character varying])::text[])))
);


--
-- Name: inventory_inventory_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.inventory_inventory_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: inventory_inventory_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.inventory_inventory_id_seq OWNED BY public.inventory.inventory_id;


--
-- Name: language; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.language (
    language_id smallint NOT NULL,
    name character varying(20) NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: language_language_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.language ALTER COLUMN language_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.language_language_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: payment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment (
    payment_id bigint NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
)
PARTITION BY RANGE (payment_date);


--
-- Name: TABLE payment; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.payment IS 'payments, one partition per month; create_payment_partition() adds the next one';


--
-- Name: payment_payment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.payment_payment_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: payment_payment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.payment_payment_id_seq OWNED BY public.payment.payment_id;


--
-- Name: payment_default; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_default (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: payment_p2024_01; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_p2024_01 (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: payment_p2024_02; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_p2024_02 (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: payment_p2024_03; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_p2024_03 (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: payment_p2024_04; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_p2024_04 (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: payment_p2024_05; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_p2024_05 (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: payment_p2024_06; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_p2024_06 (
    payment_id bigint DEFAULT nextval('public.payment_payment_id_seq'::regclass) NOT NULL,
    customer_id integer NOT NULL,
    staff_id integer NOT NULL,
    rental_id bigint,
    amount numeric(5,2) NOT NULL,
    payment_date timestamp with time zone NOT NULL,
    CONSTRAINT payment_amount_check CHECK ((amount >= (0)::numeric))
);


--
-- Name: rental; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.rental (
    rental_id bigint NOT NULL,
    rental_date timestamp with time zone NOT NULL,
    inventory_id integer NOT NULL,
    customer_id integer NOT NULL,
    return_date timestamp with time zone,
    staff_id integer,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rental_return_after_rental_check CHECK (((return_date IS NULL) OR (return_date >= rental_date)))
);


--
-- Name: rental_rental_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.rental ALTER COLUMN rental_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.rental_rental_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: staff; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.staff (
    staff_id integer NOT NULL,
    first_name character varying(45) NOT NULL,
    last_name character varying(45) NOT NULL,
    email public.email_address,
    store_id smallint NOT NULL,
    role character varying(10) DEFAULT 'clerk'::character varying NOT NULL,
    active boolean DEFAULT true NOT NULL,
    username character varying(16) NOT NULL,
    password_hash text,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT staff_role_check CHECK (((role)::text = ANY ((ARRAY['clerk'::character varying, 'manager'::character varying, 'owner'::character varying])::text[])))
);


--
-- Name: staff_staff_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.staff_staff_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: staff_staff_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.staff_staff_id_seq OWNED BY public.staff.staff_id;


--
-- Name: store_store_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.store ALTER COLUMN store_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.store_store_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: monthly_store_revenue; Type: MATERIALIZED VIEW; Schema: reporting; Owner: -
--

CREATE MATERIALIZED VIEW reporting.monthly_store_revenue AS
 SELECT st.store_id,
    (date_trunc('month'::text, p.payment_date))::date AS month,
    count(*) AS payments,
    sum(p.amount) AS revenue
   FROM (public.payment p
     JOIN public.staff st ON ((st.staff_id = p.staff_id)))
  GROUP BY st.store_id, ((date_trunc('month'::text, p.payment_date))::date)
  WITH NO DATA;


--
-- Name: revenue_goal; Type: TABLE; Schema: reporting; Owner: -
--

CREATE TABLE reporting.revenue_goal (
    store_id smallint NOT NULL,
    month date NOT NULL,
    goal numeric(9,2) NOT NULL,
    set_by integer,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT revenue_goal_goal_check CHECK ((goal > (0)::numeric)),
    CONSTRAINT revenue_goal_month_check CHECK ((month = (date_trunc('month'::text, (month)::timestamp with time zone))::date))
);


--
-- Name: sales_by_category; Type: VIEW; Schema: reporting; Owner: -
--

CREATE VIEW reporting.sales_by_category AS
 SELECT c.name AS category,
    sum(p.amount) AS total_sales
   FROM ((((public.payment p
     JOIN public.rental r ON ((r.rental_id = p.rental_id)))
     JOIN public.inventory i ON ((i.inventory_id = r.inventory_id)))
     JOIN public.film_category fc ON ((fc.film_id = i.film_id)))
     JOIN public.category c ON ((c.category_id = fc.category_id)))
  GROUP BY c.name
  ORDER BY (sum(p.amount)) DESC;


--
-- Name: store_goal_progress; Type: VIEW; Schema: reporting; Owner: -
--

CREATE VIEW reporting.store_goal_progress AS
 SELECT g.store_id,
    g.month,
    g.goal,
    COALESCE(m.revenue, (0)::numeric) AS revenue,
    round((((100)::numeric * COALESCE(m.revenue, (0)::numeric)) / g.goal), 1) AS percent_of_goal
   FROM (reporting.revenue_goal g
     LEFT JOIN reporting.monthly_store_revenue m ON (((m.store_id = g.store_id) AND (m.month = g.month))));


--
-- Name: payment_default; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_default DEFAULT;


--
-- Name: payment_p2024_01; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p2024_01 FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');


--
-- Name: payment_p2024_02; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p2024_02 FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00');


--
-- Name: payment_p2024_03; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p2024_03 FOR VALUES FROM ('2024-03-01 00:00:00+00') TO ('2024-04-01 00:00:00+00');


--
-- Name: payment_p2024_04; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p2024_04 FOR VALUES FROM ('2024-04-01 00:00:00+00') TO ('2024-05-01 00:00:00+00');


--
-- Name: payment_p2024_05; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p2024_05 FOR VALUES FROM ('2024-05-01 00:00:00+00') TO ('2024-06-01 00:00:00+00');


--
-- Name: payment_p2024_06; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p2024_06 FOR VALUES FROM ('2024-06-01 00:00:00+00') TO ('2024-07-01 00:00:00+00');


--
-- Name: actor actor_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.actor ALTER COLUMN actor_id SET DEFAULT nextval('public.actor_actor_id_seq'::regclass);


--
-- Name: category category_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.category ALTER COLUMN category_id SET DEFAULT nextval('public.category_category_id_seq'::regclass);


--
-- Name: inventory inventory_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inventory ALTER COLUMN inventory_id SET DEFAULT nextval('public.inventory_inventory_id_seq'::regclass);


--
-- Name: payment payment_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment ALTER COLUMN payment_id SET DEFAULT nextval('public.payment_payment_id_seq'::regclass);


--
-- Name: staff staff_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff ALTER COLUMN staff_id SET DEFAULT nextval('public.staff_staff_id_seq'::regclass);


--
-- Name: actor actor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.actor
    ADD CONSTRAINT actor_pkey PRIMARY KEY (actor_id);


--
-- Name: category category_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.category
    ADD CONSTRAINT category_name_key UNIQUE (name);


--
-- Name: category category_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.category
    ADD CONSTRAINT category_pkey PRIMARY KEY (category_id);


--
-- Name: customer customer_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.customer
    ADD CONSTRAINT customer_email_key UNIQUE (email);


--
-- Name: customer customer_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.customer
    ADD CONSTRAINT customer_pkey PRIMARY KEY (customer_id);


--
-- Name: film_actor film_actor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film_actor
    ADD CONSTRAINT film_actor_pkey PRIMARY KEY (actor_id, film_id);


--
-- Name: film_category film_category_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film_category
    ADD CONSTRAINT film_category_pkey PRIMARY KEY (film_id, category_id);


--
-- Name: film film_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film
    ADD CONSTRAINT film_pkey PRIMARY KEY (film_id);


--
-- Name: inventory inventory_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inventory
    ADD CONSTRAINT inventory_pkey PRIMARY KEY (inventory_id);


--
-- Name: language language_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.language
    ADD CONSTRAINT language_name_key UNIQUE (name);


--
-- Name: language language_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.language
    ADD CONSTRAINT language_pkey PRIMARY KEY (language_id);


--
-- Name: payment payment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment
    ADD CONSTRAINT payment_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_default payment_default_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_default
    ADD CONSTRAINT payment_default_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_p2024_01 payment_p2024_01_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_p2024_01
    ADD CONSTRAINT payment_p2024_01_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_p2024_02 payment_p2024_02_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_p2024_02
    ADD CONSTRAINT payment_p2024_02_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_p2024_03 payment_p2024_03_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_p2024_03
    ADD CONSTRAINT payment_p2024_03_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_p2024_04 payment_p2024_04_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_p2024_04
    ADD CONSTRAINT payment_p2024_04_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_p2024_05 payment_p2024_05_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_p2024_05
    ADD CONSTRAINT payment_p2024_05_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: payment_p2024_06 payment_p2024_06_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_p2024_06
    ADD CONSTRAINT payment_p2024_06_pkey PRIMARY KEY (payment_date, payment_id);


--
-- Name: rental rental_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rental
    ADD CONSTRAINT rental_pkey PRIMARY KEY (rental_id);


--
-- Name: staff staff_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_pkey PRIMARY KEY (staff_id);


--
-- Name: staff staff_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_username_key UNIQUE (username);


--
-- Name: store store_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.store
    ADD CONSTRAINT store_pkey PRIMARY KEY (store_id);


--
-- Name: store store_store_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.store
    ADD CONSTRAINT store_store_name_key UNIQUE (store_name);


--
-- Name: revenue_goal revenue_goal_pkey; Type: CONSTRAINT; Schema: reporting; Owner: -
--

ALTER TABLE ONLY reporting.revenue_goal
    ADD CONSTRAINT revenue_goal_pkey PRIMARY KEY (store_id, month);


--
-- Name: actor_last_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX actor_last_name_idx ON public.actor USING btree (last_name);


--
-- Name: customer_lower_last_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX customer_lower_last_name_idx ON public.customer USING btree (lower((last_name)::text));


--
-- Name: customer_store_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX customer_store_id_idx ON public.customer USING btree (store_id);


--
-- Name: film_actor_film_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX film_actor_film_id_idx ON public.film_actor USING btree (film_id);


--
-- Name: film_category_category_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX film_category_category_id_idx ON public.film_category USING btree (category_id);


--
-- Name: film_fulltext_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX film_fulltext_idx ON public.film USING gin (fulltext);


--
-- Name: film_language_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX film_language_id_idx ON public.film USING btree (language_id);


--
-- Name: film_original_language_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX film_original_language_id_idx ON public.film USING btree (original_language_id);


--
-- Name: film_title_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX film_title_idx ON public.film USING btree (title);


--
-- Name: inventory_film_id_store_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inventory_film_id_store_id_idx ON public.inventory USING btree (film_id, store_id);


--
-- Name: inventory_store_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inventory_store_id_idx ON public.inventory USING btree (store_id);


--
-- Name: payment_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_customer_id_idx ON ONLY public.payment USING btree (customer_id);


--
-- Name: payment_default_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_default_customer_id_idx ON public.payment_default USING btree (customer_id);


--
-- Name: payment_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_rental_id_idx ON ONLY public.payment USING btree (rental_id);


--
-- Name: payment_default_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_default_rental_id_idx ON public.payment_default USING btree (rental_id);


--
-- Name: payment_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_staff_id_idx ON ONLY public.payment USING btree (staff_id);


--
-- Name: payment_default_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_default_staff_id_idx ON public.payment_default USING btree (staff_id);


--
-- Name: payment_p2024_01_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_01_customer_id_idx ON public.payment_p2024_01 USING btree (customer_id);


--
-- Name: payment_p2024_01_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_01_rental_id_idx ON public.payment_p2024_01 USING btree (rental_id);


--
-- Name: payment_p2024_01_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_01_staff_id_idx ON public.payment_p2024_01 USING btree (staff_id);


--
-- Name: payment_p2024_02_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_02_customer_id_idx ON public.payment_p2024_02 USING btree (customer_id);


--
-- Name: payment_p2024_02_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_02_rental_id_idx ON public.payment_p2024_02 USING btree (rental_id);


--
-- Name: payment_p2024_02_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_02_staff_id_idx ON public.payment_p2024_02 USING btree (staff_id);


--
-- Name: payment_p2024_03_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_03_customer_id_idx ON public.payment_p2024_03 USING btree (customer_id);


--
-- Name: payment_p2024_03_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_03_rental_id_idx ON public.payment_p2024_03 USING btree (rental_id);


--
-- Name: payment_p2024_03_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_03_staff_id_idx ON public.payment_p2024_03 USING btree (staff_id);


--
-- Name: payment_p2024_04_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_04_customer_id_idx ON public.payment_p2024_04 USING btree (customer_id);


--
-- Name: payment_p2024_04_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_04_rental_id_idx ON public.payment_p2024_04 USING btree (rental_id);


--
-- Name: payment_p2024_04_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_04_staff_id_idx ON public.payment_p2024_04 USING btree (staff_id);


--
-- Name: payment_p2024_05_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_05_customer_id_idx ON public.payment_p2024_05 USING btree (customer_id);


--
-- Name: payment_p2024_05_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_05_rental_id_idx ON public.payment_p2024_05 USING btree (rental_id);


--
-- Name: payment_p2024_05_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_05_staff_id_idx ON public.payment_p2024_05 USING btree (staff_id);


--
-- Name: payment_p2024_06_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_06_customer_id_idx ON public.payment_p2024_06 USING btree (customer_id);


--
-- Name: payment_p2024_06_rental_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_06_rental_id_idx ON public.payment_p2024_06 USING btree (rental_id);


--
-- Name: payment_p2024_06_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_p2024_06_staff_id_idx ON public.payment_p2024_06 USING btree (staff_id);


--
-- Name: rental_customer_id_rental_date_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rental_customer_id_rental_date_idx ON public.rental USING btree (customer_id, rental_date);


--
-- Name: rental_inventory_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rental_inventory_id_idx ON public.rental USING btree (inventory_id);


--
-- Name: rental_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rental_open_idx ON public.rental USING btree (rental_date) WHERE (return_date IS NULL);


--
-- Name: rental_rental_date_inventory_id_customer_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX rental_rental_date_inventory_id_customer_id_idx ON public.rental USING btree (rental_date, inventory_id, customer_id);


--
-- Name: rental_staff_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rental_staff_id_idx ON public.rental USING btree (staff_id);


--
-- Name: staff_store_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_store_id_idx ON public.staff USING btree (store_id);


--
-- Name: monthly_store_revenue_store_id_month_idx; Type: INDEX; Schema: reporting; Owner: -
--

CREATE UNIQUE INDEX monthly_store_revenue_store_id_month_idx ON reporting.monthly_store_revenue USING btree (store_id, month);


--
-- Name: revenue_goal_set_by_idx; Type: INDEX; Schema: reporting; Owner: -
--

CREATE INDEX revenue_goal_set_by_idx ON reporting.revenue_goal USING btree (set_by);


--
-- Name: payment_default_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_default_customer_id_idx;


--
-- Name: payment_default_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_default_pkey;


--
-- Name: payment_default_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_default_rental_id_idx;


--
-- Name: payment_default_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_default_staff_id_idx;


--
-- Name: payment_p2024_01_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_p2024_01_customer_id_idx;


--
-- Name: payment_p2024_01_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_p2024_01_pkey;


--
-- Name: payment_p2024_01_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_p2024_01_rental_id_idx;


--
-- Name: payment_p2024_01_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_p2024_01_staff_id_idx;


--
-- Name: payment_p2024_02_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_p2024_02_customer_id_idx;


--
-- Name: payment_p2024_02_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_p2024_02_pkey;


--
-- Name: payment_p2024_02_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_p2024_02_rental_id_idx;


--
-- Name: payment_p2024_02_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_p2024_02_staff_id_idx;


--
-- Name: payment_p2024_03_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_p2024_03_customer_id_idx;


--
-- Name: payment_p2024_03_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_p2024_03_pkey;


--
-- Name: payment_p2024_03_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_p2024_03_rental_id_idx;


--
-- Name: payment_p2024_03_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_p2024_03_staff_id_idx;


--
-- Name: payment_p2024_04_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_p2024_04_customer_id_idx;


--
-- Name: payment_p2024_04_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_p2024_04_pkey;


--
-- Name: payment_p2024_04_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_p2024_04_rental_id_idx;


--
-- Name: payment_p2024_04_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_p2024_04_staff_id_idx;


--
-- Name: payment_p2024_05_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_p2024_05_customer_id_idx;


--
-- Name: payment_p2024_05_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_p2024_05_pkey;


--
-- Name: payment_p2024_05_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_p2024_05_rental_id_idx;


--
-- Name: payment_p2024_05_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_p2024_05_staff_id_idx;


--
-- Name: payment_p2024_06_customer_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_customer_id_idx ATTACH PARTITION public.payment_p2024_06_customer_id_idx;


--
-- Name: payment_p2024_06_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_p2024_06_pkey;


--
-- Name: payment_p2024_06_rental_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_rental_id_idx ATTACH PARTITION public.payment_p2024_06_rental_id_idx;


--
-- Name: payment_p2024_06_staff_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.payment_staff_id_idx ATTACH PARTITION public.payment_p2024_06_staff_id_idx;


--
-- Name: film film_fulltext_trigger; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER film_fulltext_trigger BEFORE INSERT OR UPDATE ON public.film FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger('fulltext', 'pg_catalog.english', 'title', 'description');


--
-- Name: actor last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: category last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.category FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: customer last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.customer FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: film last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.film FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: film_actor last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.film_actor FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: film_category last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.film_category FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: inventory last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.inventory FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: language last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.language FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: rental last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.rental FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: staff last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.staff FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: store last_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON public.store FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: revenue_goal last_updated; Type: TRIGGER; Schema: reporting; Owner: -
--

CREATE TRIGGER last_updated BEFORE UPDATE ON reporting.revenue_goal FOR EACH ROW EXECUTE FUNCTION public.last_updated();


--
-- Name: customer customer_store_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.customer
    ADD CONSTRAINT customer_store_id_fkey FOREIGN KEY (store_id) REFERENCES public.store(store_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: film_actor film_actor_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film_actor
    ADD CONSTRAINT film_actor_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.actor(actor_id) ON DELETE CASCADE;


--
-- Name: film_actor film_actor_film_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film_actor
    ADD CONSTRAINT film_actor_film_id_fkey FOREIGN KEY (film_id) REFERENCES public.film(film_id) ON DELETE CASCADE;


--
-- Name: film_category film_category_category_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film_category
    ADD CONSTRAINT film_category_category_id_fkey FOREIGN KEY (category_id) REFERENCES public.category(category_id) ON DELETE RESTRICT;


--
-- Name: film_category film_category_film_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film_category
    ADD CONSTRAINT film_category_film_id_fkey FOREIGN KEY (film_id) REFERENCES public.film(film_id) ON DELETE CASCADE;


--
-- Name: film film_language_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film
    ADD CONSTRAINT film_language_id_fkey FOREIGN KEY (language_id) REFERENCES public.language(language_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: film film_original_language_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.film
    ADD CONSTRAINT film_original_language_id_fkey FOREIGN KEY (original_language_id) REFERENCES public.language(language_id) ON UPDATE CASCADE ON DELETE SET NULL;


--
-- Name: inventory inventory_film_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inventory
    ADD CONSTRAINT inventory_film_id_fkey FOREIGN KEY (film_id) REFERENCES public.film(film_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: inventory inventory_store_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inventory
    ADD CONSTRAINT inventory_store_id_fkey FOREIGN KEY (store_id) REFERENCES public.store(store_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: payment payment_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE public.payment
    ADD CONSTRAINT payment_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customer(customer_id) ON DELETE RESTRICT;


--
-- Name: payment payment_rental_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE public.payment
    ADD CONSTRAINT payment_rental_id_fkey FOREIGN KEY (rental_id) REFERENCES public.rental(rental_id) ON DELETE SET NULL;


--
-- Name: payment payment_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE public.payment
    ADD CONSTRAINT payment_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(staff_id) ON DELETE RESTRICT;


--
-- Name: rental rental_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rental
    ADD CONSTRAINT rental_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customer(customer_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: rental rental_inventory_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rental
    ADD CONSTRAINT rental_inventory_id_fkey FOREIGN KEY (inventory_id) REFERENCES public.inventory(inventory_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: rental rental_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rental
    ADD CONSTRAINT rental_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(staff_id) ON DELETE SET NULL;


--
-- Name: staff staff_store_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_store_id_fkey FOREIGN KEY (store_id) REFERENCES public.store(store_id) ON DELETE RESTRICT;


--
-- Name: revenue_goal revenue_goal_set_by_fkey; Type: FK CONSTRAINT; Schema: reporting; Owner: -
--

ALTER TABLE ONLY reporting.revenue_goal
    ADD CONSTRAINT revenue_goal_set_by_fkey FOREIGN KEY (set_by) REFERENCES public.staff(staff_id) ON DELETE SET NULL;


--
-- Name: revenue_goal revenue_goal_store_id_fkey; Type: FK CONSTRAINT; Schema: reporting; Owner: -
--

ALTER TABLE ONLY reporting.revenue_goal
    ADD CONSTRAINT revenue_goal_store_id_fkey FOREIGN KEY (store_id) REFERENCES public.store(store_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict HX1A2IVZgdq7hegi8F71H0s0dqASxtancfcBiXwNj81fmWuEq3VHbtUHEwhDb82

