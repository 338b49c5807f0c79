"""The id of a record a person writes in YAML (a risk, an incident, a data asset): one rule for all of them.

Ids end up in evidence entries, file names and URLs of the web app, so they are kept to a safe alphabet;
one definition keeps every register's error message and limit the same.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

RECORD_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


def _record_id(value: str) -> str:
    if not re.fullmatch(RECORD_ID, value):
        raise ValueError("id must be 1-64 characters: letters, digits, '.', '_' or '-'")
    return value


RecordId = Annotated[str, AfterValidator(_record_id)]
