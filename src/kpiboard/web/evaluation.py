"""The engine's figures for web pages: build the Dataset from the database, call evaluate().

Evaluating a whole organisation takes seconds for a thousand indicators, so the JSON of an
evaluation (formats.md's, the same ``kpiboard evaluate`` prints) is kept in the database per
period, scope and data version (:class:`~kpiboard.web.register.models.EvaluationCache`). A page
reads it with two queries however many indicators there are; any change of the data moves the
version on, so a cached evaluation is never stale.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.model import Dataset, Organisation
from kpiboard.analysis.periods import Period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.web.register.dataset import ALL_STATES, build_dataset, may_keep
from kpiboard.web.register.models import DataVersion, EvaluationCache


def evaluate_period(
    period: Period,
    committee: str | None = None,
    directorate: str | None = None,
    *,
    strategic: bool = False,
) -> Evaluation:
    """What ``kpiboard evaluate`` gives for an export of this database, for ``period``; with
    ``strategic``, only the strategic KPIs (the Organisational Scorecard, or a directorate's)."""
    return evaluate_with_dataset(period, committee, directorate, strategic=strategic)[1]


def evaluate_with_dataset(
    period: Period,
    committee: str | None = None,
    directorate: str | None = None,
    *,
    strategic: bool = False,
) -> tuple[Dataset, Evaluation]:
    """:func:`evaluate_period` with the Dataset it evaluated: a report pack takes its proposal
    rounds for the appendix of proposed strategic indicators."""
    dataset = build_dataset(period=period)
    evaluation = evaluate(dataset, period, committee, directorate=directorate, strategic=strategic)
    return dataset, evaluation


def cache_scope(
    committee: str | None = None, directorate: str | None = None, *, strategic: bool = False
) -> str:
    """The cache's name of a scope: ``organisation``, ``committee:ID``, ``directorate:ID``,
    ``strategic`` or ``strategic:ID`` (a directorate's strategic KPIs)."""
    if strategic:
        return f"strategic:{directorate}" if directorate else "strategic"
    if committee:
        return f"committee:{committee}"
    return f"directorate:{directorate}" if directorate else "organisation"


def evaluation_json(
    period: Period,
    committee: str | None = None,
    directorate: str | None = None,
    *,
    strategic: bool = False,
) -> dict[str, Any]:
    """formats.md's JSON of the evaluation, from the cache when the data has not changed."""
    scope, version = _cache_key(committee, directorate, strategic=strategic)
    cached = (
        EvaluationCache.objects.filter(period=period.label, scope=scope, version=version)
        .values_list("payload", flat=True)
        .first()
    )
    if cached is not None:
        return dict(cached)
    return _evaluated(period, committee, directorate, strategic=strategic, version=version)


@dataclass(frozen=True)
class EvaluationText:
    """An evaluation's JSON as the bytes an answer sends, and a digest of them (for its ETag)."""

    body: bytes
    digest: str


#: The latest texts sent by this process, by period, scope and data version: a version names
#: one state of the data, so a kept text is never stale (a thousand indicators' is 3.5 MB).
#: Nothing is kept where register/dataset.py's may_keep() says not (inside a transaction).
_SENT: OrderedDict[tuple[str, str, int], EvaluationText] = OrderedDict()
_SENT_SIZE = 8
_SENT_LOCK = threading.Lock()


def evaluation_json_text(
    period: Period,
    committee: str | None = None,
    directorate: str | None = None,
    *,
    strategic: bool = False,
) -> EvaluationText:
    """:func:`evaluation_json` as JSON text, to be sent as it is: the cache's own text, never
    decoded into objects and encoded again (for a thousand indicators that is 3.5 MB, and
    decoding and encoding it took most of a read's time), kept in this process for the next
    read of the same data version.

    The same JSON values either way; PostgreSQL's text of a ``jsonb`` orders each object's keys
    its own way (shorter keys first), which JSON does not give a meaning to."""
    scope, version = _cache_key(committee, directorate, strategic=strategic)
    key = (period.label, scope, version)
    keep = may_keep()
    with _SENT_LOCK:
        if keep and (kept := _SENT.get(key)) is not None:
            _SENT.move_to_end(key)
            return kept

    def cached() -> str | None:
        return (
            EvaluationCache.objects.filter(period=period.label, scope=scope, version=version)
            .annotate(text=Cast("payload", output_field=TextField()))
            .values_list("text", flat=True)
            .first()
        )

    text = cached()
    if text is None:
        evaluated = _evaluated(period, committee, directorate, strategic=strategic, version=version)
        # the cache's own text, so that the first read's bytes (and ETag) are every later one's
        text = cached() or json.dumps(evaluated)
    body = text.encode()
    sent = EvaluationText(body, hashlib.sha256(body).hexdigest())
    if not keep:
        return sent
    with _SENT_LOCK:
        _SENT[key] = sent
        while len(_SENT) > _SENT_SIZE:
            _SENT.popitem(last=False)
    return sent


def _cache_key(
    committee: str | None, directorate: str | None, *, strategic: bool
) -> tuple[str, int]:
    if strategic and committee:
        raise ValueError("a strategic scorecard is the organisation's or a directorate's")
    return cache_scope(committee, directorate, strategic=strategic), DataVersion.current()


def _evaluated(
    period: Period,
    committee: str | None,
    directorate: str | None,
    *,
    strategic: bool,
    version: int,
) -> dict[str, Any]:
    """The evaluation worked out and kept in the cache, under the data version read before it
    was worked out (so a change made meanwhile is never hidden behind a newer version)."""
    scope = cache_scope(committee, directorate, strategic=strategic)
    payload = evaluation_to_json(
        evaluate_period(period, committee, directorate, strategic=strategic)
    )
    try:
        with transaction.atomic():
            EvaluationCache.objects.filter(period=period.label, scope=scope).delete()
            EvaluationCache.objects.create(
                period=period.label, scope=scope, version=version, payload=payload
            )
    except IntegrityError:  # another request cached the same evaluation first
        pass
    return payload


def indicator_dataset(ref: str, org: Organisation | None = None) -> Dataset:
    """The Dataset of one indicator, whatever its lifecycle: what an indicator's pages evaluate,
    at the cost of one indicator however large the register (its figures equal its entry in the
    organisation's evaluation; tests/web/test_dashboards.py checks every demo indicator)."""
    return build_dataset(lifecycle=ALL_STATES, refs=[ref], org=org)


def evaluate_one(ref: str, period: Period, org: Organisation | None = None) -> Evaluation:
    """The evaluation of one indicator alone (see :func:`indicator_dataset`)."""
    return evaluate(indicator_dataset(ref, org), period)
