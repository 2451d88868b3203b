"""The engine's ``Dataset`` from the database: the same plain objects a data folder gives.

Only approved figures and commentary are in it (readers, reports and ``evaluate()`` see what the
performance team has approved). Indicators still proposed or rejected are left out of the
evaluation; their register entries travel in exports through ``x_`` columns (see
:mod:`kpiboard.web.register.transfer`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection

from kpiboard.analysis.model import (
    ActionState,
    Aggregation,
    Breakdown,
    Category,
    Commentary,
    Cumulative,
    Dataset,
    Direction,
    Indicator,
    NeighbourValue,
    Observation,
    Organisation,
    RemedialAction,
    Target,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period, parse_period
from kpiboard.datafiles.bounds import read_bound
from kpiboard.datafiles.errors import DataFileError
from kpiboard.datafiles.organisation import organisation_from_document, toml_location
from kpiboard.web.collection.models import Return, ReturnBreakdown, ReturnState
from kpiboard.web.register import models
from kpiboard.web.register.narratives import stored_narratives
from kpiboard.web.register.proposal_data import stored_proposals

#: Lifecycle states whose indicators the engine evaluates.
EVALUATED = (models.Lifecycle.ACTIVE, models.Lifecycle.SUSPENDED, models.Lifecycle.RETIRED)

#: Every lifecycle state: an export, or one indicator's own page, takes them all.
ALL_STATES = tuple(models.Lifecycle.values)

#: Register columns an export carries beside formats.md's, so a round trip keeps the lifecycle.
LIFECYCLE_COLUMNS = (
    "x_lifecycle",
    "x_decided_by",
    "x_decided_on",
    "x_decision_note",
    "x_ended_from",
)


T = TypeVar("T")

#: What :func:`_kept` read outside a transaction, by name, with the data version it was read at.
_KEPT: dict[str, tuple[int, Any]] = {}


def may_keep() -> bool:
    """Whether what is read now may be kept in the process under the data version: not inside a
    transaction, which may have changed what it reads before bumping the version (the tests
    too, whose data are rolled back under versions seen before). (A database emptied or
    restored under a running server can show a version it had before with other contents:
    restart the servers after a restore, as the admin guide says.)"""
    return not connection.in_atomic_block


def _kept(name: str, read: Callable[[], T]) -> T:
    """``read()``, kept in the process for as long as the data version stays the same, and read
    afresh where nothing may be kept (:func:`may_keep`)."""
    if not may_keep():
        return read()
    version = models.DataVersion.current()  # read first: what is read next is at least as new
    last = _KEPT.get(name)
    if last is not None and last[0] == version:
        found: T = last[1]
        return found
    value = read()
    _KEPT[name] = (version, value)
    return value


def organisation() -> Organisation:
    """The organisation and its settings, read by the same code as organisation.toml.

    Kept in the process for as long as the data version stays the same (every change of the
    settings, committees, directorates and ambitions bumps it: register/signals.py): every page
    needs it, and reading and checking it cost more than serving a page's cached content."""
    return _kept("organisation", _read_organisation)


def organisation_name() -> str | None:
    """The name every page's header shows (None before any settings are imported), kept as
    :func:`organisation` is."""
    return _kept("name", _read_name)


def _read_name() -> str | None:
    name: str | None = models.OrganisationSettings.objects.values_list("name", flat=True).first()
    return name


def _read_organisation() -> Organisation:
    settings = models.OrganisationSettings.objects.first()
    document: dict[str, Any] = dict(settings.document) if settings else {"name": "Council"}
    if settings:
        document["name"] = settings.name
    for key, model in (
        ("committees", models.Committee),
        ("directorates", models.Directorate),
        ("ambitions", models.Ambition),
    ):
        rows = [
            {"id": code, "name": name} for code, name in model.objects.values_list("code", "name")
        ]
        if rows:
            document[key] = rows
        else:
            document.pop(key, None)
    errors: list[Any] = []
    built = organisation_from_document(document, toml_location, errors)
    if errors:  # the database only holds settings that were checked on the way in
        raise DataFileError(errors)
    return built


def indicator_from_row(
    row: models.Indicator, committees: list[str], ambitions: list[str]
) -> Indicator:
    return Indicator(
        ref=row.ref,
        name=row.name,
        unit=Unit(row.unit),
        direction=Direction(row.direction),
        frequency=Frequency(row.frequency),
        category=Category(row.category),
        committees=tuple(committees),
        directorate=row.directorate.code,
        description=row.description,
        decimals=row.decimals,
        aggregation=Aggregation(row.aggregation),
        cumulative=Cumulative(row.cumulative),
        ambitions=tuple(ambitions),
        national_definition=row.national_definition,
        owner=row.owner,
        tolerance_mode=ToleranceMode(row.tolerance_mode) if row.tolerance_mode else None,
        red_at=row.red_at,
        blue_above=row.blue_above,
        no_blue=row.no_blue,
        minimum=read_bound(row.minimum),
        maximum=read_bound(row.maximum),
        integer=row.integer,
        unit_label=row.unit_label,
        extra=with_strategic(row.extra, strategic=row.strategic),
    )


#: indicators.csv's column for the register's strategic flag, which the engine reads
#: (:attr:`kpiboard.analysis.model.Indicator.strategic`).
STRATEGIC_COLUMN = "x_strategic"


def with_strategic(extra: Any, *, strategic: bool) -> dict[str, str]:
    """An indicator's ``x_`` columns with ``x_strategic`` as the register holds it: ``true``
    for a strategic KPI, absent otherwise (an empty cell in indicators.csv)."""
    columns = {key: value for key, value in dict(extra).items() if key != STRATEGIC_COLUMN}
    if strategic:
        columns[STRATEGIC_COLUMN] = "true"
    return columns


def build_dataset(
    *,
    period: Period | None = None,
    lifecycle: Iterable[str] = EVALUATED,
    with_register_columns: bool = False,
    refs: Iterable[str] | None = None,
    org: Organisation | None = None,
) -> Dataset:
    """Every indicator in ``lifecycle`` (or only those of ``refs``) with its approved figures.

    With ``period``, an indicator retired or suspended before that period is left out, as it would
    have been from that period's report. ``with_register_columns`` adds the lifecycle as ``x_``
    columns, for an export. An indicator's page asks for its one ref, so it costs the same in a
    register of 20 indicators as of 1,000.
    """
    org = org or organisation()
    year_start = org.settings.year_start_month
    label = functools.lru_cache(maxsize=None)(lambda text: parse_period(text, None, year_start))
    chosen = models.Indicator.objects.filter(lifecycle__in=list(lifecycle))
    if refs is not None:
        chosen = chosen.filter(ref__in=list(refs))
    rows = list(chosen.select_related("directorate", "decided_by").order_by("position", "ref"))
    if period is not None:
        rows = [
            row for row in rows if not row.ended_from or label(row.ended_from).start > period.start
        ]
    ids = {row.pk: row for row in rows}
    committees = _links(models.Indicator.committees.through, "committee", ids)
    ambitions = _links(models.Indicator.ambitions.through, "ambition", ids)
    indicators = []
    for row in rows:
        indicator = indicator_from_row(row, committees.get(row.pk, []), ambitions.get(row.pk, []))
        if with_register_columns:
            extra = dict(indicator.extra)
            extra.update(register_columns(row))
            indicator = _with_extra(indicator, extra)
        indicators.append(indicator)
    ref = {pk: row.ref for pk, row in ids.items()}
    targets = [
        Target(ref[pk], label(start), value)  # type: ignore[arg-type]  # required column
        for pk, start, value in models.Target.objects.filter(indicator__in=ids).values_list(
            "indicator_id", "start", "value"
        )
    ]
    observations = []
    commentary = []
    returns = Return.objects.filter(indicator__in=ids, state=ReturnState.APPROVED).values_list(
        "indicator_id",
        "period",
        "value",
        "numerator",
        "denominator",
        "lower_ci",
        "upper_ci",
        "rebase",
        "note",
        "commentary",
        "author",
    )
    percent = {pk for pk, row in ids.items() if row.unit == Unit.PERCENT}
    for pk, text, value, num, den, lower, upper, rebase, note, words, author in returns:
        # Text as a data file holds it (every cell is read stripped, an empty one as missing),
        # so that an export imports back as no change whatever spacing the database kept.
        note, words, author = (note or "").strip(), (words or "").strip(), (author or "").strip()
        numerator, denominator = num, den
        given = value is not None
        if given or (numerator is not None and denominator):
            observations.append(
                Observation(
                    ref[pk],
                    label(text),
                    value
                    if value is not None
                    else computed_value(numerator, denominator, percent=pk in percent),
                    numerator,
                    denominator,
                    lower,
                    upper,
                    rebase,
                    note,
                    given,
                )
            )
        if words:
            commentary.append(Commentary(ref[pk], label(text), words, author))
    neighbours = [
        NeighbourValue(ref[pk], label(text), code, name, value, lo, up)
        for pk, text, code, name, value, lo, up in models.NeighbourValue.objects.filter(
            indicator__in=ids
        )
        .order_by("indicator_id", "period_start", "position")
        .values_list(
            "indicator_id", "period", "area_code", "area_name", "value", "lower_ci", "upper_ci"
        )
    ]
    built = Dataset.build(
        org,
        indicators,
        targets,
        observations,
        neighbours,
        commentary,
        actions=_actions(ref, label),
        breakdowns=_breakdowns(ref, label, percent),
    )
    built = replace(built, narratives=stored_narratives(org))
    if refs is None:  # the whole register: a report pack's appendix, or an export
        rounds, proposals, comments = stored_proposals(year_start)
        built = replace(built, rounds=rounds, proposals=proposals, proposal_comments=comments)
    return built


def _actions(ref: dict[int, str], label: Any) -> list[RemedialAction]:
    """The remedial actions of the indicators ``ref`` names (actions.csv's rows)."""
    rows = models.RemedialAction.objects.filter(indicator__in=ref).order_by("due", "pk")
    found = []
    for pk, period, what, who, due, state in rows.values_list(
        "indicator_id", "period", "what", "who", "due", "state"
    ):
        try:
            raised = label(period)
        except ValueError:  # typed before periods were checked: not in any period's pack
            continue
        # An action's words and who as a file holds them: without spacing at either end.
        found.append(
            RemedialAction(ref[pk], raised, what.strip(), due, who.strip(), ActionState(state))
        )
    return found


def _breakdowns(ref: dict[int, str], label: Any, percent: set[int]) -> list[Breakdown]:
    """The breakdowns of the indicators' approved returns (breakdowns.csv's rows)."""
    rows = ReturnBreakdown.objects.filter(
        return_row__indicator__in=ref, return_row__state=ReturnState.APPROVED
    ).order_by("return_row__period_start", "return_row_id", "position", "pk")
    found = []
    for pk, period, group, value, numerator, denominator, note in rows.values_list(
        "return_row__indicator_id",
        "return_row__period",
        "group",
        "value",
        "numerator",
        "denominator",
        "note",
    ):
        number = (
            value
            if value is not None
            else computed_value(numerator, denominator, percent=pk in percent)
        )
        given = value is not None
        found.append(
            Breakdown(ref[pk], label(period), group, number, numerator, denominator, note, given)
        )
    return found


def computed_value(numerator: Any, denominator: Any, *, percent: bool) -> Decimal:
    """numerator / denominator (x 100 for a percentage), as datafiles computes it."""
    return Decimal(numerator) * (Decimal(100) if percent else Decimal(1)) / Decimal(denominator)


def register_columns(row: models.Indicator) -> dict[str, str]:
    return {
        "x_lifecycle": row.lifecycle,
        "x_decided_by": row.decided_by.code if row.decided_by else "",
        "x_decided_on": row.decided_on.isoformat() if row.decided_on else "",
        "x_decision_note": row.decision_note,
        "x_ended_from": row.ended_from,
    }


def _with_extra(indicator: Indicator, extra: dict[str, str]) -> Indicator:
    return replace(indicator, extra=extra)


def _links(through: Any, field: str, ids: dict[int, Any]) -> dict[int, list[str]]:
    """Each indicator's committee (or ambition) ids, in the order they were given."""
    found: dict[int, list[str]] = {}
    for pk, code in (
        through.objects.filter(indicator_id__in=ids)
        .order_by("pk")  # links are written in the file's order
        .values_list("indicator_id", f"{field}__code")
    ):
        found.setdefault(pk, []).append(code)
    return found
