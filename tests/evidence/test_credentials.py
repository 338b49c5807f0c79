"""Store credentials in every form libpq accepts are masked in descriptions and scrubbed from messages."""

from __future__ import annotations

import psycopg.conninfo
import pytest

from qtrust.credentials import redact, scrub, secrets_in
from qtrust.store_url import split_url

FORMS = [
    ("postgresql://alice:s3cret@db.example:5432/qtrust", "postgresql://alice:***@db.example:5432/qtrust"),
    ("postgres://alice:s3cret@h1:5432,h2:5433/qtrust", "postgres://alice:***@h1:5432,h2:5433/qtrust"),
    (
        "postgresql://alice@db/qtrust?password=s3cret&schema=x",
        "postgresql://alice@db/qtrust?password=***&schema=x",
    ),
    (
        "postgresql://db/qtrust?sslmode=require&sslpassword=s3cret",
        "postgresql://db/qtrust?sslmode=require&sslpassword=***",
    ),
    ("host=db dbname=qtrust user=alice password=s3cret", "host=db dbname=qtrust user=alice password=***"),
    ("host=db password = 's3cret' user=alice", "host=db password = *** user=alice"),
]


@pytest.mark.parametrize(("location", "shown"), FORMS)
def test_every_libpq_credential_form_is_masked(location, shown):
    assert redact(location) == shown
    assert "s3cret" not in redact(location)
    # the reference: libpq's own parser finds the same password we mask
    conninfo = split_url(location)[0] if "://" in location else location  # without qtrust's ?schema=
    parsed = psycopg.conninfo.conninfo_to_dict(conninfo)
    secret = parsed.get("password") or parsed.get("sslpassword")
    assert secret == "s3cret"
    assert secret in secrets_in(location)


def test_percent_encoded_passwords_are_found_raw_and_decoded():
    location = "postgresql://alice:p%40ss%3Aword@db/qtrust"
    assert psycopg.conninfo.conninfo_to_dict(location)["password"] == "p@ss:word"
    message = "connection to postgresql://alice:p%40ss%3Aword@db failed for password p@ss:word"
    cleaned = scrub(message, location)
    assert "p@ss:word" not in cleaned
    assert "p%40ss%3Aword" not in cleaned
    assert redact(location) == "postgresql://alice:***@db/qtrust"


def test_a_location_without_secrets_is_unchanged():
    for location in (
        "postgresql://alice@db:5432/qtrust?schema=audit",
        "sqlite:///var/qtrust/evidence.db",
        "host=db",
    ):
        assert redact(location) == location
        assert secrets_in(location) == []
