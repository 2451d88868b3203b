"""The officer's narrative, chosen highlights, the cover of every scope and the sentences'
grammar (issue 12: "The officer's narrative", "Chosen highlights", "Front matter for every
scope", "Words that read as written by a careful officer")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.model import Dataset
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.transitions import Transition
from kpiboard.datafiles import read_dataset
from kpiboard.datafiles.errors import DataFileError
from kpiboard.datafiles.write import write_folder
from kpiboard.reports.model import (
    Bullets,
    IndicatorNote,
    Paragraph,
    Report,
    build_report,
    highlights_sentence,
    reds_sentence,
    transition_sentence,
)
from kpiboard.reports.prose import Prose

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-council"
Q2 = parse_period("2024/25 Q2")


def texts(report: Report) -> list[str]:
    """Every sentence-bearing piece of the report's sections and cover."""
    found = [value for _, value in report.front_matter.rows()]
    for section in report.sections:
        found.append(section.heading)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                found.append(block.text)
            elif isinstance(block, Bullets):
                found += block.items
            elif isinstance(block, Prose):
                found.append(block.markdown)
    return found


# -- the demo reads like the seed paper ----------------------------------------------------------


def test_the_demo_carries_the_seed_papers_heading_narrative_and_two_highlights(
    demo_dataset: Dataset, demo_evaluation: Evaluation
) -> None:
    report = build_report(demo_evaluation, narrative=demo_dataset.narrative("srp", Q2))
    headings = [s.heading for s in report.sections]
    assert headings[0] == "Creating a greener, fairer and more caring Cambridgeshire"
    main = report.sections[2]
    assert main.heading == "Main issues"
    prose = [b for b in main.blocks if isinstance(b, Prose)]
    # The seed's 3.1 and 3.2, numbered as the seed numbers them, before the status table.
    assert [p.number for p in prose] == ["3.1", "3.2"]
    assert prose[0].markdown.startswith("Following the approval of the refreshed Performance")
    assert "between\nNovember and January for comment" in prose[1].markdown
    assert main.blocks.index(prose[1]) < main.blocks.index(report.summary)
    notes = [b.ref for b in main.blocks if isinstance(b, IndicatorNote)]
    assert notes == ["190", "214", "182"]  # the seed's two highlights, then its red indicator
    # The conclusion names the status table's own paragraph, now 3.3.
    conclusion = report.sections[3]
    assert conclusion.blocks[0].text.startswith("Paragraph 3.3 shows")  # type: ignore[union-attr]
    table_intro = main.blocks[main.blocks.index(report.summary) - 1]
    assert isinstance(table_intro, Paragraph)
    assert table_intro.number == "3.3"


def test_without_a_narrative_the_highlights_are_the_improved_and_the_blue(
    demo_evaluation: Evaluation,
) -> None:
    report = build_report(demo_evaluation)
    notes = [b for b in report.sections[2].blocks if isinstance(b, IndicatorNote)]
    improved = set(demo_evaluation.transitions.members(Transition.IMPROVED))
    # By hand from the evaluate table: 190 (Amber to Green) and 212 (Red to Green) improved;
    # no indicator is Blue; 182 is the one red.
    assert improved == {"190", "212"}
    assert [n.ref for n in notes] == ["190", "212", "182"]
    assert report.sections[0].heading == "Purpose"


# -- the narrative document: read, refused, written back -----------------------------------------


def _folder_with(tmp_path: Path, name: str, text: str) -> Path:
    data = tmp_path / "data"
    write_folder(read_dataset(DEMO), data)
    (data / "reports" / name).write_text(text, encoding="utf-8")
    return data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "## Main issues\n\nNo front matter.\n",
            'line 1: found "## Main issues", expected a first',
        ),
        ('+++\nscope = "zzz"\nperiod = "2024/25 Q3"\n+++\n', 'line 2: found "zzz", expected scope'),
        ('+++\nscope = "srp"\nperiod = "Q9"\n+++\n', 'line 3: found "Q9", expected period'),
        (
            '+++\nscope = "srp"\nperiod = "2024/25 Q3"\nhighlights = ["999"]\n+++\n',
            'line 4: found "999", expected refs of indicators',
        ),
        (
            '+++\nscope = "srp"\nperiod = "2024/25 Q3"\nmeeting = "x"\n+++\n',
            'line 4: found "meeting", expected one of scope, period, highlights',
        ),
        (
            '+++\nscope = "srp"\nperiod = "2024/25 Q3"\n+++\nLoose text.\n',
            'line 5: found "Loose text.", expected a "## " heading first',
        ),
        (
            '+++\nscope = "srp"\nperiod = "2024/25 Q3"\n+++\n## Conclusion\n\n## conclusion\n',
            'line 7: found "conclusion", expected each heading once (line 5 has it already)',
        ),
    ],
)
def test_a_bad_document_is_refused_naming_its_file_line_and_what_was_expected(
    tmp_path: Path, text: str, expected: str
) -> None:
    data = _folder_with(tmp_path, "bad.md", text)
    with pytest.raises(DataFileError) as raised:
        read_dataset(data)
    assert f"reports/bad.md, {expected}" in str(raised.value)


def test_two_documents_for_one_report_are_refused(tmp_path: Path) -> None:
    data = _folder_with(tmp_path, "again.md", '+++\nscope = "srp"\nperiod = "Q2 2024-25"\n+++\n')
    with pytest.raises(DataFileError, match=r"one document per report \(reports/again\.md is"):
        read_dataset(data)


def test_a_folder_and_a_workbook_carry_the_narrative_unchanged(tmp_path: Path) -> None:
    from kpiboard.datafiles.workbook import write_workbook

    dataset = read_dataset(DEMO)
    source = (DEMO / "reports" / "srp-2024-25-q2.md").read_bytes()
    write_folder(dataset, tmp_path / "folder")
    assert (tmp_path / "folder" / "reports" / "srp-2024-25-q2.md").read_bytes() == source
    write_workbook(dataset, tmp_path / "data.xlsx")
    again = read_dataset(tmp_path / "data.xlsx")
    assert again.narratives == dataset.narratives
    write_folder(again, tmp_path / "second")
    assert (tmp_path / "second" / "reports" / "srp-2024-25-q2.md").read_bytes() == source


# -- the cover of every scope --------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["organisation", "fin"])
def test_organisation_and_directorate_covers_print_no_placeholders(scope: str) -> None:
    dataset = read_dataset(DEMO)
    evaluation = (
        evaluate(dataset, Q2, None)
        if scope == "organisation"
        else evaluate(dataset, Q2, None, directorate=scope)
    )
    report = build_report(evaluation)
    cover = dict(report.front_matter.rows())
    for value in [*cover.values(), *(v for _, v in report.front_matter.officer_rows())]:
        assert value.strip() not in ("", "–", "-", "To be confirmed")
    # Not a committee paper (no [report.<id>] table names a committee it goes to): no
    # committee lines and no "The Committee is asked".
    assert set(cover) == {"Executive summary"}
    assert "Committee is asked" not in " ".join(texts(report))


def test_a_scorecard_going_to_a_committee_takes_its_lines_from_its_table() -> None:
    dataset = read_dataset(DEMO)
    extra = dict(dataset.organisation.extra)
    extra["report"] = {
        **extra.get("report", {}),
        "organisation": {"to": "Strategy, Resources and Performance Committee", "from": "Chief"},
    }
    from dataclasses import replace

    organisation = replace(dataset.organisation, extra=extra)
    report = build_report(evaluate(replace(dataset, organisation=organisation), Q2, None))
    cover = dict(report.front_matter.rows())
    assert cover["To"] == "Strategy, Resources and Performance Committee"
    assert cover["From"] == "Chief"
    assert cover["Recommendation"].startswith("The Committee is asked")
    assert "Meeting date" not in cover  # none given: left out, not "To be confirmed"


# -- grammar of every sentence template with 0, 1 and many ---------------------------------------

ONE_PLURAL = re.compile(r"\b1 \w+s\b(?<!\bis)")
STARTS_WITH_DIGIT = re.compile(r"(^|[.!?] )\d")


@given(good=st.integers(0, 40), data=st.data())
def test_the_highlights_sentence_is_grammatical_for_any_counts(
    good: int, data: st.DataObject
) -> None:
    shown = data.draw(st.integers(0, good))
    sentence = highlights_sentence(good, shown)
    assert not ONE_PLURAL.search(sentence), sentence
    assert not STARTS_WITH_DIGIT.search(sentence), sentence
    assert " 0 " not in sentence
    assert sentence.startswith("There is " if good == 1 else "There are ")
    if 0 < shown < good:
        assert f"{shown} highlight" in sentence
        assert "others are in Appendix 1" in sentence
    if shown == good and good:
        assert "highlighted below" in sentence


@pytest.mark.parametrize("count", [0, 1, 2, 13])
def test_the_red_and_transition_sentences_are_grammatical(count: int) -> None:
    sentences = [reds_sentence(count)] + [transition_sentence(g, count) for g in Transition]
    for sentence in sentences:
        assert not ONE_PLURAL.search(sentence), sentence
        assert not STARTS_WITH_DIGIT.search(sentence), sentence
        assert " 0 " not in sentence
        assert not sentence.endswith(":")
    assert reds_sentence(count).startswith("There is 1" if count == 1 else "There are")
    assert transition_sentence(Transition.IMPROVED, count).endswith(
        {0: "no indicators.", 1: "1 indicator."}.get(count, f"{count} indicators.")
    )
