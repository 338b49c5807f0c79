"""The PostgreSQL test database: its URL (``QTRUST_TEST_PG`` overrides it) and throwaway schemas, so a test
on PostgreSQL never sees another test's tables and leaves none behind."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from qtrust.store_url import split_url

PG_URL = os.environ.get("QTRUST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def new_schema() -> str:
    return f"t_{uuid.uuid4().hex}"


def schema_url(schema: str) -> str:
    """The store URL of ``schema`` in the test database (qtrust's ``schema`` parameter)."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}schema={schema}"


def pg_connect() -> psycopg.Connection:
    """A plain psycopg connection to the test database (the URL without qtrust's ``schema`` parameter)."""
    conninfo, _ = split_url(PG_URL)
    conn = psycopg.connect(conninfo, connect_timeout=5, autocommit=True)
    conn.execute("SET lock_timeout = '20s'")
    return conn


def drop_schema(schema: str) -> None:
    with pg_connect() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def throwaway_store() -> Iterator[str]:
    """A store URL on a fresh schema, dropped afterwards."""
    schema = new_schema()
    try:
        yield schema_url(schema)
    finally:
        drop_schema(schema)
