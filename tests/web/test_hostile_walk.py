"""No page answers 500, whatever is put in its address, its query string or its form (issue 14,
finding 5): every URL pattern of the site, found from the resolver (so a page added later is
walked too), with hostile values in every path segment, in every query parameter the views read
and in every form field the pages offer, as every role and as someone not signed in. A response
of 500 or more, an exception out of a view, or a body that shows a traceback is a failure.

The admin (``/admin/``) is left out: it is Django's own, reached only by staff, and its URLs take
no value kpiboard parses (object ids are Django's, checked by Django's own tests).

To keep the walk to about half a minute the values are shared out, not all tried everywhere.
The administrator, who may reach every view, gets every hostile segment in a GET of every path,
and in turn (each page the next few of the list, so that every value reaches dozens of pages of
every kind) the hostile values in POSTs, query strings, periods and htmx requests; and each form
of each page as the page filled it in, with one field at a time made hostile. The other roles,
turned away from most views before anything is parsed, get one seeded value in each place. Run
it on PostgreSQL too (``DATABASE_URL``): a NUL character that SQLite stores, PostgreSQL refuses.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Committee, Directorate, Indicator, RemedialAction
from kpiboard.web.reporting import services
from kpiboard.web.reporting.models import ReportFile

ROLES = ("administrator", "performance", "owner", "other_owner", "reader", "no_role", None)

#: Put in each path segment (as written in the address, percent-escapes and all).
HOSTILE_SEGMENTS = (
    "0",
    "-1",
    "99999999999999999999",
    "abc",
    "Z%2F1",
    "..",
    "%00",
    "x" * 300,
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    quote("Ünïcödé ✓ 🙂"),
    "2024-25-q9",
    "0000-01",
    "9999-12",
)
#: Put in each query parameter and form field (urlencoded for them).
HOSTILE_VALUES = (
    "0000-01",
    "9999-12",
    "abc",
    "",
    "9" * 40,
    "-1",
    "1e999",
    "NaN",
    "<script>alert(1)</script>",
    "\x00",
    "Z/1",
    "x" * 300,
    "Ünïcödé ✓ 🙂",
)
#: Put in ``?period=`` alone: periods that read but cannot be dated, or nearly read.
HOSTILE_PERIODS = (
    "0000-01",
    "9999-12",
    "0000-01-01",
    "9999-12-31",
    "0000/01 Q1",
    "9999/00 Q4",
    "1899-12",
    "2201-01",
    "2024-25-q9",
    "2024-ab",
)
#: Put in one field of a form otherwise as the page filled it in.
ONE_FIELD_VALUES = ("99999999999999999999", "abc", "0000-01", "\x00")
#: What the views read from the query string (grep request.GET and TableQuery.from_query).
QUERY_PARAMETERS = (
    "period",
    "version",
    "scope",
    "page",
    "sort",
    "order",
    "status",
    "lifecycle",
    "committee",
    "kind",
    "next",
)
#: Form fields the pages send that a GET of them may not show (POST-only views, htmx forms).
KNOWN_FIELDS = frozenset(
    {
        "version",
        "decision",
        "approve",
        "action",
        "value",
        "numerator",
        "denominator",
        "period",
        "start",
        "reason",
        "return_period",
        "move",
        "ended_from",
        "scope",
        "document",
        "metric",
    }
)
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def url_patterns(
    resolver: URLResolver | None = None, prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Every pattern of the site as (route, name), includes followed, the admin left out."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from url_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), str(pattern.name)


def fill(route: str, values: dict[str, str], hostile: tuple[str, str] | None = None) -> str:
    """The route with each ``<converter:name>`` replaced by its value; ``hostile`` (name, value)
    puts one hostile value in one segment, whatever the converter would match."""

    def value(match: re.Match[str]) -> str:
        name = match["name"]
        if hostile is not None and hostile[0] == name:
            return hostile[1]
        return values[name]

    return "/" + _CONVERTER.sub(value, route)


@dataclass
class Form:
    """A form a page offers: where it posts, and its fields with the values the page gave."""

    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The POST forms of a page (a field outside any form counts as the page's own)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.forms: list[Form] = []
        self.loose = Form(path)
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            post = found.get("method", "").lower() == "post"
            self.current = Form(found.get("action") or self.path) if post else None
            if self.current is not None:
                self.forms.append(self.current)
            return
        form = self.current or self.loose
        name = found.get("name", "")
        if tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            if found.get("type") not in ("checkbox", "radio") or "checked" in found:
                form.fields.setdefault(name, found.get("value", ""))
        elif tag == "select" and name:
            self.select = name
            form.fields.setdefault(name, "")
        elif (
            tag == "option"
            and self.select
            and (found.get("value") or "selected" in found)
            and (not form.fields.get(self.select) or "selected" in found)
        ):
            form.fields[self.select] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def page_forms(path: str, html: str) -> list[Form]:
    parser = _Forms(path)
    parser.feed(html)
    return [*parser.forms, parser.loose]


class Walk:
    """The requests of one role, and what went wrong."""

    def __init__(self, client: Client, user: Any = None) -> None:
        self.client = client
        self.user = user
        self.failures: list[str] = []
        self.count = 0
        self.statuses: Counter[int] = Counter()

    def request(
        self, method: str, path: str, data: dict[str, str] | None = None, **headers: str
    ) -> str:
        """The body of a page (empty when the request failed)."""
        self.count += 1
        try:
            if method == "get":
                response = self.client.get(path, data or {}, headers=headers)
            else:
                response = self.client.post(path, data or {}, headers=headers)
        except Exception as error:  # the walk records every failure, then fails once
            self.failures.append(
                f"{method.upper()} {path[:120]} {_short(data)}: {type(error).__name__}: {error}"
            )
            return ""
        self.statuses[response.status_code] += 1
        if self.user is not None and "_auth_user_id" not in self.client.session:
            self.client.force_login(self.user)  # signed out (by /accounts/logout/): back in
        body = (
            b"".join(getattr(response, "streaming_content", []))
            if getattr(response, "streaming", False)
            else response.content
        )
        if response.status_code >= 500 or b"Traceback" in body:
            self.failures.append(
                f"{method.upper()} {path[:120]} {_short(data)}: {response.status_code}"
            )
        return body.decode("utf-8", "replace")


def _short(data: dict[str, str] | None) -> str:
    if not data:
        return ""
    return repr({name: value[:20] for name, value in list(data.items())[:4]})[:120]


@pytest.fixture
def sample_values(people: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A valid value for each path parameter, so hostile values elsewhere reach the view's code:
    a report run, its published pack (drawn by the stand-in of test_reporting) and an action."""
    from kpiboard.reports import pack
    from web.test_reporting import fake_write_pack

    monkeypatch.setattr(pack, "write_pack", fake_write_pack)
    run = services.run_create(
        scope_text="directorate:fin", period_text="2024/25 Q2", user=people["performance"]
    )
    services.run_generate(run=run)
    publication = services.run_publish(run=run, user=people["performance"])
    draft = services.run_create(
        scope_text="committee:srp", period_text="2024/25 Q2", user=people["performance"]
    )
    indicator = Indicator.objects.get(ref="182")
    action = RemedialAction.objects.filter(indicator=indicator).first()
    if action is None:
        action = RemedialAction.objects.create(
            indicator=indicator, period="2024/25 Q2", what="Recruit", due="2025-03-31"
        )
    item = Return.objects.filter(indicator=indicator).order_by("pk").first()
    assert item is not None
    fmt = ReportFile.objects.filter(run=run).values_list("format", flat=True).first()
    return {
        "default": {
            "ref": "182",
            "period": "2024-10",
            "kind": "zip",
            "fmt": fmt or "pdf",
        },
        "pk": {
            "action_edit": action.pk,
            "review_decide": item.pk,
            "publication": publication.pk,
            "publication_file": publication.pk,
            "publication_withdraw": publication.pk,
            "publication_replace": publication.pk,
            "report_run": draft.pk,
        },
        "code": {
            "directorate_scorecard": Directorate.objects.values_list("code", flat=True)[0],
            "committee_scorecard": Committee.objects.values_list("code", flat=True)[0],
        },
    }


class _Values(dict[str, str]):
    """Path values by parameter name; a parameter no sample names (a page added later) gets a
    plain word, so that the walk still reaches it."""

    def __missing__(self, key: str) -> str:
        return "abc"


def valid_values(name: str, samples: dict[str, Any]) -> dict[str, str]:
    values = _Values({key: str(value) for key, value in samples["default"].items()})
    pks = samples["pk"]
    values["pk"] = str(pks.get(name, pks["report_run"]))
    values["code"] = str(samples["code"].get(name, "fin"))
    return values


def client_for(role: str | None, people: dict[str, Any]) -> Client:
    """A client whose CSRF token is taken as given (the walk is about values, not CSRF)."""
    client = Client(enforce_csrf_checks=False, raise_request_exception=True)
    if role is not None:
        client.force_login(people[role])
    return client


#: Roles turned away from nearly every view before anything is parsed: what their walk tests is
#: the permission checks, which do not depend on the database (PostgreSQL's pass walks the rest).
REFUSED_ALMOST_EVERYWHERE = ("other_owner", "reader", "no_role")


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(role, marks=[pytest.mark.once] if role in REFUSED_ALMOST_EVERYWHERE else [])
        for role in ROLES
    ],
    ids=[role or "anonymous" for role in ROLES],
)
def test_no_page_answers_500_to_hostile_input(
    role: str | None, people: dict[str, Any], sample_values: dict[str, Any], settings: Any
) -> None:
    """Every URL pattern, with hostile path segments, query values and form fields, answers
    something other than a server error, and never shows a traceback."""
    # The walk sends hundreds of forms a minute as one person, far past a person's pace
    # (web/pacing.py): were it held to that, the hostile values would stop reaching the views.
    settings.KPIBOARD_WRITES_PER_MINUTE = 1_000_000
    walk = Walk(client_for(role, people), people[role] if role else None)
    thorough = role == "administrator"
    chance = random.Random(f"hostile walk {role}")
    turn = Counter[str]()

    def some(values: tuple[str, ...], count: int, place: str) -> tuple[str, ...]:
        """``count`` of the values for the administrator, the next in turn for ``place``, so
        that each is tried as often as the others; one at random for any other role."""
        if not thorough:
            return (chance.choice(values),)
        start = turn[place]
        turn[place] += count
        return tuple(values[(start + offset) % len(values)] for offset in range(count))

    patterns = list(url_patterns())
    assert len(patterns) > 40, "the resolver's patterns, includes followed"
    pages: list[str] = []
    forms: list[Form] = []
    for route, name in patterns:
        values = valid_values(name, sample_values)
        path = fill(route, values)
        pages.append(path)
        forms += page_forms(path, walk.request("get", path))
        for segment in _CONVERTER.finditer(route):
            every = HOSTILE_SEGMENTS if thorough else some(HOSTILE_SEGMENTS, 1, "segment")
            posted = some(HOSTILE_SEGMENTS, 4, "posted segment")
            for hostile in every:
                hostile_path = fill(route, values, (segment["name"], hostile))
                walk.request("get", hostile_path)
                if hostile in posted:
                    walk.request("post", hostile_path, {"version": "1"})
    names = sorted(KNOWN_FIELDS.union(*(form.fields for form in forms)))
    for path in pages:
        for value in some(HOSTILE_VALUES, 5, "query"):
            walk.request("get", path, dict.fromkeys(QUERY_PARAMETERS, value))
        for value in some(HOSTILE_VALUES, 5, "form"):
            walk.request("post", path, dict.fromkeys(names, value))
        for value in some(HOSTILE_PERIODS, 3, "period"):
            walk.request("get", path, {"period": value})
        if thorough:  # as htmx asks for a page's parts (the scorecard's table, a pack's state)
            for value in some(HOSTILE_VALUES, 1, "htmx"):
                query = dict.fromkeys(QUERY_PARAMETERS, value)
                walk.request("get", path, query, **{"HX-Request": "true"})
    if thorough:  # each form as the page offers it, one field at a time hostile
        for form in forms:
            for name in form.fields:
                for value in ONE_FIELD_VALUES:
                    walk.request("post", form.action, {**form.fields, name: value})

    if thorough:  # every value had five turns or more in every place
        assert min(turn.values()) >= 5 * len(HOSTILE_VALUES), turn
    assert walk.statuses[200] > 50, "pages reached, not only refusals"
    assert walk.statuses[429] == 0, "every form reached its view"
    assert not walk.failures, f"{len(walk.failures)} of {walk.count} failed:\n" + "\n".join(
        walk.failures[:60]
    )


def test_the_walk_sees_a_server_error(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk would notice a view that breaks: it reports an exception, not a pass."""
    from kpiboard.web.dashboards import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a view that breaks")

    monkeypatch.setattr(views.period_choice, "read_period", broken)
    walk = Walk(client_for("administrator", people))
    walk.request("get", "/scorecard/")
    assert len(walk.failures) == 1
    assert "ZeroDivisionError: a view that breaks" in walk.failures[0]


def test_every_pattern_is_filled(sample_values: dict[str, Any]) -> None:
    """Each pattern's parameters have a valid value, and the filled path resolves back to it."""
    for route, name in url_patterns():
        path = fill(route, valid_values(name, sample_values))
        assert resolve(path).url_name == name, (route, path)
