"""Import and export: a data folder, a .zip of one, or a workbook, into and out of the database.

An import first reads and checks the whole source with :mod:`kpiboard.datafiles` (every error at
once, nothing written), then compares it with the database and lists what would change: new and
changed indicators, targets, figures, commentary and neighbour data. :func:`apply_plan` makes those
changes in one transaction, every change of an audited row recorded by django-simple-history as
made by the person importing. Indicators the source does not mention are kept; an import never
deletes.

Imported figures and commentary arrive approved: the performance team is importing them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db import models as db
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kpiboard.analysis.model import Dataset, Indicator, NeighbourValue, Observation
from kpiboard.datafiles import read_dataset, write_folder, write_workbook
from kpiboard.datafiles.archives import check_zip
from kpiboard.datafiles.bounds import bound_text
from kpiboard.datafiles.organisation import organisation_to_document
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.fields import ExactDecimalField
from kpiboard.web.register import models
from kpiboard.web.register.dataset import ALL_STATES, LIFECYCLE_COLUMNS, build_dataset
from kpiboard.web.register.narratives import NarrativeKey, apply_narratives, plan_narratives
from kpiboard.web.register.transfer_optional import (
    ActionKey,
    BreakdownKey,
    apply_actions,
    apply_breakdowns,
    plan_actions,
    plan_breakdowns,
)

#: A zip may unpack to at most this much: a small zip of zeros must not fill the disk.

Progress = Callable[[str], None]


@dataclass
class Plan:
    """What an import would change. Lists hold (key, description) pairs for people to read."""

    source: str
    dataset: Dataset
    organisation_changed: list[str] = field(default_factory=list)
    new_indicators: list[str] = field(default_factory=list)
    changed_indicators: list[tuple[str, list[str]]] = field(default_factory=list)
    new_targets: list[tuple[str, str, Decimal]] = field(default_factory=list)
    changed_targets: list[tuple[str, str, Decimal, Decimal]] = field(default_factory=list)
    new_figures: list[tuple[str, str]] = field(default_factory=list)
    changed_figures: list[tuple[str, str, list[str]]] = field(default_factory=list)
    new_commentary: list[tuple[str, str]] = field(default_factory=list)
    changed_commentary: list[tuple[str, str]] = field(default_factory=list)
    neighbour_periods: list[tuple[str, str, int]] = field(default_factory=list)
    new_actions: list[ActionKey] = field(default_factory=list)
    changed_actions: list[ActionKey] = field(default_factory=list)
    new_breakdowns: list[BreakdownKey] = field(default_factory=list)
    changed_breakdowns: list[BreakdownKey] = field(default_factory=list)
    new_narratives: list[NarrativeKey] = field(default_factory=list)
    changed_narratives: list[NarrativeKey] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.organisation_changed,
                self.new_indicators,
                self.changed_indicators,
                self.new_targets,
                self.changed_targets,
                self.new_figures,
                self.changed_figures,
                self.new_commentary,
                self.changed_commentary,
                self.neighbour_periods,
                self.new_actions,
                self.changed_actions,
                self.new_breakdowns,
                self.changed_breakdowns,
                self.new_narratives,
                self.changed_narratives,
            )
        )

    def counts(self) -> dict[str, int]:
        return {
            "organisation settings": len(self.organisation_changed),
            "new indicators": len(self.new_indicators),
            "changed indicators": len(self.changed_indicators),
            "new targets": len(self.new_targets),
            "changed targets": len(self.changed_targets),
            "new figures": len(self.new_figures),
            "changed figures": len(self.changed_figures),
            "new commentary": len(self.new_commentary),
            "changed commentary": len(self.changed_commentary),
            "neighbour data (indicator and period)": len(self.neighbour_periods),
            "new actions": len(self.new_actions),
            "changed actions": len(self.changed_actions),
            "new breakdown figures": len(self.new_breakdowns),
            "changed breakdown figures": len(self.changed_breakdowns),
            "new report narratives": len(self.new_narratives),
            "changed report narratives": len(self.changed_narratives),
        }

    def lines(self, limit: int | None = None) -> Iterator[str]:
        """Every change as a line of text (for ``kpiboard import --dry-run``)."""
        parts: list[tuple[str, list[str]]] = [
            ("Organisation", self.organisation_changed),
            ("New indicator", self.new_indicators),
            (
                "Changed indicator",
                [f"{ref}: {', '.join(what)}" for ref, what in self.changed_indicators],
            ),
            ("New target", [f"{r} from {p}: {v}" for r, p, v in self.new_targets]),
            (
                "Changed target",
                [f"{r} from {p}: {o} -> {n}" for r, p, o, n in self.changed_targets],
            ),
            ("New figure", [f"{r} {p}" for r, p in self.new_figures]),
            ("Changed figure", [f"{r} {p}: {', '.join(w)}" for r, p, w in self.changed_figures]),
            ("New commentary", [f"{r} {p}" for r, p in self.new_commentary]),
            ("Changed commentary", [f"{r} {p}" for r, p in self.changed_commentary]),
            ("Neighbour data", [f"{r} {p}: {n} areas" for r, p, n in self.neighbour_periods]),
            ("New action", [f"{r} {p}: {_short(a)}" for r, p, a in self.new_actions]),
            ("Changed action", [f"{r} {p}: {_short(a)}" for r, p, a in self.changed_actions]),
            ("New breakdown figure", [f"{r} {p} {g}" for r, p, g in self.new_breakdowns]),
            ("Changed breakdown figure", [f"{r} {p} {g}" for r, p, g in self.changed_breakdowns]),
            ("New report narrative", [f"{s} {p}" for s, p in self.new_narratives]),
            ("Changed report narrative", [f"{s} {p}" for s, p in self.changed_narratives]),
        ]
        for title, items in parts:
            for item in items[:limit] if limit else items:
                yield f"{title}: {item}"

    def fingerprint(self) -> str:
        """Changes of the database since the preview change the plan, and so this."""
        text = json.dumps(self.counts(), sort_keys=True) + "\n".join(self.lines())
        return hashlib.sha256(text.encode()).hexdigest()


# -- reading a source ----------------------------------------------------------------------------


@contextmanager
def opened(path: Path, name: str | None = None) -> Iterator[Path]:
    """A folder or workbook as it is; a .zip unpacked into a temporary folder once its directory
    shows nothing to refuse (datafiles.archives: paths that leave the folder, links, too many
    entries, an entry or the whole too large)."""
    shown = name or path.name
    if path.is_dir() or path.suffix.lower() == ".xlsx" or not zipfile.is_zipfile(path):
        yield path
        return
    members = check_zip(path, shown)
    folder = Path(tempfile.mkdtemp(prefix="kpiboard-import-"))
    try:
        with zipfile.ZipFile(path) as archive:
            for member in members:
                if member.is_dir():
                    continue
                target = folder / PurePosixPath(member.filename)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
        yield _data_root(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _data_root(folder: Path) -> Path:
    """The folder holding organisation.toml: the zip's top, or its one folder."""
    if (folder / "organisation.toml").exists():
        return folder
    inner = [child for child in folder.iterdir() if child.is_dir() and child.name != "__MACOSX"]
    if len(inner) == 1 and (inner[0] / "organisation.toml").exists():
        return inner[0]
    return folder


def read_source(path: Path, name: str | None = None) -> Dataset:
    with opened(path, name) as source:
        return read_dataset(source)


# -- planning ------------------------------------------------------------------------------------


def plan_import(dataset: Dataset, source: str) -> Plan:
    """Compare ``dataset`` with the database: what applying it would change."""
    plan = Plan(source=source, dataset=dataset)
    current = build_dataset(lifecycle=ALL_STATES, with_register_columns=True)
    org_now, org_new = (
        organisation_to_document(current.organisation),
        organisation_to_document(dataset.organisation),
    )
    if models.OrganisationSettings.objects.exists() or models.Committee.objects.exists():
        plan.organisation_changed = sorted(
            key for key in set(org_now) | set(org_new) if org_now.get(key) != org_new.get(key)
        )
    else:
        plan.organisation_changed = ["(new organisation)"]
    existing = {indicator.ref: indicator for indicator in current.indicators}
    for indicator in dataset.indicators:
        before = existing.get(indicator.ref)
        if before is None:
            plan.new_indicators.append(indicator.ref)
            continue
        changed = _changed_fields(_keep_lifecycle(indicator, before), before)
        if changed:
            plan.changed_indicators.append((indicator.ref, changed))
    for ref, targets in dataset.targets.items():
        now = {target.start: target.value for target in current.targets.get(ref, ())}
        for target in targets:
            if target.start not in now:
                plan.new_targets.append((ref, str(target.start), target.value))
            elif now[target.start] != target.value:
                plan.changed_targets.append(
                    (ref, str(target.start), now[target.start], target.value)
                )
    states = _return_states()
    for ref, observations in dataset.observations.items():
        now_obs = {o.period: o for o in current.observations.get(ref, ())}
        for observation in observations:
            before_obs = now_obs.get(observation.period)
            if before_obs is None:
                pending = states.get((ref, str(observation.period)))
                if pending is None:
                    plan.new_figures.append((ref, str(observation.period)))
                else:
                    plan.changed_figures.append(
                        (ref, str(observation.period), [f"replaces a {pending} return"])
                    )
            else:
                what = _changed_fields(observation, before_obs)
                if what:
                    plan.changed_figures.append((ref, str(observation.period), what))
    for ref, notes in dataset.commentary.items():
        now_text = {c.period: (c.text, c.author) for c in current.commentary.get(ref, ())}
        for note in notes:
            if note.period not in now_text:
                plan.new_commentary.append((ref, str(note.period)))
            elif now_text[note.period] != (note.text, note.author):
                old_text, old_author = now_text[note.period]
                said = []
                if old_text != note.text:
                    if old_text.split() == note.text.split():
                        said.append("the same words, their spacing or line breaks changed")
                    else:
                        said.append(f'"{_short(old_text)}" -> "{_short(note.text)}"')
                if old_author != note.author:
                    said.append(f"author {_shown(old_author)} -> {_shown(note.author)}")
                plan.changed_commentary.append((ref, f"{note.period}: {'; '.join(said)}"))
    for ref, by_period in dataset.neighbours.items():
        now_rows = current.neighbours.get(ref, {})
        for period in by_period:
            rows = by_period[period]
            if _neighbour_key(rows) != _neighbour_key(
                now_rows.get(period, ()) if period in now_rows else ()
            ):
                plan.neighbour_periods.append((ref, str(period), len(rows)))
    plan.new_actions, plan.changed_actions = plan_actions(dataset, current)
    plan.new_breakdowns, plan.changed_breakdowns = plan_breakdowns(dataset, current)
    plan.new_narratives, plan.changed_narratives = plan_narratives(dataset, current)
    return plan


def _short(text: str) -> str:
    """An action's words on one line, cut to 60 characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _keep_lifecycle(indicator: Indicator, before: Indicator) -> Indicator:
    """A source without the lifecycle columns leaves an indicator's lifecycle as it is."""
    extra = dict(indicator.extra)
    for column in LIFECYCLE_COLUMNS:
        if column not in extra and column in before.extra:
            extra[column] = before.extra[column]
    return replace(indicator, extra=extra)


def _changed_fields(new: Any, old: Any) -> list[str]:
    """Each field that differs between two records (dataclasses, or named tuples), with its
    old and new value: "value 8.71 -> 8.9"."""
    names = new._fields if hasattr(new, "_fields") else [f.name for f in fields(new)]
    return [
        f"{name.replace('_', ' ')} {_shown(getattr(old, name))} -> {_shown(getattr(new, name))}"
        for name in names
        if getattr(new, name) != getattr(old, name)
    ]


def _shown(value: Any) -> str:
    """A value in a line of the plan: numbers as written, text quoted and cut short, none."""
    if value is None or value == "":
        return "none"
    if isinstance(value, Decimal):  # a computed value to three decimals, as a reader needs it
        exact = value.normalize()
        if exact.as_tuple().exponent < -3:  # type: ignore[operator]
            exact = value.quantize(Decimal("0.001"))
        return f"{exact:f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f'"{_short(value)}"'
    if isinstance(value, tuple | list):
        return "(" + ", ".join(map(str, value)) + ")"
    return str(value)


def _neighbour_key(rows: Sequence[NeighbourValue]) -> list[tuple[Any, ...]]:
    return sorted((r.area_code, r.area_name, r.value, r.lower_ci, r.upper_ci) for r in rows)


def _return_states() -> dict[tuple[str, str], str]:
    return {
        (ref, period): state
        for ref, period, state in Return.objects.exclude(state=ReturnState.APPROVED).values_list(
            "indicator__ref", "period", "state"
        )
    }


# -- applying ------------------------------------------------------------------------------------


def apply_plan(plan: Plan, user: Any, progress: Progress | None = None) -> models.ImportRun:
    """Make the plan's changes, all or none (one transaction), audited as made by ``user``."""
    say = progress or (lambda _text: None)
    dataset = plan.dataset
    with transaction.atomic():
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
        models.DataVersion.bump()  # bulk writes send no signals
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
    for ref, periods in by_ref.items():
        models.NeighbourValue.objects.filter(indicator=rows[ref], period__in=periods).delete()
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


# -- export --------------------------------------------------------------------------------------


def export(path: Path, *, workbook: bool = False) -> Dataset:
    """Write the whole register with its approved figures as a data folder (or workbook)."""
    dataset = build_dataset(lifecycle=ALL_STATES, with_register_columns=True)
    if workbook:
        write_workbook(dataset, path)
    else:
        write_folder(dataset, path)
    return dataset
