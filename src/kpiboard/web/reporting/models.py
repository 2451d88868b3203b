"""Report runs and publications.

A **report run** is the performance team's workspace for one report: what it covers (a committee,
a directorate or the organisation), the reporting period, the front matter, and, once generated,
the pack's files with the evaluation they were made from. Generation is a background task
(django-tasks, database backend); the run carries its progress so any app server can show it.

A **publication** is what the public sees, frozen when the run is published: the evaluation JSON
(formats.md's), each indicator's definition as it stood, the files' bytes (in the database, so
several app servers share them and nothing depends on a disk), and the approved figures the
published values were computed from. Nothing of a publication changes afterwards except that it
may be *withdrawn*, with a reason, and taken down (its pages and files answer 410 Gone with the
withdrawal notice) or, if the team chose so when withdrawing, kept readable with the notice on
every page; either way the row and its files stay on record for the team. A replacement is a
new publication with the next version number that names the one it replaces, and both stay on
record.

A **revision** records an approved figure that changed after a publication stated it: who, when,
the old and new value, and which publication. The publication itself stays as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kpiboard.web.fields import ExactDecimalField

#: The pack's formats and how each is served.
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_LABELS = {
    "html": "Web page (HTML)",
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel dashboard",
}


class RunState(models.TextChoices):
    DRAFT = "draft", "Draft"
    QUEUED = "queued", "Waiting to be generated"
    RUNNING = "running", "Generating"
    GENERATED = "generated", "Generated"
    FAILED = "failed", "Failed"
    PUBLISHED = "published", "Published"


class ReportRun(models.Model):
    scope = models.CharField(max_length=60, help_text="organisation, committee:ID, directorate:ID")
    scope_name = models.CharField(max_length=500)
    period = models.CharField(max_length=20)
    period_start = models.IntegerField()
    #: The keys of organisation.toml's ``[report.<id>]`` table, as the team filled them in.
    front_matter = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    progress_text = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    #: The process generating the pack ("host:pid") and when it last said how far it had got:
    #: a run whose process was killed is noticed and marked failed (tasks.run_reconcile).
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    #: DataVersion when the pack was generated: publishing checks the figures are still current.
    data_version = models.PositiveBigIntegerField(null=True, blank=True)
    #: What the pack says about figures revised since the last publication (added to the
    #: executive summary).
    revision_note = models.TextField(blank=True)
    evaluation = models.JSONField(null=True, blank=True)
    definitions = models.JSONField(default=dict, blank=True)
    #: [ref, period, value] of every approved figure the pack's values were computed from.
    sources = models.JSONField(default=list, blank=True)
    #: Set when the run prepares a replacement for a withdrawn publication.
    replaces = models.ForeignKey(
        "Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("-created", "-pk")

    def __str__(self) -> str:
        return f"{self.scope_name}, {self.period}"

    @property
    def busy(self) -> bool:
        return self.state in (RunState.QUEUED, RunState.RUNNING)


class ReportFile(models.Model):
    """A generated file of a run, before publication."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=["run", "format"], name="one_file_per_format")
        ]


class Publication(models.Model):
    run = models.OneToOneField(ReportRun, on_delete=models.PROTECT, related_name="publication")
    scope = models.CharField(max_length=60)
    scope_name = models.CharField(max_length=500)
    period = models.CharField(max_length=20)
    period_start = models.IntegerField()
    title = models.CharField(max_length=600)
    #: 1 for the first publication of a scope and period, 2 for its replacement, ...
    number = models.PositiveIntegerField("version", default=1)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    front_matter = models.JSONField(default=dict)
    evaluation = models.JSONField()
    definitions = models.JSONField(default=dict)
    revision_note = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    #: Withdrawn but kept readable, with the notice, as the team chose when withdrawing; a
    #: withdrawn publication is otherwise taken down (its pages and files answer 410 Gone).
    withdrawn_readable = models.BooleanField(
        "kept readable after withdrawal",
        default=False,
        help_text="Withdrawn but still readable with the withdrawal notice",
    )

    class Meta:
        ordering = ("-period_start", "scope_name", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "period", "number"], name="one_publication_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def taken_down(self) -> bool:
        """Withdrawn and not kept readable: the public sees only the withdrawal notice."""
        return self.withdrawn and not self.withdrawn_readable


class PublishedFile(models.Model):
    """A file of a publication: written once, never updated."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="files")
    format = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "format"], name="one_published_file_per_format"
            )
        ]

    @property
    def label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)


class PublishedFigure(models.Model):
    """An approved figure (one return) that a publication's values were computed from."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="figures")
    ref = models.CharField(max_length=50)
    period = models.CharField(max_length=20)
    value = ExactDecimalField()

    class Meta:
        indexes = [models.Index(fields=["ref", "period"])]


class Revision(models.Model):
    """An approved figure changed after a publication stated it."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="revisions")
    figure = models.ForeignKey(PublishedFigure, on_delete=models.PROTECT, related_name="revisions")
    ref = models.CharField(max_length=50)
    indicator_name = models.CharField(max_length=500)
    period = models.CharField(max_length=20)
    old_value = ExactDecimalField()
    new_value = ExactDecimalField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("recorded_at", "pk")

    def __str__(self) -> str:
        return f"{self.ref} {self.period}: {self.old_value} -> {self.new_value}"
