"""A spreadsheet round trip that changes nothing (issue 13), on SQLite and PostgreSQL: whatever
commentary, note, action and narrative the database holds (line breaks of every kind, tabs,
Unicode, Markdown, a leading "="), an export to a folder or a workbook imports back as "no
changes", and a second export is byte for byte the first.

NUL is left out: PostgreSQL cannot store it in text, so it is refused where text comes in, not
carried (issue 16)."""

from __future__ import annotations

import filecmp
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datafiles.test_round_trip import _COMMENTARY as COMMENTARY
from kpiboard.web.collection.models import Return
from kpiboard.web.register import models
from kpiboard.web.register.transfer import export, plan_import, read_source

pytestmark = pytest.mark.django_db

#: Commentary of every awkward kind (tests/datafiles/test_round_trip.py's), or none at all; the
#: database may also hold spacing at either end, which no file can.
TEXT = st.just("") | COMMENTARY.map(lambda text: f" {text}\r\n") | COMMENTARY
WORDS = COMMENTARY
#: Narrative paragraphs: any text that is not itself a heading, a fence or front matter.
PARAGRAPH = TEXT.map(
    lambda text: text.replace("#", "").replace("+", "").replace("`", "").replace("~", "")
)


def _same_tree(first: Path, second: Path) -> None:
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert filecmp.cmp(first / name, second / name, shallow=False), name


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commentary=TEXT, note=TEXT, action=WORDS, paragraph=PARAGRAPH)
def test_an_export_imports_back_as_no_change_and_exports_the_same_bytes(
    commentary: str, note: str, action: str, paragraph: str
) -> None:
    with transaction.atomic():
        item = Return.objects.get(indicator__ref="182", period="2024-09")
        item.commentary, item.note = commentary, note
        item.save()
        done = models.RemedialAction.objects.filter(indicator__ref="182").first()
        assert done is not None
        done.what = action
        done.save()
        narrative = models.ReportNarrative.objects.get(scope="srp", period="2024/25 Q2")
        narrative.document += f"\n## Conclusion\n\n{paragraph}\n"
        narrative.save()
        with TemporaryDirectory() as folder:
            root = Path(folder)
            export(root / "first")
            plan = plan_import(read_source(root / "first"), "first")
            assert plan.empty, list(plan.lines())
            export(root / "second")
            _same_tree(root / "first", root / "second")
            export(root / "book.xlsx", workbook=True)
            plan = plan_import(read_source(root / "book.xlsx"), "book")
            assert plan.empty, list(plan.lines())
        transaction.set_rollback(True)
