"""A readable record (issue 13): history in words (field labels, people's names, choices by
their labels, old -> new) and an import preview that gives every change's old and new value."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Committee
from kpiboard.web.register.transfer import plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = client.get("/register/").cookies["csrftoken"].value
    return client.post(path, {**data, "csrfmiddlewaretoken": token}, follow=True)


def test_history_names_people_fields_and_values_in_words(
    client_as: Any, people: dict[str, Any]
) -> None:
    reviewer = people["performance"]
    reviewer.first_name, reviewer.last_name = "Priya", "Shah"
    reviewer.save()
    item = Return.objects.get(indicator__ref="182", period="2024-09")
    item.reviewed_by = reviewer
    item.value = None
    item._history_user = reviewer  # type: ignore[attr-defined]
    item.save()
    srp = Committee.objects.get(code="srp")
    _post(
        client_as("performance"),
        "/register/182/targets/",
        {
            "start": "2025/26",
            "value": "92%",
            "reason": "Raised after the peer review",
            "committee": srp.pk,
            "meeting": "2025-03-18",
        },
    )
    _post(client_as("performance"), "/register/182/targets/", {"start": "2025/26", "value": "93"})
    page = client_as("performance").get("/register/182/history/").content.decode()
    assert "<strong>Reviewed by</strong>: none → Priya Shah" in page
    assert "reviewed_by" not in page
    assert f"→ {reviewer.pk}<" not in page  # never a user's id
    assert "<strong>Value</strong>: 92 → 93" in page
    assert (
        "<strong>Decided by</strong>: Strategy, Resources and Performance Committee → none" in page
    )
    assert "<strong>Reason</strong>: Raised after the peer review → none" in page
    assert "Priya Shah" in page  # who made the changes, by name


def test_the_import_preview_gives_old_and_new_values(tmp_path: Path) -> None:
    folder = tmp_path / "changed"
    shutil.copytree(DEMO, folder)
    observations = folder / "observations.csv"
    text = observations.read_text(encoding="utf-8")
    assert "186,2024-09,8.71," in text
    observations.write_text(text.replace("186,2024-09,8.71,", "186,2024-09,1000,"), "utf-8")
    commentary = folder / "commentary.csv"
    notes = commentary.read_text(encoding="utf-8-sig")
    first = notes.index("This has improved this quarter by 7%")
    commentary.write_text(
        notes[:first] + notes[first:].replace(" by 7%", "\n by 7%", 1), encoding="utf-8"
    )
    lines = list(plan_import(read_source(folder), "changed").lines())
    assert "Changed figure: 186 2024-09: value 8.71 -> 1000" in lines
    assert (
        "Changed commentary: 182 2024/25 Q2: the same words, their spacing or line breaks changed"
        in lines
    )
