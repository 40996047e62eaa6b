"""The benchmarks' own PostgreSQL databases: made when missing, or made again from scratch."""

from urllib.parse import urlparse, urlunparse


def _admin_url(database_url: str) -> tuple[str, str]:
    url = urlparse(database_url)
    return urlunparse(url._replace(path="/postgres")), url.path.lstrip("/")


def ensure_database(database_url: str, rebuild: bool = False) -> bool:
    """Make the database named by `database_url` if it is missing (or, with `rebuild`, drop it
    and make it again). True when it is new."""
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not rebuild:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def recreate_database(database_url: str) -> None:
    ensure_database(database_url, rebuild=True)
