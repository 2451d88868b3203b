"""Report runs and publication: every write of the reporting app.

The flow: :func:`run_create` (front matter prefilled from organisation.toml's ``[report]``
tables) -> :func:`run_front_matter_save` -> ``tasks.run_enqueue`` (a django-tasks task that calls
:func:`run_generate`) -> :func:`run_publish` (freezes the files, the evaluation JSON and the
figures behind it) -> perhaps :func:`publication_withdraw` and :func:`publication_replace`.

Revisions of published figures are :mod:`kpiboard.web.reporting.revisions`'s; a pack's
generation records any first (figures corrected by an import since the last look).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from kpiboard.analysis.evaluate import Evaluation, UnknownCommitteeError
from kpiboard.analysis.model import Dataset, Narrative
from kpiboard.analysis.periods import Period, PeriodError, parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.reports import pack
from kpiboard.reports.model import Action
from kpiboard.reports.proposals import proposal_appendix
from kpiboard.reports.scratch import scratch_folder
from kpiboard.web.evaluation import evaluate_with_dataset, evaluation_json
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.models import DataVersion, RemedialAction
from kpiboard.web.register.narratives import stored_narratives
from kpiboard.web.reporting import selectors
from kpiboard.web.reporting.frontmatter import (
    FRONT_MATTER_KEYS,
    Scope,
    ScopeError,
    default_front_matter,
    evaluation_with_front_matter,
    parse_scope,
    with_revision_note,
)
from kpiboard.web.reporting.models import (
    Publication,
    PublishedFigure,
    PublishedFile,
    ReportFile,
    ReportRun,
    RunState,
)
from kpiboard.web.reporting.progress import write_pack_telling
from kpiboard.web.reporting.revisions import revisions_record, user_or_none

#: Called with the percentage done and what is happening, as generation goes on.
Progress = Callable[[int, str], None]

EDITABLE = (RunState.DRAFT, RunState.GENERATED, RunState.FAILED)


class ReportingError(Exception):
    """Something the performance team can act on, in words they use."""


# -- runs ----------------------------------------------------------------------------------------


def _scope_and_period(scope_text: str, period_text: str) -> tuple[Scope, Period, Any]:
    org = organisation()
    try:
        scope = parse_scope(scope_text, org)
    except ScopeError as error:
        raise ReportingError(str(error)) from None
    try:
        period = parse_period(period_text.strip(), None, org.settings.year_start_month)
    except PeriodError as error:
        raise ReportingError(
            f"{period_text!r} is not a reporting period: enter one such as 2024/25 Q2 ({error})"
        ) from None
    return scope, period, org


def run_create(
    *,
    scope_text: str,
    period_text: str,
    user: Any,
    front_matter: dict[str, str] | None = None,
    replaces: Publication | None = None,
) -> ReportRun:
    """A new draft run, its front matter prefilled from organisation.toml's ``[report]`` tables
    and the report's narrative (its cover lines for this meeting)."""
    scope, period, org = _scope_and_period(scope_text, period_text)
    narrative = stored_narratives(org).get((scope.report_key, period))
    filled = default_front_matter(org, scope, period, narrative.cover if narrative else None)
    if front_matter:
        filled.update({k: str(v) for k, v in front_matter.items() if k in FRONT_MATTER_KEYS})
    return ReportRun.objects.create(
        scope=scope.key,
        scope_name=scope.name,
        period=period.label,
        period_start=period.start,
        front_matter=filled,
        created_by=user_or_none(user),
        replaces=replaces,
    )


def run_front_matter_save(
    *, run: ReportRun, front_matter: dict[str, str], version: int, user: Any
) -> None:
    """Save the front matter if the run is still at ``version``. A pack already generated is
    discarded: it no longer says what the front matter says."""
    cleaned = {key: str(front_matter.get(key, "")).strip() for key in FRONT_MATTER_KEYS}
    with transaction.atomic():
        updated = ReportRun.objects.filter(pk=run.pk, version=version, state__in=EDITABLE).update(
            front_matter=cleaned,
            version=version + 1,
            state=RunState.DRAFT,
            progress=0,
            progress_text="",
            evaluation=None,
        )
        if updated != 1:
            fresh = ReportRun.objects.get(pk=run.pk)
            if fresh.state not in EDITABLE:
                raise ReportingError(
                    f"The front matter cannot change while the report is "
                    f"{fresh.get_state_display().lower()}."
                )
            raise ReportingError(
                "Someone else changed this report's front matter after you opened it. Your "
                "change has not been saved: look at the current version, then make it again."
            )
        ReportFile.objects.filter(run=run).delete()
    run.refresh_from_db()


def this_process() -> str:
    """This process as a run's ``worker``: the host's name and the process id."""
    return f"{platform.node()}:{os.getpid()}"


def _step(run: ReportRun, percent: int, text: str, progress: Progress | None = None) -> None:
    """Record how far the run's pack has got (its page polls it), and tell ``progress``."""
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING,
        progress=percent,
        progress_text=text,
        worker=this_process(),
        heartbeat_at=timezone.now(),
    )
    if progress is not None:
        progress(percent, text)


def run_generate(
    *,
    run: ReportRun,
    formats: Sequence[str] = pack.FORMATS,
    progress: Progress | None = None,
) -> ReportRun:
    """Evaluate the approved figures and write the pack into the database: the work of the
    background task, and of ``kpiboard publish`` directly.

    The pack is written in two passes of :func:`kpiboard.reports.pack.write_pack` so the page
    can say how far it has got: the HTML (with SVG charts), then PDF, Word and Excel (PNG
    charts). Each pass draws only its own kind of chart, so this costs no more than one pass.
    Within a pass the run records the cards whose charts are drawn and the files written
    (:mod:`kpiboard.web.reporting.progress`), every half second at most.
    """
    run = ReportRun.objects.get(pk=run.pk)
    if run.state == RunState.PUBLISHED:
        raise ReportingError("This report is published: prepare a new report to change it.")
    try:
        _step(run, 5, "Reading the approved figures", progress)
        scope, period, _org = _scope_and_period(run.scope, run.period)
        version = DataVersion.current()
        revisions_record()  # figures corrected by an import since the last look
        try:
            dataset, evaluation = _evaluated(scope, period)
        except UnknownCommitteeError as error:
            raise ReportingError(str(error)) from None
        payload = evaluation_to_json(evaluation)
        note = selectors.revision_note(selectors.revisions_since_last_publication(scope=run.scope))
        front = with_revision_note(run.front_matter, note)
        for_pack = evaluation_with_front_matter(evaluation, scope, front)
        stored: list[ReportFile] = []
        with scratch_folder("kpiboard-pack-") as folder:
            passes = [
                (15, 50, "Drawing the charts and writing the web page", ["html"]),
                (
                    50,
                    95,
                    "Drawing the charts for print and writing the PDF, Word and Excel files",
                    [f for f in formats if f != "html"],
                ),
            ]
            for start, end, text, wanted in passes:
                chosen = [f for f in wanted if f in formats]
                if not chosen:
                    continue
                _step(run, start, text, progress)
                result = write_pack_telling(
                    functools.partial(_step, run, progress=progress),
                    start,
                    end,
                    for_pack,
                    Path(folder),
                    chosen,
                    actions=remedial_actions(evaluation),
                    narrative=report_narrative(scope, period),
                    data_version=f"the register at data version {version}",
                    proposals=proposal_appendix(dataset, evaluation),
                )
                stored.extend(_file(run, name, path) for name, path in result.files.items())
        _step(run, 95, "Storing the files", progress)
        with transaction.atomic():
            ReportFile.objects.filter(run=run).delete()
            ReportFile.objects.bulk_create(sorted(stored, key=lambda f: _order(f.format)))
            ReportRun.objects.filter(pk=run.pk).update(
                state=RunState.GENERATED,
                progress=100,
                progress_text="The pack is ready",
                generated_at=timezone.now(),
                data_version=version,
                evaluation=_plain(payload),
                definitions=definitions(evaluation),
                sources=sources(evaluation),
                revision_note=note,
                error="",
            )
    except Exception as error:
        ReportRun.objects.filter(pk=run.pk).update(
            state=RunState.FAILED,
            progress_text="Generation failed",
            error=f"{type(error).__name__}: {error}",
        )
        raise
    if progress is not None:
        progress(100, "The pack is ready")
    run.refresh_from_db()
    return run


def _order(name: str) -> int:
    return pack.FORMATS.index(name) if name in pack.FORMATS else len(pack.FORMATS)


def _file(run: ReportRun, name: str, path: Path) -> ReportFile:
    data = path.read_bytes()
    return ReportFile(
        run=run,
        format=name,
        name=path.name,
        content=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _plain(payload: Any) -> Any:
    """JSON as it comes back from the database (tuples as lists), so two can be compared."""
    return json.loads(json.dumps(payload))


def definitions(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    """Each indicator's definition as it stood, for the public pages and open data."""
    org = evaluation.organisation
    committees = {c.id: c.name for c in org.committees}
    directorates = {d.id: d.name for d in org.directorates}
    found: dict[str, dict[str, Any]] = {}
    for result in evaluation.indicators:
        indicator = result.indicator
        found[indicator.ref] = {
            "name": indicator.name,
            "description": indicator.description,
            "unit": str(indicator.unit),
            "decimals": indicator.decimals,
            "direction": str(indicator.direction),
            "frequency": str(indicator.frequency),
            "category": str(indicator.category),
            "committees": [committees.get(c, c) for c in indicator.committees],
            "directorate": directorates.get(indicator.directorate, indicator.directorate),
        }
    return found


def sources(evaluation: Evaluation) -> list[list[str]]:
    """[ref, period, value] of the approved figures behind the values the report states: this
    period's, the previous period's and the year-earlier value's."""
    seen: dict[tuple[str, str], str] = {}
    for result in evaluation.indicators:
        for value in (result.value, result.previous_value, result.year_ago_value):
            if value is None:
                continue
            for observation in value.observations:
                seen[(result.ref, observation.period.label)] = str(observation.value)
    return [[ref, period, value] for (ref, period), value in seen.items()]


def remedial_actions(evaluation: Any) -> dict[str, list[Action]]:
    """The remedial actions of the report's indicators raised in or before its period, by ref,
    for the cards; actions that are done or dropped are still listed, with their state."""
    refs = [result.indicator.ref for result in evaluation.indicators]
    year_start = evaluation.organisation.settings.year_start_month
    found: dict[str, list[Action]] = {}
    for item in RemedialAction.objects.filter(indicator__ref__in=refs).select_related("indicator"):
        try:
            raised = parse_period(item.period, None, year_start)
        except ValueError:
            continue
        if raised.start <= evaluation.period.end:
            found.setdefault(item.indicator.ref, []).append(
                Action(item.what, item.who, item.due, item.get_state_display())
            )
    return found


def report_narrative(scope: Scope, period: Period) -> Narrative | None:
    """The officer's narrative of this report, if written (docs/narrative.md), without the
    cover lines the run's own front matter holds: on the web, the front-matter form decides
    them (it is prefilled from the narrative)."""
    narrative = stored_narratives(organisation()).get((scope.report_key, period))
    if narrative is None:
        return None
    cover = {k: v for k, v in narrative.cover.items() if k not in FRONT_MATTER_KEYS}
    return replace(narrative, cover=cover)


def run_preview_html(*, run: ReportRun) -> str:
    """The report's HTML as it would be generated now, from the current approved figures and
    the run's front matter (with the note on revised figures)."""
    scope, period, _org = _scope_and_period(run.scope, run.period)
    dataset, evaluation = _evaluated(scope, period)
    note = selectors.revision_note(selectors.revisions_since_last_publication(scope=run.scope))
    front = with_revision_note(run.front_matter, note)
    with scratch_folder("kpiboard-preview-") as folder:
        result = pack.write_pack(
            evaluation_with_front_matter(evaluation, scope, front),
            Path(folder),
            ["html"],
            actions=remedial_actions(evaluation),
            narrative=report_narrative(scope, period),
            data_version=f"the register at data version {DataVersion.current()}",
            proposals=proposal_appendix(dataset, evaluation),
        )
        return result.files["html"].read_text(encoding="utf-8")


def _evaluated(scope: Scope, period: Period) -> tuple[Dataset, Evaluation]:
    """The approved figures of ``scope`` evaluated, with the Dataset (its proposal rounds)."""
    return evaluate_with_dataset(
        period, scope.committee, scope.directorate, strategic=scope.strategic
    )


# -- publication ---------------------------------------------------------------------------------


def _check_figures_current(run: ReportRun) -> None:
    """Refuse to publish a pack whose figures are no longer the approved ones, or that does not
    note a figure of an earlier report revised since it was generated."""
    note = selectors.revision_note(selectors.revisions_since_last_publication(scope=run.scope))
    if note != run.revision_note:
        raise ReportingError(
            "A figure in an earlier report has been revised since this pack was generated, so "
            "the pack does not say so. Nothing was published: generate the pack again, then "
            "publish."
        )
    if run.data_version is not None and DataVersion.current() == run.data_version:
        return
    scope, period, _org = _scope_and_period(run.scope, run.period)
    now = _plain(
        evaluation_json(period, scope.committee, scope.directorate, strategic=scope.strategic)
    )
    if now != run.evaluation:
        raise ReportingError(
            "The approved figures or commentary have changed since this pack was generated, so "
            "it no longer shows them. Nothing was published: generate the pack again, check it, "
            "then publish."
        )


def ensure_unpublished(run: ReportRun) -> None:
    """ReportingError when the run's scope and period have a current publication: one at a time,
    and a replacement follows a withdrawal (``kpiboard publish`` asks before it spends a pack's
    generation on a refusal)."""
    current = Publication.objects.filter(
        scope=run.scope, period=run.period, withdrawn_at__isnull=True
    ).first()
    if current is not None:
        raise ReportingError(
            f"{run.scope_name}, {run.period} is already published (version {current.number}, "
            f"{timezone.localtime(current.published_at):%d %B %Y}). Withdraw it first, with "
            "a reason, to publish a replacement."
        )


def run_publish(*, run: ReportRun, user: Any) -> Publication:
    """Freeze the generated pack as a publication: its files, evaluation JSON, definitions and
    the figures it was computed from. One current publication per scope and period."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if run.state != RunState.GENERATED:
            raise ReportingError(
                f"Only a generated pack can be published: this report is "
                f"{run.get_state_display().lower()}."
            )
        ensure_unpublished(run)
        _check_figures_current(run)
        previous = (
            Publication.objects.filter(scope=run.scope, period=run.period)
            .order_by("-number")
            .first()
        )
        publication = Publication.objects.create(
            run=run,
            scope=run.scope,
            scope_name=run.scope_name,
            period=run.period,
            period_start=run.period_start,
            title=f"{run.scope_name}: performance report, {run.period}",
            number=previous.number + 1 if previous else 1,
            published_at=timezone.now(),
            published_by=user_or_none(user),
            front_matter=run.front_matter,
            evaluation=run.evaluation,
            definitions=run.definitions,
            revision_note=run.revision_note,
            replaces=previous,
        )
        for item in run.files.order_by("pk"):
            data = bytes(item.content)
            PublishedFile.objects.create(
                publication=publication,
                format=item.format,
                name=item.name,
                content=data,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        PublishedFigure.objects.bulk_create(
            [
                PublishedFigure(publication=publication, ref=ref, period=period, value=value)
                for ref, period, value in run.sources
            ],
            batch_size=1000,
        )
        # The publication holds the files now; the run keeps no second copy.
        ReportFile.objects.filter(run=run).delete()
        ReportRun.objects.filter(pk=run.pk).update(state=RunState.PUBLISHED)
        run.state = RunState.PUBLISHED
    return publication


def publication_withdraw(
    *, publication: Publication, reason: str, user: Any, keep_readable: bool = False
) -> None:
    """Withdraw a publication, with a reason: taken down (its pages and files answer 410 Gone
    with the withdrawal notice) unless ``keep_readable``, when they stay readable with the
    notice. Either way it stays on record for the team, marked withdrawn."""
    reason = reason.strip()
    if not reason:
        raise ReportingError("Say why the report is being withdrawn.")
    updated = Publication.objects.filter(pk=publication.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(),
        withdrawn_by=user_or_none(user),
        withdrawal_reason=reason,
        withdrawn_readable=keep_readable,
    )
    if updated != 1:
        raise ReportingError("This report has already been withdrawn.")
    publication.refresh_from_db()


def publication_take_down(*, publication: Publication) -> None:
    """Take down a publication that was withdrawn but kept readable (found later to hold what
    must not stay public). Its withdrawal's date, reason and author stay as they were."""
    updated = Publication.objects.filter(
        pk=publication.pk, withdrawn_at__isnull=False, withdrawn_readable=True
    ).update(withdrawn_readable=False)
    if updated != 1:
        publication.refresh_from_db()
        if not publication.withdrawn:
            raise ReportingError(
                "Withdraw the report first, with a reason: only a withdrawn report is taken down."
            )
        raise ReportingError("This report has already been taken down.")
    publication.refresh_from_db()


def publication_replace(*, publication: Publication, user: Any) -> ReportRun:
    """A new run for a withdrawn publication's scope and period, with its front matter."""
    if not publication.withdrawn:
        raise ReportingError(
            "Withdraw the report first, with a reason, then prepare its replacement."
        )
    return run_create(
        scope_text=publication.scope,
        period_text=publication.period,
        user=user,
        front_matter=dict(publication.front_matter),
        replaces=publication,
    )
