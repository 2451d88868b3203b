"""Withdrawal that takes down (issue 14, finding 3).

A withdrawn publication's pages and files answer 410 Gone with the withdrawal notice (date,
reason, whom to contact, the replacement), unless the performance team chose, when withdrawing,
to keep it readable: then its page and its HTML file carry the notice, and its PDF, Word and
Excel files answer 410 with the notice (a copy of a binary file cannot be trusted to show it).
Nothing is deleted: the team still sees what was published, by whom, and why it was withdrawn,
and can download the files as published.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from browser import axe_violations, describe
from kpiboard.reports import pack
from kpiboard.web.reporting import services
from kpiboard.web.reporting.models import Publication, PublishedFile
from web.browsing import demo_council, press, sign_in, watch
from web.test_reporting import Q2, fake_write_pack, file_bytes, published, signed_in
from web.test_reporting_browser import fits_320

REASON = "It named a child in the commentary"
BINARY = ("pdf", "docx", "xlsx")


@pytest.fixture
def fake_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack, "write_pack", fake_write_pack)


@pytest.fixture
def publication(people: dict[str, Any], fake_pack: None) -> Publication:
    return published("committee:srp", people["performance"])


def withdraw(people: dict[str, Any], publication: Publication, **fields: str) -> Publication:
    """Withdraw through the run page's form, as the performance team does."""
    response = signed_in(people["performance"]).post(
        f"/published/{publication.pk}/withdraw/", {"reason": REASON, **fields}
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    return publication


def paths(publication: Publication) -> list[str]:
    return [
        f"/published/{publication.pk}/",
        *(f"/published/{publication.pk}/files/{name}/" for name in pack.FORMATS),
    ]


def assert_notice(text: str, publication: Publication) -> None:
    assert REASON in text
    assert f"{publication.withdrawn_at:%-d %B %Y}" in text


# -- taken down ----------------------------------------------------------------------------------


def test_a_withdrawn_report_is_taken_down_by_default_with_a_notice(
    people: dict[str, Any], publication: Publication
) -> None:
    published_bytes = file_bytes(publication)
    publication = withdraw(people, publication)  # no choice made: taken down
    assert publication.withdrawn
    assert not publication.withdrawn_readable
    client = Client()
    for path in paths(publication):
        response = client.get(path)
        assert response.status_code == 410, path
        assert response["Content-Type"].startswith("text/html"), path
        assert "Content-Disposition" not in response, path
        page = response.content.decode()
        assert 'class="govuk-heading-l">This report has been withdrawn</h1>' in page, path
        assert "has been withdrawn" in page, path
        assert_notice(page, publication)
        # Whom to ask: the report's officer contact.
        assert "Alex Morgan" in page, path
        assert 'href="mailto:alex.morgan@example.gov.uk"' in page, path
        for data in published_bytes.values():
            assert data not in response.content, path
        assert response["X-Robots-Tag"] == "noindex", path
    # Also when the team chooses it by name.
    other = published("directorate:fin", people["performance"])
    other = withdraw(people, other, visibility="take_down")
    assert not other.withdrawn_readable
    response = client.get(f"/published/{other.pk}/files/html/")
    assert response.status_code == 410
    # No officer named in the directorate's front matter: the organisation's team instead.
    assert "performance team" in response.content.decode()


def test_the_notice_links_the_replacement(
    people: dict[str, Any], publication: Publication, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    publication = withdraw(people, publication)
    client = signed_in(people["performance"])
    client.post(f"/published/{publication.pk}/replace/")
    run = services.ReportRun.objects.get(replaces=publication)
    client.post(f"/reports/{run.pk}/generate/")
    client.post(f"/reports/{run.pk}/publish/")
    replacement = Publication.objects.get(run=run)
    for path in paths(publication):
        response = Client().get(path)
        assert response.status_code == 410, path
        assert f'href="/published/{replacement.pk}/"' in response.content.decode(), path
    assert Client().get(f"/published/{replacement.pk}/").status_code == 200


# -- kept readable -------------------------------------------------------------------------------


def test_a_report_kept_readable_carries_the_notice_on_its_page_and_files(
    people: dict[str, Any], publication: Publication
) -> None:
    published_html = file_bytes(publication)["html"]
    publication = withdraw(people, publication, visibility="keep_readable")
    assert publication.withdrawn_readable
    client = Client()
    page = client.get(f"/published/{publication.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    banner = text[text.index('id="withdrawn-notice"') : text.index('id="summary"')]
    assert_notice(banner, publication)
    assert "govuk-notification-banner" in text
    assert page["X-Robots-Tag"] == "noindex"

    html = client.get(f"/published/{publication.pk}/files/html/")
    assert html.status_code == 200
    body = html.content.decode()
    assert_notice(body, publication)
    assert "withdrawn" in body.lower()
    assert published_html.decode() in body  # the report itself, as published
    assert (
        html["ETag"]
        != f'"{PublishedFile.objects.get(publication=publication, format="html").sha256}"'
    )
    assert html["X-Robots-Tag"] == "noindex"

    for name in BINARY:
        response = client.get(f"/published/{publication.pk}/files/{name}/")
        assert response.status_code == 410, name
        refused = response.content.decode()
        assert_notice(refused, publication)
        # Where the report can still be read, with the notice.
        assert f'href="/published/{publication.pk}/files/html/"' in refused, name


def test_the_banner_opens_the_body_of_the_reports_html() -> None:
    from kpiboard.web.reporting.public import with_notice_banner

    head = b'<!doctype html><html lang="en"><head><title>R</title></head>\n<BODY class="x">'
    html = head + b"\n<h1>R</h1></body></html>"
    out = with_notice_banner(html, "<p>Withdrawn &amp; why</p>")
    text = out.decode()
    assert text.startswith(
        '<!doctype html><html lang="en"><head><title>R</title></head>\n<BODY class="x">'
    )
    assert text.index("Withdrawn &amp; why") < text.index("<h1>R</h1>")
    # A document without a body element gets the notice first.
    assert with_notice_banner(b"plain", "<p>N</p>").decode().startswith("<p>N</p>")


# -- listings ------------------------------------------------------------------------------------


def test_the_published_list_offers_no_file_of_a_report_taken_down(
    people: dict[str, Any], publication: Publication
) -> None:
    readable = withdraw(
        people, published("directorate:fin", people["performance"]), visibility="keep_readable"
    )
    publication = withdraw(people, publication)
    listing = Client().get("/published/").content.decode()
    assert f'href="/published/{publication.pk}/files/' not in listing
    row = listing[listing.index(f'data-publication="{publication.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Withdrawn" in row
    assert "Taken down" in row
    # Kept readable: its HTML is offered (with the notice), the others answer 410 so are not.
    kept = listing[listing.index(f'data-publication="{readable.pk}"') :]
    kept = kept[: kept.index("</tr>")]
    assert f'href="/published/{readable.pk}/files/html/"' in kept
    assert f'href="/published/{readable.pk}/files/pdf/"' not in kept
    # Open data leaves out every withdrawn report's figures.
    assert Client().get("/open-data/figures.json").json()["figures"] == []


# -- the record for the team ---------------------------------------------------------------------


def test_the_team_keeps_the_record_and_the_files_as_published(
    people: dict[str, Any], publication: Publication
) -> None:
    published_bytes = file_bytes(publication)
    publication = withdraw(people, publication)
    assert Publication.objects.filter(pk=publication.pk).exists()
    assert file_bytes(publication) == published_bytes
    for role in ("performance", "administrator"):
        client = signed_in(people[role])
        page = client.get(f"/reports/{publication.run_id}/").content.decode()
        status = page[page.index('id="publication-status"') :]
        status = status[: status.index("</dd>")]
        assert "Withdrawn" in status
        assert REASON in status
        assert "by perf" in status
        assert "Taken down" in status
        for name, data in published_bytes.items():
            response = client.get(f"/reports/{publication.run_id}/files/{name}/")
            assert response.status_code == 200, (role, name)
            assert response.content == data, (role, name)
    for role in ("reader", "owner"):
        response = signed_in(people[role]).get(f"/reports/{publication.run_id}/files/pdf/")
        assert response.status_code == 403, role
    assert Client().get(f"/reports/{publication.run_id}/files/pdf/").status_code == 302


# -- the form ------------------------------------------------------------------------------------


def test_the_withdrawal_form_offers_take_down_or_keep_readable(
    people: dict[str, Any], publication: Publication
) -> None:
    page = signed_in(people["performance"]).get(f"/reports/{publication.run_id}/")
    text = page.content.decode()
    form = text[text.index(f'action="/published/{publication.pk}/withdraw/"') :]
    form = form[: form.index("</form>")]
    assert 'type="radio" name="visibility" value="take_down" checked' in form
    assert 'type="radio" name="visibility" value="keep_readable"' in form
    assert "Take it down" in form
    assert "Keep it readable" in form


def test_an_unknown_choice_is_refused_and_nothing_is_withdrawn(
    people: dict[str, Any], publication: Publication
) -> None:
    client = signed_in(people["performance"])
    response = client.post(
        f"/published/{publication.pk}/withdraw/", {"reason": REASON, "visibility": "publish"}
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert not publication.withdrawn
    page = client.get(response["Location"]).content.decode()
    assert "Choose whether to take the report down or keep it readable" in page
    assert Client().get(f"/published/{publication.pk}/").status_code == 200


def test_a_report_kept_readable_can_be_taken_down_later(
    people: dict[str, Any], publication: Publication
) -> None:
    publication = withdraw(people, publication, visibility="keep_readable")
    assert Client().get(f"/published/{publication.pk}/").status_code == 200
    client = signed_in(people["performance"])
    page = client.get(f"/reports/{publication.run_id}/").content.decode()
    assert f'action="/published/{publication.pk}/take-down/"' in page
    assert (
        signed_in(people["reader"]).post(f"/published/{publication.pk}/take-down/").status_code
        == 403
    )
    response = client.post(f"/published/{publication.pk}/take-down/")
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.withdrawn
    assert not publication.withdrawn_readable
    assert publication.withdrawal_reason == REASON
    for path in paths(publication):
        assert Client().get(path).status_code == 410, path
    # A report that is current cannot be taken down without withdrawing it, with a reason.
    current = published("directorate:fin", people["performance"], Q2)
    client.post(f"/published/{current.pk}/take-down/")
    current.refresh_from_db()
    assert not current.withdrawn


# -- in the browser ------------------------------------------------------------------------------


@pytest.mark.slow
def test_withdrawing_in_chromium_then_taking_down_with_the_notice_accessible(
    live_server: Any, settings: Any, fake_pack: None, page: Any, browser: Any
) -> None:
    """The team keeps a report readable, then takes it down; the visitor's notice pages pass
    axe-core and fit 320 px. (The visitor's page is not watched for console messages: Chromium
    logs every 410 as a failed resource.)"""
    site = demo_council(live_server)
    publication = published("committee:srp", people_named("perf"))
    checked = watch(page)
    sign_in(page, site, "perf")
    page.goto(f"{site}/reports/{publication.run_id}/")
    page.get_by_text("Withdraw this report").click()
    page.get_by_label("Why is the report being withdrawn?").fill(REASON)
    assert page.get_by_label("Take it down").is_checked()
    checked()
    page.get_by_label("Keep it readable with a notice").check()
    press(page, "Withdraw the report")
    assert "Kept readable" in page.locator("#publication-status").inner_text()
    checked()

    visitor = browser.new_context().new_page()
    answer = visitor.goto(f"{site}/published/{publication.pk}/")
    assert answer.status == 200
    assert REASON in visitor.get_by_role("region", name="Withdrawn").inner_text()
    violations = axe_violations(visitor)
    assert violations == [], describe(violations)
    fits_320(visitor)
    visitor.goto(f"{site}/published/{publication.pk}/files/html/")
    assert REASON in visitor.get_by_role("region", name="Withdrawn report").inner_text()

    page.get_by_text("Take this report down").click()
    press(page, "Take the report down")
    assert "Taken down" in page.locator("#publication-status").inner_text()
    checked()

    for path in ("", "files/html/", "files/pdf/"):
        answer = visitor.goto(f"{site}/published/{publication.pk}/{path}")
        assert answer.status == 410, path
        heading = visitor.get_by_role("heading", level=1).inner_text()
        assert heading == "This report has been withdrawn", path
        assert REASON in visitor.locator("#withdrawal-notice").inner_text()
        violations = axe_violations(visitor)
        assert violations == [], describe(violations)
        fits_320(visitor)
    visitor.context.close()


def people_named(username: str) -> Any:
    return get_user_model().objects.get(username=username)
