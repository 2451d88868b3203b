"""Import and export: a data folder, a .zip of one, or a workbook, into and out of the database.

An import first reads and checks the whole source with :mod:`kpiboard.datafiles` (every error at
once, nothing written), then compares it with the database and lists what would change: new and
changed indicators, targets, figures, commentary and neighbour data; :mod:`.apply` makes those
changes in one transaction. Indicators the source does not mention are kept; an import never
deletes.

Imported figures and commentary arrive approved: the performance team is importing them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from kpiboard.analysis.model import Dataset, Indicator, NeighbourValue
from kpiboard.datafiles import read_dataset, write_folder, write_workbook
from kpiboard.datafiles.archives import DAMAGED, check_zip, damaged
from kpiboard.datafiles.organisation import organisation_to_document
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register import models
from kpiboard.web.register.dataset import (
    ALL_STATES,
    LIFECYCLE_COLUMNS,
    build_dataset,
    with_strategic,
)
from kpiboard.web.register.narratives import NarrativeKey, plan_narratives
from kpiboard.web.register.proposal_data import CommentKey, ProposalKey, plan_proposals
from kpiboard.web.register.transfer_optional import (
    ActionKey,
    BreakdownKey,
    plan_actions,
    plan_breakdowns,
)


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
    new_rounds: list[str] = field(default_factory=list)
    changed_rounds: list[str] = field(default_factory=list)
    new_proposals: list[ProposalKey] = field(default_factory=list)
    changed_proposals: list[ProposalKey] = field(default_factory=list)
    new_comments: list[CommentKey] = field(default_factory=list)
    changed_comments: list[CommentKey] = field(default_factory=list)

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
                self.new_rounds,
                self.changed_rounds,
                self.new_proposals,
                self.changed_proposals,
                self.new_comments,
                self.changed_comments,
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
            **self._proposal_counts(),
        }

    def _proposal_counts(self) -> dict[str, int]:
        """Only a source or database with proposal rounds counts them, so an import's record
        and its fingerprint stay as they were for a register without any."""
        counts = {
            "new proposal rounds": len(self.new_rounds),
            "changed proposal rounds": len(self.changed_rounds),
            "new proposals": len(self.new_proposals),
            "changed proposals": len(self.changed_proposals),
            "new proposal comments": len(self.new_comments),
            "changed proposal comments": len(self.changed_comments),
        }
        return counts if any(counts.values()) else {}

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
            ("New proposal round", self.new_rounds),
            ("Changed proposal round", self.changed_rounds),
            ("New proposal", [f"{r} {ref}" for r, ref in self.new_proposals]),
            ("Changed proposal", [f"{r} {ref}" for r, ref in self.changed_proposals]),
            ("New comment", [_comment(key) for key in self.new_comments]),
            ("Changed comment", [_comment(key) for key in self.changed_comments]),
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
                try:
                    with archive.open(member) as source, target.open("wb") as out:
                        shutil.copyfileobj(source, out)
                except DAMAGED as error:
                    raise damaged(shown, member.filename, "a zip archive", error) from error
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
    for name, keys in plan_proposals(dataset, current).items():
        setattr(plan, name, keys)
    return plan


def _comment(key: CommentKey) -> str:
    round_id, ref, committee, meeting, place = key
    return f"{round_id} {ref}: {committee} on {meeting}" + (f" ({place})" if place > 1 else "")


def _short(text: str) -> str:
    """An action's words on one line, cut to 60 characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _keep_lifecycle(indicator: Indicator, before: Indicator) -> Indicator:
    """A source without the lifecycle columns leaves an indicator's lifecycle as it is; its
    ``x_strategic`` is compared as the register will hold it (``yes`` is ``true``)."""
    extra = with_strategic(indicator.extra, strategic=indicator.strategic)
    for column in LIFECYCLE_COLUMNS:
        if column not in extra and column in before.extra:
            extra[column] = before.extra[column]
    return replace(indicator, extra=extra)


def _changed_fields(new: Any, old: Any) -> list[str]:
    """Each field that differs between two records (dataclasses, or named tuples), with its
    old and new value: "value 8.71 -> 8.9"."""
    names = new._fields if hasattr(new, "_fields") else [f.name for f in fields(new)]
    said = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name == "extra":  # each x_ column on its own: "strategic none -> "true""
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key):
                    words = key.removeprefix("x_").replace("_", " ")
                    said.append(f"{words} {_shown(before.get(key))} -> {_shown(after.get(key))}")
            continue
        said.append(f"{name.replace('_', ' ')} {_shown(before)} -> {_shown(after)}")
    return said


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


# -- export --------------------------------------------------------------------------------------


def export(path: Path, *, workbook: bool = False) -> Dataset:
    """Write the whole register with its approved figures as a data folder (or workbook)."""
    dataset = build_dataset(lifecycle=ALL_STATES, with_register_columns=True)
    if workbook:
        write_workbook(dataset, path)
    else:
        write_folder(dataset, path)
    return dataset
