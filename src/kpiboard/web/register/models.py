"""The KPI register: the organisation's settings, committees, directorates, ambitions, indicators
with every attribute of formats.md, their targets, national neighbour data and remedial actions.

Periods are stored as their label (``2024/25 Q2``) with the absolute month they start in
(``period_start``), so that rows sort in time and the label reads the same as in the files.
Every change of an indicator, target or action is kept by django-simple-history; rows that people
edit in forms carry a ``version`` that a save must match (:mod:`kpiboard.web.concurrency`).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from simple_history.models import HistoricalRecords

from kpiboard.analysis.model import (
    Aggregation,
    Category,
    Cumulative,
    Direction,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency
from kpiboard.analysis.status import Status
from kpiboard.datafiles import schema
from kpiboard.datafiles.refs import RESERVED_REFS, ref_problem
from kpiboard.web.fields import ExactDecimalField
from kpiboard.web.register import request_version


def choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class OrganisationSettings(models.Model):
    """organisation.toml without its lists: name, area code and every setting (one row).

    ``document`` holds the TOML document as datafiles writes it (numbers as text), so the
    settings the web app reads are exactly those a data folder would give.
    """

    name = models.CharField(max_length=200)
    document = models.JSONField(default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "organisation settings"

    def __str__(self) -> str:
        return self.name


class Ordered(models.Model):
    code = models.CharField("id", max_length=50, unique=True)
    name = models.CharField(max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ("position", "code")

    def __str__(self) -> str:
        return self.name


class Committee(Ordered):
    pass


class Directorate(Ordered):
    pass


class Ambition(Ordered):
    pass


class Lifecycle(models.TextChoices):
    """Where an indicator is in the framework's lifecycle (separate from its category)."""

    PROPOSED = "proposed", "Proposed"
    REJECTED = "rejected", "Rejected"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    RETIRED = "retired", "Retired"


#: Which lifecycle moves are allowed, and the words on the button for each.
LIFECYCLE_MOVES: dict[str, dict[str, str]] = {
    Lifecycle.PROPOSED: {Lifecycle.ACTIVE: "Approve", Lifecycle.REJECTED: "Reject"},
    Lifecycle.REJECTED: {Lifecycle.PROPOSED: "Propose again"},
    Lifecycle.ACTIVE: {Lifecycle.SUSPENDED: "Suspend", Lifecycle.RETIRED: "Retire"},
    Lifecycle.SUSPENDED: {Lifecycle.ACTIVE: "Reinstate", Lifecycle.RETIRED: "Retire"},
    Lifecycle.RETIRED: {},
}


def validate_ref(ref: str) -> None:
    """A ref that is safe everywhere (kpiboard.datafiles.refs), as every form checks it."""
    problem = ref_problem(ref)
    if problem is not None:
        raise ValidationError(f"Enter {problem}, such as 182", code="ref")


#: The same rule in the database (indicator_ref_safe), with \A and \Z for ^ and $: Python's $
#: (SQLite's regexp is Python's re) also matches before a final line break; PostgreSQL reads both.
REF_IS_SAFE = models.Q(ref__regex=r"\A[A-Za-z0-9._-]{1,20}\Z") & ~models.Q(ref__in=RESERVED_REFS)


class Indicator(models.Model):
    ref = models.CharField(
        max_length=50,
        unique=True,
        validators=[validate_ref],
        help_text="Up to 20 letters, digits, dots, hyphens or underscores, such as 182 or ASC-1.2",
    )
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True, max_length=schema.DESCRIPTION_LENGTH)
    unit = models.CharField(max_length=20, choices=choices(Unit))
    decimals = models.PositiveSmallIntegerField(default=1)
    direction = models.CharField(max_length=10, choices=choices(Direction))
    frequency = models.CharField(max_length=10, choices=choices(Frequency))
    aggregation = models.CharField(
        max_length=10, choices=choices(Aggregation), default=Aggregation.LATEST.value
    )
    cumulative = models.CharField(
        max_length=10, choices=choices(Cumulative), default=Cumulative.NONE.value
    )
    category = models.CharField(max_length=20, choices=choices(Category))
    committees = models.ManyToManyField(Committee, related_name="indicators")
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, related_name="indicators"
    )
    ambitions = models.ManyToManyField(Ambition, related_name="indicators", blank=True)
    national_definition = models.BooleanField(default=False)
    #: A strategic KPI (an adopted proposal, docs/proposals.md): on the Organisational Scorecard
    #: and its directorate's strategic scorecard. Travels as indicators.csv's ``x_strategic``.
    strategic = models.BooleanField(
        "Strategic KPI",
        default=False,
        help_text="On the Organisational Scorecard and its directorate's strategic scorecard",
    )
    owner = models.EmailField("owner's e-mail address", blank=True)
    tolerance_mode = models.CharField(
        max_length=10, choices=choices(ToleranceMode), blank=True, default=""
    )
    red_at = ExactDecimalField(null=True, blank=True)
    blue_above = ExactDecimalField(null=True, blank=True)
    no_blue = models.BooleanField(default=False)
    #: ``min`` and ``max`` kept as indicators.csv writes them, so a figure survives exactly:
    #: "" for the unit's default, "none" for no bound, or the number's text
    #: (kpiboard.datafiles.bounds.read_bound and bound_text convert).
    minimum = models.CharField(
        "min",
        max_length=50,
        blank=True,
        default="",
        help_text="The least possible value: empty for the unit's default, none for no bound",
    )
    maximum = models.CharField(
        "max",
        max_length=50,
        blank=True,
        default="",
        help_text="The greatest possible value: empty for the unit's default, none for no bound",
    )
    integer = models.BooleanField(
        "whole numbers only", default=False, help_text="A count of people, say"
    )
    unit_label = models.CharField(
        "unit label",
        max_length=100,
        blank=True,
        default="",
        help_text="Words for the unit on axes and headings, such as seconds or staff",
    )
    extra = models.JSONField("extra columns (x_...)", default=dict, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in indicators.csv")

    lifecycle = models.CharField(max_length=10, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)
    decided_by = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    decided_on = models.DateField("meeting date", null=True, blank=True)
    decision_note = models.TextField(blank=True)
    #: The first reporting period the indicator is no longer reported in (retired or suspended).
    ended_from = models.CharField(max_length=20, blank=True)

    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(m2m_fields=[committees, ambitions])

    class Meta:
        ordering = ("position", "ref")
        constraints = [
            models.CheckConstraint(
                condition=REF_IS_SAFE,
                name="indicator_ref_safe",
                violation_error_message="Enter a ref such as 182: up to 20 letters, digits, dots, "
                "hyphens or underscores",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    start = models.CharField("from", max_length=20)
    period_start = models.IntegerField()
    value = ExactDecimalField()
    version = models.PositiveIntegerField(default=1)
    #: Why the target was set or changed and, for one that applies to a period already
    #: reported, the committee decision behind it.
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "Committee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("meeting date", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("indicator", "period_start")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "start"], name="one_target_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.ref} from {self.start}: {self.value}"


class NeighbourValue(models.Model):
    """One area's value of a nationally defined indicator (neighbours.csv). Loaded in bulk from
    national data, not edited by hand, so it has no per-row history; imports are logged."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="neighbours")
    period = models.CharField(max_length=20)
    period_start = models.IntegerField()
    area_code = models.CharField(max_length=20)
    area_name = models.CharField(max_length=200, blank=True)
    value = ExactDecimalField(null=True, blank=True)
    lower_ci = ExactDecimalField(null=True, blank=True)
    upper_ci = ExactDecimalField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("indicator", "period_start", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "area_code"], name="one_value_per_area"
            )
        ]


class RemedialAction(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="actions")
    period = models.CharField("raised in period", max_length=20)
    what = models.TextField("action", max_length=schema.NOTE_LENGTH)
    who = models.CharField(max_length=200)
    due = models.DateField("by when")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ("indicator", "due", "pk")

    def __str__(self) -> str:
        return self.what[:60]


class ImportRun(models.Model):
    """A record of each import: who, when, from which file, and what it changed."""

    created = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=500)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ("-created",)


class DataVersion(models.Model):
    """One number that grows with every change of the data the engine reads.

    Saves and deletes of figures, targets, indicators, neighbour values and settings bump it
    (signals in :mod:`kpiboard.web.register.signals`); an import bumps it once at the end. Cached
    evaluations carry the version they were computed at, so a stale one is never shown, and
    several app servers share it through the database (nothing is kept in a process's memory).
    """

    number = models.PositiveBigIntegerField(default=0)

    @classmethod
    def current(cls) -> int:
        """The version now; within a request, the one it read first (request_version.py)."""
        read = request_version.READ.get()
        if read is None or connection.in_atomic_block:
            return cls._read()
        if not read:
            read.append(cls._read())
        return read[0]

    @classmethod
    def _read(cls) -> int:
        return cls.objects.filter(pk=1).values_list("number", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        read = request_version.READ.get()
        if read is not None:
            read.clear()
        updated = cls.objects.filter(pk=1).update(number=models.F("number") + 1)
        if not updated:
            # A new database starts at a number of its own, not at 1: a process that keeps
            # something for a version (register/dataset.py's organisation()) must not take
            # another database's, emptied and loaded again as the tests do, for this one's.
            cls.objects.get_or_create(pk=1, defaults={"number": secrets.randbelow(2**52) + 1})


class EvaluationCache(models.Model):
    """``evaluate()``'s JSON (formats.md) for one period and scope at one data version."""

    period = models.CharField(max_length=20)
    scope = models.CharField(max_length=60, help_text="organisation, committee:ID, directorate:ID")
    version = models.PositiveBigIntegerField()
    payload = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "scope", "version"], name="one_cache_entry")
        ]


class ReportNarrative(models.Model):
    """The officer's own words for one report: the Markdown document of the data folder's
    ``reports/`` folder (docs/narrative.md), kept whole and exactly as written.

    ``scope`` is ``organisation`` or a committee's or directorate's id, as the document's front
    matter says; ``period`` its label. Edited on the web with a preview, and carried by import
    and export; every change kept in its history.
    """

    scope = models.CharField(max_length=50)
    period = models.CharField(max_length=20)
    document = models.TextField()
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("scope", "period")
        constraints = [
            models.UniqueConstraint(fields=["scope", "period"], name="one_narrative_per_report")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period}"


class TargetRevision(models.Model):
    """A target set or changed after a publication reported the period it applies to: the
    publication stays as it was, and its page lists this beside its revised figures, with the
    status the indicator was published with and the status the new target gives it."""

    publication = models.ForeignKey(
        "reporting.Publication", on_delete=models.PROTECT, related_name="target_revisions"
    )
    ref = models.CharField(max_length=50)
    indicator_name = models.CharField(max_length=500)
    start = models.CharField("target from", max_length=20)
    old_value = ExactDecimalField(null=True, blank=True)
    new_value = ExactDecimalField()
    published_status = models.CharField(max_length=20)
    status_now = models.CharField(max_length=20)
    reason = models.TextField()
    committee = models.CharField(max_length=500)
    meeting = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.ref} target from {self.start}: {self.old_value} -> {self.new_value}"

    @property
    def published_label(self) -> str:
        return Status(self.published_status).label

    @property
    def now_label(self) -> str:
        return Status(self.status_now).label


class StagedUpload(models.Model):
    """An uploaded data folder or workbook between its preview and its confirmation.

    Kept in the database, not on an app server's disk, so that a preview on one server can be
    confirmed on another; readable only through the session of the person who uploaded it (the
    session holds the key), removed on confirm or cancel, and expired after a day
    (web.register.staging)."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=255)
    suffix = models.CharField(max_length=8)
    data = models.BinaryField()
    fingerprint = models.CharField(max_length=128)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        default_permissions = ()
