"""CSV exports are safe from formula injection and still lossless."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.datafiles.folder import FORMULA_START, quoted, unquote_formulas


@given(
    st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "a", " ", "1", "\t"]), max_size=8)
)
def test_quoting_round_trips_and_never_starts_a_formula(text: str) -> None:
    written = quoted(text)
    assert written[:1] not in FORMULA_START or written == ""
    read = unquote_formulas(pl.DataFrame({"c0": [written]}))["c0"][0]
    assert read == text


def test_a_hyperlink_formula_is_written_as_text() -> None:
    assert quoted('=HYPERLINK("http://evil.example","x")').startswith("'=")
    assert quoted("-5 on last month") == "'-5 on last month"
    assert quoted("Down 5") == "Down 5"
