"""Import and export: the database holds exactly what the files hold, and the web's statuses are
``kpiboard evaluate``'s on an export."""

from __future__ import annotations

import filecmp
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client, override_settings

from kpiboard.cli import main
from kpiboard.datafiles import DataFileError
from kpiboard.web.collection.models import Return
from kpiboard.web.proposals.models import ProposalRound
from kpiboard.web.register import models
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.transfer import export, plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db


def _empty_database() -> None:
    ProposalRound.objects.all().delete()  # with their proposals and comments
    Return.objects.all().delete()
    models.NeighbourValue.objects.all().delete()
    models.Target.objects.all().delete()
    models.RemedialAction.objects.all().delete()
    models.Indicator.objects.all().delete()
    for model in (models.Committee, models.Directorate, models.Ambition):
        model.objects.all().delete()
    models.OrganisationSettings.objects.all().delete()
    models.ReportNarrative.objects.all().delete()


def _same_folders(first: Path, second: Path) -> None:
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    assert "reports/srp-2024-25-q2.md" in names  # the narrative goes round too
    assert "proposals/comments.csv" in names  # and the proposal rounds (issue 17)
    _match, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    assert mismatch == [], mismatch
    assert errors == []


def test_export_then_import_into_an_empty_database_reproduces_it(tmp_path: Path) -> None:
    export(tmp_path / "first")
    _empty_database()
    assert not models.Indicator.objects.exists()
    apply_plan(plan_import(read_source(tmp_path / "first"), "first"), None)
    export(tmp_path / "second")
    _same_folders(tmp_path / "first", tmp_path / "second")
    assert plan_import(read_source(tmp_path / "first"), "again").empty


def test_the_export_holds_every_figure_of_the_demo_folder(tmp_path: Path) -> None:
    export(tmp_path / "out")
    for name in ("observations.csv", "targets.csv", "neighbours.csv", "commentary.csv"):
        ours = (tmp_path / "out" / name).read_text(encoding="utf-8-sig").splitlines()
        given = (DEMO / name).read_text(encoding="utf-8-sig").splitlines()
        assert ours == given, name


def test_web_statuses_equal_kpiboard_evaluate_on_an_export(tmp_path: Path, client_as: Any) -> None:
    export(tmp_path / "out")
    result = CliRunner().invoke(
        main, ["evaluate", str(tmp_path / "out"), "--period", "2024/25 Q2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    engine = {row["ref"]: row["status"] for row in json.loads(result.output)["indicators"]}
    page = client_as("reader").get("/register/?period=2024-25-q2").content.decode()
    shown = {}
    for ref in engine:
        row = page.split(f'href="/register/{ref}/?period=2024-25-q2"', 1)[1]
        shown[ref] = row.split('data-status="', 1)[1].split('"', 1)[0]
    assert shown == engine
    assert engine["182"] == "red"
    assert engine["190"] == "green"


def test_dry_run_lists_changes_and_changes_nothing(tmp_path: Path, people: dict[str, Any]) -> None:
    folder = tmp_path / "changed"
    shutil.copytree(DEMO, folder)
    observations = folder / "observations.csv"
    lines = observations.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("182,2024-09,"))
    cells = lines[index].split(",")
    cells[3] = str(int(cells[3]) - 1)  # one fewer FOI request answered in time in September
    lines[index] = ",".join(cells)
    observations.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = Return.objects.get(indicator__ref="182", period="2024-09")

    plan = plan_import(read_source(folder), "changed")
    assert [(r, p) for r, p, _ in plan.changed_figures] == [("182", "2024-09")]
    assert plan.new_figures == []
    assert plan.new_indicators == []
    assert Return.objects.get(pk=before.pk).numerator == before.numerator

    apply_plan(plan, people["performance"])
    after = Return.objects.get(pk=before.pk)
    assert before.numerator is not None
    assert after.numerator == before.numerator - 1
    latest = after.history.latest()
    assert latest.history_user == people["performance"]
    assert latest.prev_record is not None
    assert latest.prev_record.numerator == before.numerator


def test_bad_input_imports_nothing_and_names_the_place(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(DEMO, folder)
    with (folder / "observations.csv").open("a", encoding="utf-8") as out:
        out.write("182,2024-10,abc,,,,,,\n999,2024-10,5,,,,,,\n")
    count = Return.objects.count()
    with pytest.raises(DataFileError) as raised:
        read_source(folder)
    places = {(e.file, e.column, e.value) for e in raised.value.errors}
    assert ("observations.csv", "value", "abc") in places
    assert ("observations.csv", "ref", "999") in places
    assert Return.objects.count() == count


def _zip(entries: dict[str, bytes], link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = 0o120777 << 16  # a symbolic link
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _demo_entries() -> dict[str, bytes]:
    return {
        f"data/{p.relative_to(DEMO).as_posix()}": p.read_bytes()
        for p in DEMO.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("extra", "link"),
    [({"../evil.csv": b"x"}, None), ({"/tmp/evil.csv": b"x"}, None), ({}, "data/link.csv")],
    ids=["parent path", "absolute path", "symbolic link"],
)
def test_a_zip_reaching_outside_its_folder_is_refused(
    tmp_path: Path, extra: dict[str, bytes], link: str | None
) -> None:
    archive = tmp_path / "upload.zip"
    archive.write_bytes(_zip({**_demo_entries(), **extra}, link))
    with pytest.raises(DataFileError) as raised:
        read_source(archive, "upload.zip")
    assert raised.value.errors[0].file == "upload.zip"
    assert not (tmp_path.parent / "evil.csv").exists()


def test_upload_preview_then_confirm_applies_the_change(client_as: Any, tmp_path: Path) -> None:
    entries = _demo_entries()
    entries["data/targets.csv"] += b"182,2025/26,95\n"
    client = client_as("performance")
    page = client.get("/register/import/")
    token = page.cookies["csrftoken"].value
    upload = io.BytesIO(_zip(entries))
    upload.name = "demo.zip"
    preview = client.post("/register/import/", {"file": upload, "csrfmiddlewaretoken": token})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "New target: 182 from 2025/26: 95" in text
    assert not models.Target.objects.filter(indicator__ref="182", start="2025/26").exists()
    done = client.post("/register/import/confirm/", {"csrfmiddlewaretoken": token})
    assert done.status_code == 302
    target = models.Target.objects.get(indicator__ref="182", start="2025/26")
    assert str(target.value) == "95"
    assert target.history.latest().history_user.username == "perf"


@pytest.mark.parametrize("group", ["/etc/passwd", "/proc/self/environ", "../../../../etc/hostname"])
def test_an_uploaded_folder_cannot_read_a_server_file(client_as: Any, group: str) -> None:
    """Security finding 1 of issue 14: a zip whose organisation.toml names a server file as its
    neighbour group got that file's first line quoted back in the preview."""
    entries = _demo_entries()
    entries["data/organisation.toml"] += f'\n[neighbours]\ngroup = "{group}"\n'.encode()
    client = client_as("performance")
    token = client.get("/register/import/").cookies["csrftoken"].value
    upload = io.BytesIO(_zip(entries))
    upload.name = "demo.zip"
    preview = client.post("/register/import/", {"file": upload, "csrfmiddlewaretoken": token})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "inside the data folder" in text
    hostname = Path("/etc/hostname").read_text().strip()
    secrets = ["root:x:0:0", "SECRET_KEY", "PATH="] + ([hostname] if len(hostname) >= 12 else [])
    for secret in secrets:
        assert secret not in text


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_an_upload_too_large_is_refused(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["performance"])
    upload = io.BytesIO(b"PK" + b"0" * 5000)
    upload.name = "big.zip"
    response = client.post("/register/import/", {"file": upload})
    assert response.status_code == 200
    assert "the most kpiboard accepts" in response.content.decode()


def test_the_workbook_export_writes_formulas_as_text(client_as: Any) -> None:
    from openpyxl import load_workbook

    item = Return.objects.filter(indicator__ref="182", state="approved").first()
    assert item is not None
    item.commentary = '=HYPERLINK("http://evil.example","click")'
    item.save()
    response = client_as("performance").get("/register/export/xlsx/")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [
        c
        for row in book["commentary"].iter_rows()
        for c in row
        if c.value and "HYPERLINK" in str(c.value)
    ]
    assert cells
    assert all(c.data_type == "s" for c in cells)
    zipped = client_as("performance").get("/register/export/zip/")
    with zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))) as archive:
        text = archive.read("data/commentary.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
