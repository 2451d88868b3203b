"""Uploads kept privately and briefly (issue 14, finding 11): every previewed upload stayed for
ever, a full copy of the register, in a fixed folder shared by every user of the machine. Now it
waits in the database for its own uploader only, and goes on confirm, on cancel, or after a day."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kpiboard.web.register import models, staging
from web.test_transfer import _demo_entries, _zip

pytestmark = pytest.mark.django_db


def _temporary_entries() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).iterdir()}


def _preview(client: Any, targets_row: bytes = b"182,2025/26,95\n") -> Any:
    entries = _demo_entries()
    entries["data/targets.csv"] += targets_row
    token = client.get("/register/import/").cookies["csrftoken"].value
    upload = io.BytesIO(_zip(entries))
    upload.name = "demo.zip"
    response = client.post("/register/import/", {"file": upload, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "New target: 182 from 2025/26: 95" in response.content.decode()
    return token


def test_a_preview_leaves_nothing_on_the_servers_disk_and_waits_in_the_database(
    client_as: Any, people: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    # A temporary folder of this test's own: other tests running beside it make their own files.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = _temporary_entries()
    assert before == set()
    client = client_as("performance")
    token = _preview(client)
    assert _temporary_entries() == before
    staged = models.StagedUpload.objects.get()
    assert staged.user == people["performance"]
    assert staged.name == "demo.zip"
    assert bytes(staged.data).startswith(b"PK")
    assert (
        client.post("/register/import/confirm/", {"csrfmiddlewaretoken": token}).status_code == 302
    )
    assert models.Target.objects.filter(indicator__ref="182", start="2025/26").exists()
    assert not models.StagedUpload.objects.exists()
    assert _temporary_entries() == before


def test_cancel_deletes_the_upload_and_imports_nothing(client_as: Any) -> None:
    client = client_as("performance")
    token = _preview(client)
    page = client.post("/register/import/cancel/", {"csrfmiddlewaretoken": token}, follow=True)
    assert "the upload is deleted" in page.content.decode()
    assert not models.StagedUpload.objects.exists()
    again = client.post("/register/import/confirm/", {"csrfmiddlewaretoken": token}, follow=True)
    assert "There is no upload waiting" in again.content.decode()
    assert not models.Target.objects.filter(indicator__ref="182", start="2025/26").exists()


def test_an_upload_is_only_its_uploaders(people: dict[str, Any], client_as: Any) -> None:
    _preview(client_as("performance"))
    staged = models.StagedUpload.objects.get()
    assert staging.read_staged(people["performance"], staged.key) == staged
    assert staging.read_staged(people["administrator"], staged.key) is None
    assert staging.read_staged(people["performance"], "not-the-key") is None


def test_a_day_old_upload_cannot_be_confirmed_and_goes_with_the_next_upload(
    client_as: Any,
) -> None:
    client = client_as("performance")
    token = _preview(client)
    models.StagedUpload.objects.update(created=timezone.now() - dt.timedelta(days=1, minutes=1))
    late = client.post("/register/import/confirm/", {"csrfmiddlewaretoken": token}, follow=True)
    assert "waits a day" in late.content.decode()
    assert not models.Target.objects.filter(indicator__ref="182", start="2025/26").exists()
    other = client_as("administrator")
    _preview(other)
    models.StagedUpload.objects.update(created=timezone.now() - dt.timedelta(days=2))
    _preview(client)  # a new upload sweeps away the expired one
    assert models.StagedUpload.objects.count() == 1


def test_a_second_preview_replaces_the_first(client_as: Any) -> None:
    client = client_as("performance")
    _preview(client)
    _preview(client)
    assert models.StagedUpload.objects.count() == 1
