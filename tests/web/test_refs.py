"""Indicator refs that are safe everywhere (issue 14, finding 6): ``Z/1`` was accepted by the
register's form, and from then on /register/ failed for everyone. The form, a folder import and the
database now all refuse it; any ref the form accepts can be put in, and read back from, every
address that takes a ref; a register that already holds a bad ref is named by the migration."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kpiboard.datafiles import DataFileError
from kpiboard.datafiles.refs import REF_EXPECTED
from kpiboard.web.proposals.forms import ROUND_PAGES
from kpiboard.web.register.forms import IndicatorForm
from kpiboard.web.register.models import Indicator
from kpiboard.web.register.transfer import plan_import, read_source
from web.conftest import DEMO

BEFORE = ("register", "0006_staged_upload")
AFTER = ("register", "0007_indicator_ref_safe")


def form_data(row: Indicator, **changes: Any) -> dict[str, Any]:
    data = model_to_dict(row, fields=IndicatorForm.Meta.fields)
    data["committees"] = [c.pk for c in row.committees.all()]
    data["ambitions"] = [a.pk for a in row.ambitions.all()]
    data = {key: ("" if value is None else value) for key, value in data.items()}
    return {**data, "version": "", **changes}


def test_the_form_refuses_a_slash_in_a_ref(client_as: Any) -> None:
    """The same form with Z-1 adds the indicator: only the ref is wrong."""
    client = client_as("performance")
    client.get("/register/new/")
    token = client.cookies["csrftoken"].value
    data = form_data(Indicator.objects.get(ref="182"), csrfmiddlewaretoken=token)
    refused = client.post("/register/new/", {**data, "ref": "Z/1"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "letters, digits, dots, hyphens or underscores (^[A-Za-z0-9._-]{1,20}$)" in page
    assert not Indicator.objects.filter(ref="Z/1").exists()
    assert client.get("/register/").status_code == 200
    accepted = client.post("/register/new/", {**data, "ref": "Z-1"})
    assert accepted.status_code == 302
    assert Indicator.objects.filter(ref="Z-1").exists()


@pytest.mark.django_db
def test_a_folder_import_refuses_a_slash_in_a_ref(tmp_path: Path, client_as: Any) -> None:
    """By ``kpiboard import`` (read_source) and by the web's upload, naming the file, row,
    column, value and the pattern."""
    folder = tmp_path / "council"
    shutil.copytree(DEMO, folder)
    indicators = folder / "indicators.csv"
    lines = indicators.read_text(encoding="utf-8").splitlines()
    lines[1] = "Z/1," + lines[1].split(",", 1)[1]
    indicators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = f'indicators.csv, row 2, column ref: found "Z/1", expected {REF_EXPECTED}'
    with pytest.raises(DataFileError) as raised:
        plan_import(read_source(folder), str(folder))
    assert expected in [str(error) for error in raised.value.errors]

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.iterdir():
            if path.is_file():
                zipped.write(path, path.name)
    archive.seek(0)
    archive.name = "council.zip"
    client = client_as("performance")
    client.get("/register/import/")
    token = client.cookies["csrftoken"].value
    page = client.post("/register/import/", {"file": archive, "csrfmiddlewaretoken": token})
    assert page.status_code == 200
    assert "Z/1" in page.content.decode()
    assert "^[A-Za-z0-9._-]{1,20}$" in page.content.decode()
    assert not Indicator.objects.filter(ref="Z/1").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["Z/1", "Z1\n", "", "x" * 21, "a b", "..", "new"])
def test_the_database_refuses_an_unsafe_ref(ref: str) -> None:
    """Whatever writes it: a new row, or a change to one (the check constraint)."""
    row = Indicator.objects.get(ref="182")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=row.pk).update(ref=ref)
    row.pk, row.ref = None, ref
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_the_database_takes_a_safe_ref(db: Any) -> None:
    Indicator.objects.filter(ref="182").update(ref="CS-1.2_a")
    assert Indicator.objects.filter(ref="CS-1.2_a").exists()


# -- every address that takes a ref --------------------------------------------------------------


def ref_routes(
    resolver: URLResolver | None = None, namespace: str = ""
) -> list[tuple[str, tuple[str, ...]]]:
    """(url name with its namespaces, such as ``api-v1:indicator_read``, and its parameters) of
    every pattern with a ``ref``, includes followed."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += [
                (name, (*pattern.pattern.converters, *parameters))
                for name, parameters in ref_routes(pattern, inner)
            ]
        elif isinstance(pattern, URLPattern) and "ref" in pattern.pattern.converters:
            found.append((namespace + str(pattern.name), tuple(pattern.pattern.converters)))
    return found


OTHER_PARAMETERS = {"period": "2024-10", "pk": "1", "code": "skpi-2025-26"}
ROUTES = ref_routes()


def test_the_routes_with_a_ref_are_found() -> None:
    names = {name for name, _ in ROUTES}
    assert {"indicator", "indicator_edit", "return_form", "indicator_page"} <= names
    assert len(ROUTES) >= 14


def form_ref(typed: str) -> str | None:
    """The ref the register's form takes from what was typed (spaces around it dropped), or
    None when it refuses it (whatever it says of the other fields)."""
    form = IndicatorForm(data={"ref": typed})
    form.is_valid()
    return None if "ref" in form.errors else str(form.cleaned_data["ref"])


REFS = st.one_of(
    st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True),
    st.text(max_size=25),
    st.sampled_from([".", "..", "...", "new", "import", "export", "Z/1", "a%2Fb", "x?y", "#"]),
)


@given(typed=REFS)
@example(typed="Z/1")
@example(typed="..")
@example(typed="new")
@example(typed=" 182 ")
@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_every_ref_the_form_accepts_goes_into_every_address_and_back(db: Any, typed: str) -> None:
    """Reversed into each address, the ref comes back unchanged when the address is resolved,
    and a browser sends the address as it is (no dot-segment it would remove)."""
    ref = form_ref(typed)
    if ref is None:
        return
    for name, parameters in ROUTES:
        if "code" in parameters and ref in ROUND_PAGES:
            continue  # a proposal's form refuses the names of its round's pages (below)
        kwargs = {p: ref if p == "ref" else OTHER_PARAMETERS[p] for p in parameters}
        path = reverse(name, kwargs=kwargs)
        assert urljoin("http://council.example/", path) == "http://council.example" + path
        match = resolve(path)
        assert match.view_name == name, (ref, path)
        assert match.kwargs["ref"] == ref


def test_a_proposal_named_as_its_round_s_page_would_be_lost_so_is_refused(db: Any) -> None:
    """/proposals/<round>/<ref>/ shares its level with the round's own pages: a proposal ref
    such as edit would open the round's page instead, so the proposal form refuses them."""
    for page in ROUND_PAGES:
        path = reverse("proposal", kwargs={"code": "skpi-2025-26", "ref": page})
        assert resolve(path).url_name != "proposal"
    assert len(ROUND_PAGES) >= 5


def test_the_refs_kept_back_would_be_lost_in_an_address(db: Any) -> None:
    """Why ., .., new, import and export are refused though the pattern allows them."""
    assert resolve(reverse("indicator", args=["new"])).url_name == "indicator_new"
    assert resolve(reverse("indicator", args=["import"])).url_name == "import"
    assert resolve(reverse("indicator_edit", args=["export"])).url_name == "export"
    assert urljoin("http://x/", reverse("indicator", args=[".."])) == "http://x/"
    assert all(form_ref(ref) is None for ref in (".", "..", "new", "import", "export"))


# -- the migration -------------------------------------------------------------------------------


@pytest.fixture
def migrator(transactional_db: Any) -> Any:
    """Migrate the register to a given migration; put it back at the latest afterwards."""
    executor = MigrationExecutor(connection)

    def migrate(target: tuple[str, str]) -> None:
        executor.loader.build_graph()
        executor.migrate([target])

    yield migrate
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_names_every_unsafe_ref_before_adding_the_constraint(migrator: Any) -> None:
    migrator(BEFORE)
    with connection.cursor() as cursor:
        # A directorate to hang the indicators on: a transactional test run before this one in
        # the same process may have emptied the tables the session's demo data filled.
        cursor.execute("SELECT id FROM register_directorate LIMIT 1")
        directorate = cursor.fetchone()
        if directorate is None:
            cursor.execute(
                "INSERT INTO register_directorate (code, name, position) VALUES ('x', 'X', 0)"
            )
            cursor.execute("SELECT id FROM register_directorate LIMIT 1")
            directorate = cursor.fetchone()
        assert directorate is not None
        for number, ref in enumerate(("Z/1", "ok-1", "a b", "new")):
            cursor.execute(
                "INSERT INTO register_indicator (ref, name, description, unit, decimals, "
                "direction, frequency, aggregation, cumulative, category, directorate_id, "
                "national_definition, owner, tolerance_mode, no_blue, minimum, maximum, "
                "integer, unit_label, extra, position, lifecycle, decision_note, ended_from, "
                "version) VALUES (%s, 'x', '', 'number', 0, 'higher', 'month', 'latest', "
                "'none', 'targeted', %s, false, '', '', false, '', '', false, '', '{}', %s, "
                "'active', '', '', 1)",
                [ref, directorate[0], number],
            )
    with pytest.raises(CommandError) as raised:
        migrator(AFTER)
    message = str(raised.value)
    assert message.startswith("3 indicator refs in the register cannot be kept.")
    assert "^[A-Za-z0-9._-]{1,20}$" in message
    assert "'Z/1' (id " in message
    assert "for example 'Z-1'" in message
    assert "'a b' (id " in message
    assert "'new' (id " in message
    assert "'ok-1'" not in message
    assert "Nothing has been changed" in message
    with connection.cursor() as cursor:
        cursor.execute("UPDATE register_indicator SET ref = 'Z-1' WHERE ref = 'Z/1'")
        cursor.execute("UPDATE register_indicator SET ref = 'a-b' WHERE ref = 'a b'")
        cursor.execute("UPDATE register_indicator SET ref = 'new-1' WHERE ref = 'new'")
    migrator(AFTER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(ref="Z-1").update(ref="Z/1")
