"""One way of naming a period in a report's sentences (issue 12, "Words")."""

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.periods import parse_period
from kpiboard.reports.model import Paragraph, build_report
from kpiboard.reports.words import period_in_words


def test_a_quarter_is_named_with_its_year_and_dates_in_brackets() -> None:
    assert period_in_words(parse_period("2024/25 Q2")) == (
        "quarter 2 of 2024/25 (1 July to 30 September 2024)"
    )


def test_a_quarter_across_a_calendar_year_names_both_years() -> None:
    # 2024/25 Q4 is January to March 2025: both ends in 2025, so one year is printed.
    assert period_in_words(parse_period("2024/25 Q4")) == (
        "quarter 4 of 2024/25 (1 January to 31 March 2025)"
    )


def test_a_financial_year_names_its_span() -> None:
    assert period_in_words(parse_period("2024/25")) == (
        "the financial year 2024/25 (1 April 2024 to 31 March 2025)"
    )


def test_no_sentence_says_covering_or_period_twice() -> None:
    words = period_in_words(parse_period("2024/25 Q2"))
    assert "covering" not in words
    assert "period" not in words


def test_no_numbered_paragraph_of_the_conclusion_ends_with_a_colon(
    demo_evaluation: Evaluation,
) -> None:
    # Issue 12: paragraph 4.1 ended "Compared with 2024/25 Q1:" with the groups in 4.2 onwards.
    report = build_report(demo_evaluation)
    conclusion = next(s for s in report.sections if s.number == "4")
    texts = [b.text for b in conclusion.blocks if isinstance(b, Paragraph)]
    assert texts[0].startswith("Paragraph 3.1 shows")
    assert [t for t in texts if t.rstrip().endswith(":")] == []
