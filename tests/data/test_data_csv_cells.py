"""Text cells qtrust writes to CSV cannot run as spreadsheet formulas; numbers stay numbers."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from qtrust.data.csv_cells import safe_cell, safe_frame


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1", "-1"),  # a plain number is not a formula
        ("+0.5e3", "+0.5e3"),
        ("female", "female"),
        ("", ""),
        (-0.5, -0.5),
    ],
)
def test_formula_cells_get_a_leading_quote(cell, written) -> None:
    assert safe_cell(cell) == written


def test_a_frame_round_trips_with_text_neutralised_and_numbers_intact() -> None:
    frame = pd.DataFrame(
        {
            "group": np.array(['=HYPERLINK("http://x")', "a", "-1"]),
            "proba": [-0.5, 0.25, 1.0],
            "row": [1, 2, 3],
            "@name": ["x", "y", "z"],
        }
    )
    text = io.StringIO()
    safe_frame(frame).to_csv(text, index=False)
    back = pd.read_csv(io.StringIO(text.getvalue()), dtype={"group": str})
    assert back["group"].tolist() == ['\'=HYPERLINK("http://x")', "a", "-1"]
    assert back["proba"].tolist() == [-0.5, 0.25, 1.0]
    assert back["row"].tolist() == [1, 2, 3]
    assert list(back.columns) == ["group", "proba", "row", "'@name"]
    assert frame["group"].iloc[0].startswith("=")  # the caller's frame is not changed
