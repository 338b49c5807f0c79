"""Text cells for the CSV files qtrust writes, made safe to open in a spreadsheet.

A group value, a model name or a column name comes from the user's data or config; written raw into a CSV,
a cell such as ``=HYPERLINK(...)`` or ``@SUM(...)`` is run as a formula by Excel, LibreOffice or Google
Sheets on the machine of whoever opens the file (CSV or formula injection, OWASP; ASVS 1.2.10). Following
OWASP, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return (and, per ASVS,
a line feed or a NUL) gets a leading single quote, which spreadsheets read as "this is text".

Numbers are never touched: numeric columns are left to the CSV writer, and a text cell that is a plain
decimal number ("-1", "+0.5") is not a formula, so it keeps its value.
"""

from __future__ import annotations

import re

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection, ASVS 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe to open in a spreadsheet."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            # Per distinct value, not per cell: predictions.csv has millions of rows and a few groups.
            changed = {v: safe for v in values.unique() if (safe := safe_cell(v)) is not v}
            if changed:
                out[column] = values.replace(changed)
    out.columns = [safe_cell(c) for c in out.columns]
    return out
