"""Applying an import's plan to the database: all or nothing, every change audited.

:func:`apply_plan` makes the changes :func:`kpiboard.web.register.transfer.plan_import` listed,
in one transaction, every change of an audited row recorded by django-simple-history as made by
the person importing; figures are written in bulk (with their history rows) rather than one
save at a time. Imported figures and commentary arrive approved: the performance team is
importing them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db import models as db
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kpiboard.analysis.model import Dataset, Indicator, Observation
from kpiboard.datafiles.bounds import bound_text
from kpiboard.datafiles.organisation import organisation_to_document
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.fields import ExactDecimalField
from kpiboard.web.register import models
from kpiboard.web.register.dataset import LIFECYCLE_COLUMNS, STRATEGIC_COLUMN
from kpiboard.web.register.narratives import apply_narratives
from kpiboard.web.register.proposal_data import apply_proposals
from kpiboard.web.register.signals import one_bump
from kpiboard.web.register.transfer import Plan
from kpiboard.web.register.transfer_optional import (
    apply_actions,
    apply_breakdowns,
)

Progress = Callable[[str], None]

# -- applying ------------------------------------------------------------------------------------


def apply_plan(plan: Plan, user: Any, progress: Progress | None = None) -> models.ImportRun:
    """Make the plan's changes, all or none (one transaction), audited as made by ``user``."""
    say = progress or (lambda _text: None)
    dataset = plan.dataset
    with transaction.atomic(), one_bump():
        _apply_organisation(dataset, user)
        say("organisation applied")
        rows = _apply_indicators(dataset, user)
        say(f"{len(rows)} indicators applied")
        _apply_targets(dataset, rows, user)
        say("targets applied")
        _apply_returns(dataset, rows, user, say)
        _apply_neighbours(dataset, rows, plan, say)
        apply_actions(dataset, rows, user)
        apply_breakdowns(dataset, rows, user)
        apply_narratives(dataset, user)
        say("actions, breakdowns and report narratives applied")
        apply_proposals(dataset, user)
        say(f"{len(dataset.proposals)} strategic indicator proposals applied")
        run = models.ImportRun.objects.create(
            user=user if getattr(user, "pk", None) else None,
            source=plan.source,
            summary=plan.counts(),
        )
    say("import complete")
    return run


def _apply_organisation(dataset: Dataset, user: Any) -> None:
    organisation = dataset.organisation
    document = _plain(organisation_to_document(organisation))
    for key in ("committees", "directorates", "ambitions", "name"):
        document.pop(key, None)
    settings = models.OrganisationSettings.objects.first() or models.OrganisationSettings()
    if settings.pk is None or settings.name != organisation.name or settings.document != document:
        settings.name, settings.document = organisation.name, document
        settings._history_user = user  # type: ignore[attr-defined]
        settings.save()
    lists: tuple[tuple[Any, Sequence[Any]], ...] = (
        (models.Committee, organisation.committees),
        (models.Directorate, organisation.directorates),
        (models.Ambition, organisation.ambitions),
    )
    for model, entries in lists:
        for position, entry in enumerate(entries):
            model.objects.update_or_create(
                code=entry.id, defaults={"name": entry.name, "position": position}
            )


def _plain(value: Any) -> Any:
    """The TOML document as JSON: decimals as text, which the organisation reader accepts."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


_INDICATOR_FIELDS = (
    "name",
    "description",
    "unit",
    "decimals",
    "direction",
    "frequency",
    "aggregation",
    "cumulative",
    "category",
    "national_definition",
    "strategic",
    "owner",
    "tolerance_mode",
    "red_at",
    "blue_above",
    "no_blue",
    "minimum",
    "maximum",
    "integer",
    "unit_label",
    "extra",
    "position",
    "lifecycle",
    "decided_by",
    "decided_on",
    "decision_note",
    "ended_from",
    "directorate",
)


def _apply_indicators(dataset: Dataset, user: Any) -> dict[str, models.Indicator]:
    directorates = {d.code: d for d in models.Directorate.objects.all()}
    committees = {c.code: c for c in models.Committee.objects.all()}
    ambitions = {a.code: a for a in models.Ambition.objects.all()}
    existing = {row.ref: row for row in models.Indicator.objects.all()}
    new_rows: list[models.Indicator] = []
    changed_rows: list[models.Indicator] = []
    for position, indicator in enumerate(dataset.indicators):
        row = existing.get(indicator.ref) or models.Indicator(ref=indicator.ref)
        before = [getattr(row, name) for name in _INDICATOR_FIELDS] if row.pk else None
        _fill_indicator(row, indicator, position, directorates, committees)
        if row.pk is None:
            new_rows.append(row)
        elif before != [getattr(row, name) for name in _INDICATOR_FIELDS]:
            row.version += 1
            changed_rows.append(row)
    if new_rows:
        bulk_create_with_history(new_rows, models.Indicator, batch_size=500, default_user=user)
    if changed_rows:
        bulk_update_with_history(
            changed_rows,
            models.Indicator,
            [*_INDICATOR_FIELDS, "version"],
            batch_size=500,
            default_user=user,
        )
    rows = {
        row.ref: row
        for row in models.Indicator.objects.filter(ref__in=[i.ref for i in dataset.indicators])
    }
    for through, field_name, wanted, known in (
        (models.Indicator.committees.through, "committee", "committees", committees),
        (models.Indicator.ambitions.through, "ambition", "ambitions", ambitions),
    ):
        now: dict[int, list[int]] = {}
        for pk, other in (
            through.objects.filter(indicator_id__in=[r.pk for r in rows.values()])
            .order_by("pk")
            .values_list("indicator_id", f"{field_name}_id")
        ):
            now.setdefault(pk, []).append(other)
        links: list[Any] = []
        stale: list[int] = []
        for indicator in dataset.indicators:
            row = rows[indicator.ref]
            want = [known[code].pk for code in getattr(indicator, wanted)]
            have = now.get(row.pk, [])
            if want != have:
                stale.append(row.pk)
                links.extend(
                    through(indicator_id=row.pk, **{f"{field_name}_id": pk}) for pk in want
                )
        if stale:
            through.objects.filter(indicator_id__in=stale).delete()
            through.objects.bulk_create(links, batch_size=1000)
    return rows


def _fill_indicator(
    row: models.Indicator,
    indicator: Indicator,
    position: int,
    directorates: dict[str, models.Directorate],
    committees: dict[str, models.Committee],
) -> None:
    extra = dict(indicator.extra)
    lifecycle = {column: extra.pop(column, None) for column in LIFECYCLE_COLUMNS}
    # The file says whether it is strategic, as `kpiboard evaluate` reads it: an empty cell or
    # no column is not strategic. The flag is kept in its own field, not among the x_ columns.
    extra.pop(STRATEGIC_COLUMN, None)
    row.strategic = indicator.strategic
    row.name = indicator.name
    row.description = indicator.description
    row.unit = indicator.unit.value
    row.decimals = indicator.decimals
    row.direction = indicator.direction.value
    row.frequency = indicator.frequency.value
    row.aggregation = indicator.aggregation.value
    row.cumulative = indicator.cumulative.value
    row.category = indicator.category.value
    row.national_definition = indicator.national_definition
    row.owner = indicator.owner
    row.tolerance_mode = indicator.tolerance_mode.value if indicator.tolerance_mode else ""
    row.red_at = indicator.red_at
    row.blue_above = indicator.blue_above
    row.no_blue = indicator.no_blue
    row.minimum = bound_text(indicator.minimum)
    row.maximum = bound_text(indicator.maximum)
    row.integer = indicator.integer
    row.unit_label = indicator.unit_label
    row.extra = extra
    row.position = position
    row.directorate = directorates[indicator.directorate]
    if lifecycle["x_lifecycle"]:
        row.lifecycle = lifecycle["x_lifecycle"]
    elif row.pk is None:
        row.lifecycle = models.Lifecycle.ACTIVE
    if lifecycle["x_decided_by"] is not None:
        row.decided_by = (
            committees.get(lifecycle["x_decided_by"]) if lifecycle["x_decided_by"] else None
        )
    if lifecycle["x_decided_on"] is not None:
        row.decided_on = (
            date.fromisoformat(lifecycle["x_decided_on"]) if lifecycle["x_decided_on"] else None
        )
    if lifecycle["x_decision_note"] is not None:
        row.decision_note = lifecycle["x_decision_note"]
    if lifecycle["x_ended_from"] is not None:
        row.ended_from = lifecycle["x_ended_from"]


def _apply_targets(dataset: Dataset, rows: dict[str, models.Indicator], user: Any) -> None:
    existing = {
        (t.indicator_id, t.start): t
        for t in models.Target.objects.filter(indicator__in=rows.values())
    }
    new, changed = [], []
    for ref, targets in dataset.targets.items():
        row = rows[ref]
        for target in targets:
            found = existing.get((row.pk, str(target.start)))
            if found is None:
                new.append(
                    models.Target(
                        indicator=row,
                        start=str(target.start),
                        period_start=target.start.start,
                        value=target.value,
                    )
                )
            elif found.value != target.value:
                found.value = target.value
                found.version += 1
                changed.append(found)
    if new:
        bulk_create_with_history(new, models.Target, batch_size=1000, default_user=user)
    if changed:
        bulk_update_with_history(
            changed, models.Target, ["value", "version"], batch_size=1000, default_user=user
        )


_FIGURE_FIELDS = (
    "value",
    "numerator",
    "denominator",
    "lower_ci",
    "upper_ci",
    "rebase",
    "note",
    "commentary",
    "author",
    "state",
    "reviewed_at",
    "reviewed_by",
    "period_start",
)


def _apply_returns(
    dataset: Dataset, rows: dict[str, models.Indicator], user: Any, say: Progress
) -> None:
    existing = {
        (r.indicator_id, r.period): r for r in Return.objects.filter(indicator__in=rows.values())
    }
    now = timezone.now()
    reviewer = user if getattr(user, "pk", None) else None
    # A new return is a namespace of its columns until written: 121,000 model instances would
    # take 1.4 s to make and more to save (see _insert).
    blank = {f.attname: f.get_default() for f in Return._meta.concrete_fields}
    new: dict[tuple[int, str], Any] = {}
    changed: dict[tuple[int, str], Return] = {}

    def slot(ref: str, period: Any) -> tuple[Any, bool]:
        row = rows[ref]
        key = (row.pk, str(period))
        if key in new:
            return new[key], False
        if key in changed:
            return changed[key], False
        found = existing.get(key)
        if found is None:
            made = SimpleNamespace(**blank, pk=None)
            made.indicator_id, made.period, made.period_start = row.pk, key[1], period.start
            new[key] = made
            return made, True
        return found, False

    for ref, observations in dataset.observations.items():
        for observation in observations:
            item, _ = slot(ref, observation.period)
            if _set_figure(item, observation):
                _approve(item, now, reviewer)
                _mark(item, new, changed)
    for ref, notes in dataset.commentary.items():
        for note in notes:
            item, _ = slot(ref, note.period)
            if (item.commentary, item.author) != (note.text, note.author) or item.pk is None:
                item.commentary, item.author = note.text, note.author
                _approve(item, now, reviewer)
                _mark(item, new, changed)
    created = list(new.values())
    for start in range(0, len(created), 20000):
        _create_returns(created[start : start + 20000], user, now)
        say(f"{min(start + 20000, len(created))} of {len(created)} new returns applied")
    if changed:
        for item in changed.values():
            item.version += 1
        bulk_update_with_history(
            list(changed.values()),
            Return,
            [*_FIGURE_FIELDS, "version"],
            batch_size=1000,
            default_user=user,
        )
        say(f"{len(changed)} changed returns applied")


def _create_returns(items: Sequence[Any], user: Any, now: Any) -> None:
    """Write new returns (namespaces of their columns) with their history, as
    ``bulk_create_with_history`` would: one row each in the history, type ``+``, by ``user``."""
    columns = [f.attname for f in Return._meta.concrete_fields if not f.primary_key]
    _insert(Return, columns, [tuple(getattr(item, name) for name in columns) for item in items])
    ids = {
        (indicator, period): pk
        for indicator, period, pk in Return.objects.filter(
            indicator_id__in={item.indicator_id for item in items}
        ).values_list("indicator_id", "period", "pk")
    }
    for item in items:
        item.id = item.pk = ids[(item.indicator_id, item.period)]
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history: Any = Return.history.model
    tracked = [f.attname for f in history.tracked_fields]
    who = getattr(user or history.get_default_history_user(None), "pk", None)
    _insert(
        history,
        [*tracked, "history_date", "history_user_id", "history_type", "history_change_reason"],
        [(*(getattr(item, name) for name in tracked), now, who, "+", None) for item in items],
    )


def _mark(item: Any, new: dict[Any, Any], changed: dict[Any, Return]) -> None:
    if item.pk is not None:
        changed[(item.indicator_id, item.period)] = item


def _set_figure(item: Any, observation: Observation) -> bool:
    values = (
        observation.value if observation.value_given else None,
        observation.numerator,
        observation.denominator,
        observation.lower_ci,
        observation.upper_ci,
        observation.rebase,
        observation.note,
    )
    names = ("value", "numerator", "denominator", "lower_ci", "upper_ci", "rebase", "note")
    if (
        item.pk is not None
        and item.state == ReturnState.APPROVED
        and all(getattr(item, name) == value for name, value in zip(names, values, strict=True))
    ):
        return False
    for name, value in zip(names, values, strict=True):
        setattr(item, name, value)
    return True


def _approve(item: Any, now: Any, reviewer: Any) -> None:
    item.state = ReturnState.APPROVED
    item.reason = ""
    item.reviewed_at = now
    item.reviewed_by_id = reviewer.pk if reviewer is not None else None


def _apply_neighbours(
    dataset: Dataset, rows: dict[str, models.Indicator], plan: Plan, say: Progress
) -> None:
    if not plan.neighbour_periods:
        return
    wanted = {(ref, period) for ref, period, _ in plan.neighbour_periods}
    by_ref: dict[str, list[str]] = {}
    for ref, label in wanted:
        by_ref.setdefault(ref, []).append(label)
    # The refs replacing the same periods (a national reload: all of them) go in one DELETE, and
    # no row is fetched: QuerySet.delete() fetches every row to send it a post_delete signal, and
    # each signal bumped the data version (120,037 bumps and 292 s for 120,000 values). The rows
    # have no history and nothing refers to them; apply_plan bumps the version once.
    by_periods: dict[frozenset[str], list[int]] = {}
    for ref, periods in by_ref.items():
        by_periods.setdefault(frozenset(periods), []).append(rows[ref].pk)
    for labels, indicator_ids in by_periods.items():
        stale = models.NeighbourValue.objects.filter(
            indicator_id__in=indicator_ids, period__in=sorted(labels)
        )
        stale._raw_delete(stale.db)
    batch: list[tuple[Any, ...]] = []
    written = 0
    for ref, by_period in dataset.neighbours.items():
        indicator_id = rows[ref].pk
        for period in by_period:
            label = str(period)
            if (ref, label) not in wanted:
                continue
            for position, value in enumerate(by_period[period]):
                batch.append(
                    (
                        indicator_id,
                        label,
                        period.start,
                        value.area_code,
                        value.area_name,
                        value.value,
                        value.lower_ci,
                        value.upper_ci,
                        position,
                    )
                )
            if len(batch) >= 20000:
                _insert(models.NeighbourValue, _NEIGHBOUR_COLUMNS, batch)
                written += len(batch)
                say(f"{written} neighbour values applied")
                batch = []
    _insert(models.NeighbourValue, _NEIGHBOUR_COLUMNS, batch)
    say(f"{written + len(batch)} neighbour values applied")


_NEIGHBOUR_COLUMNS = (
    "indicator_id",
    "period",
    "period_start",
    "area_code",
    "area_name",
    "value",
    "lower_ci",
    "upper_ci",
    "position",
)


# -- writing rows in bulk ------------------------------------------------------------------------


def _insert(model: type[db.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` into the table of ``model``: in each, the values of ``columns`` (attribute
    names such as ``indicator_id``) as the model holds them. Other columns take their field's
    default; an automatic primary key is left to the database.

    The values are converted as Django converts them to save a model, but without a model instance
    a row: making and compiling instances for ``bulk_create`` costs about 40 µs a row, 45 s of
    the import of a 1,000-indicator organisation with ten years of figures and neighbour data
    (121,000 returns, as many history rows and 600,000 neighbour values). PostgreSQL takes the
    rows by ``COPY``, other databases by ``executemany``.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    named: list[Any] = [meta.get_field(column) for column in columns]
    rest: list[Any] = [
        f
        for f in meta.concrete_fields
        if f.attname not in columns and not isinstance(f, db.AutoField | db.BigAutoField)
    ]
    fixed = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    prepare = [
        (index, converter)
        for index, f in enumerate(named)
        if (converter := _converter(f, connection)) is not None
    ]

    def converted(row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for index, convert in prepare:
            values[index] = convert(values[index])
        values.extend(fixed)
        return tuple(values)

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(f.column) for f in (*named, *rest))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(converted(row))
        else:
            marks = ", ".join(["%s"] * (len(named) + len(rest)))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", [converted(r) for r in rows]
            )


#: Fields whose values go to the database as the model holds them (text, whole numbers, true or
#: false, the key of another row): Django's conversion would leave them as they are.
_AS_HELD = (db.CharField, db.TextField, db.IntegerField, db.BooleanField, db.ForeignKey)


def _converter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    """How a value of ``field`` becomes a database value, or None where it stays as it is."""
    if isinstance(field, ExactDecimalField):
        return _decimal_text
    if isinstance(field, _AS_HELD) and not field.choices:
        return None
    made: dict[Any, Any] = {}  # a column of few values (a state, the time of the import)

    def convert(value: Any) -> Any:
        try:
            return made[value]
        except KeyError:
            made[value] = field.get_db_prep_save(value, connection)
            return made[value]
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, connection)

    return convert


def _decimal_text(value: Any) -> str | None:
    """As :class:`ExactDecimalField` stores a number: its canonical text."""
    if value is None:
        return None
    if type(value) is Decimal:
        return str(value)
    return ExactDecimalField().get_prep_value(value)
