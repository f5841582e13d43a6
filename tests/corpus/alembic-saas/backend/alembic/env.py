"""Alembic environment for Tallybook.

The connection URL comes from DATABASE_URL. Heroku, Render, docker compose and our CI
all hand it out as postgres://… or postgresql://…; SQLAlchemy 2 no longer accepts the
postgres:// scheme, and we want the psycopg2 driver explicitly, so both are rewritten
to postgresql+psycopg2://.
"""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from models import Base

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# every model is imported by models/__init__.py, so autogenerate sees every table
target_metadata = Base.metadata


def get_database_url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("DATABASE_URL is not set (see infra/.env)")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg2://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


def run_migrations_offline() -> None:
    """Emit the SQL to stdout instead of running it (alembic upgrade head --sql)."""
    context.configure(
        url=get_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # The URL goes straight to create_engine rather than through
    # config.set_main_option(): alembic.ini is parsed by configparser, which chokes on the
    # %-escapes of a URL-encoded password.
    connectable = create_engine(get_database_url(), poolclass=pool.NullPool)

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
