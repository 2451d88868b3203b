"""``kpiboard backup FILE`` and ``kpiboard restore FILE``: everything, in a database-neutral file.

A backup is a zip of two members:

- ``manifest.json``: the format, when it was made, the migrations applied (each app's
  names), the rows of each model and the SHA-256 of the rows;
- ``data.kpijsonl``: every row of every model, one JSON object a line, as Django's ``jsonl``
  serializer writes it (times to the microsecond: web/backup_format.py; foreign keys to content
  types and permissions by natural key; binary content such as published files in base64): the
  register, returns and their history, report runs, publications and their files, the audit
  log, accounts and second factors, API tokens.

Left out: sessions (a restore signs everyone out), content types and permissions (``migrate``
makes them; rows refer to them by natural key), and the database cache table.

The rows are read in one transaction that sees one moment (PostgreSQL: REPEATABLE READ; SQLite:
one transaction, which in kpiboard's IMMEDIATE mode holds writers back for the second or so the
read takes), so a backup of a busy database is whole: no return without its history row, no
publication without its files.

A restore goes into an empty database migrated to the same migrations as the backup (so run the
backup's version of kpiboard, restore, then upgrade and ``migrate``). It loads every row in one
transaction with ``loaddata`` and with every model signal silenced: the rows are the record of
what happened, so nothing may add to them (no data-version bump, no audit row for a role "added",
no security alert e-mailed for a restored audit row). It checks the row counts against the
manifest before it commits.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import signals

__all__ = ["FORMAT", "BackupError", "backup", "restore"]

FORMAT = "kpiboard-backup/1"
_LEFT_OUT = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
_MAX_MANIFEST = 10_000_000
ROWS = "kpijsonl"
"""The rows' format (web/backup_format.py, SERIALIZATION_MODULES): JSON Lines, exact times."""
DATA = f"data.{ROWS}"  # loaddata reads a file's format from its extension
_CONTENT = ("auth.user", "register.indicator", "collection.return", "audit.auditevent")
"""A database holding a row of any of these is in use; rows migrate makes (the roles' groups)
are replaced by the backup's."""


class BackupError(Exception):
    """A backup that cannot be made or restored, with what to do."""


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _models() -> list[type[models.Model]]:
    """Every concrete model kept, in dependency order (loaddata defers constraint checks, but a
    reader of the file meets a row's references first)."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=False)
        if _label(model) not in _LEFT_OUT and model._meta.managed and not model._meta.proxy
    ]
    return serializers.sort_dependencies([(None, chosen)], allow_cycles=True)


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextmanager
def _one_moment() -> Iterator[None]:
    """A transaction whose reads all see the database at one moment."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def backup(path: Path) -> dict[str, Any]:
    """Write the backup of the whole database to ``path`` (a new file); its manifest."""
    with tempfile.TemporaryDirectory(prefix="kpiboard-backup-") as folder:
        data = Path(folder) / DATA
        counts: dict[str, int] = {}
        digest = hashlib.sha256()
        with _one_moment(), data.open("w", encoding="utf-8") as out:
            for model in _models():
                rows = model._base_manager.order_by("pk")
                counts[_label(model)] = 0
                for chunk in _chunks(rows):
                    text = serializers.serialize(ROWS, chunk, use_natural_foreign_keys=True)
                    out.write(text)
                    digest.update(text.encode("utf-8"))
                    counts[_label(model)] += len(chunk)
            migrations = _migrations()
        manifest = {
            "format": FORMAT,
            "made": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "migrations": migrations,
            "rows": counts,
            "sha256": digest.hexdigest(),
        }
        partial = path.with_name(path.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=1))
            archive.write(data, DATA)
        partial.replace(path)  # a backup file is whole or absent
    return manifest


def _chunks(rows: models.QuerySet[Any], size: int = 2000) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the backup at ``path``, or BackupError saying what the file is not."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("manifest.json")
            if info.file_size > _MAX_MANIFEST:
                raise BackupError(f"{path}: its manifest is {info.file_size:,} bytes: not a backup")
            manifest = json.loads(archive.read(info))
            archive.getinfo(DATA)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise BackupError(f"{path} is not a kpiboard backup ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a kpiboard backup in the format {FORMAT}")
    return manifest


def restore(path: Path) -> dict[str, Any]:
    """Load the backup at ``path`` into this (empty, migrated) database, all or nothing."""
    manifest = read_manifest(path)
    if manifest["migrations"] != _migrations():
        raise BackupError(
            "The database is not at the backup's migrations: restore with the kpiboard version "
            "that made the backup (into a database that version migrated), then upgrade"
        )
    filled = {
        label: apps.get_model(label)._base_manager.count()
        for label in _CONTENT
        if apps.get_model(label)._base_manager.exists()
    }
    if filled:
        shown = ", ".join(f"{label} ({count:,} rows)" for label, count in sorted(filled.items()))
        raise BackupError(f"Restore into an empty database: this one holds {shown}")
    with tempfile.TemporaryDirectory(prefix="kpiboard-restore-") as folder:
        data = Path(folder) / DATA
        with zipfile.ZipFile(path) as archive, archive.open(DATA) as source:
            digest = _copy(source, data)
        if digest != manifest["sha256"]:
            raise BackupError(f"{path}: {DATA} does not match its manifest (damaged)")
        with transaction.atomic(), _signals_silenced():
            for model in reversed(_models()):  # what migrate made (the roles' groups) goes first
                model._base_manager.all()._raw_delete(connection.alias)
            call_command("loaddata", str(data), verbosity=0)
            counts = {_label(model): model._base_manager.count() for model in _models()}
            wrong = {
                label: (counts.get(label, 0), n)
                for label, n in manifest["rows"].items()
                if counts.get(label, 0) != n
            }
            if wrong:
                raise BackupError(f"Rows restored differ from the backup's: {wrong}")
    return manifest


def _copy(source: IO[bytes], target: Path) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while block := source.read(1 << 20):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


@contextmanager
def _signals_silenced() -> Iterator[None]:
    """No model signal reaches its receivers: the restored rows are the record, as they were.

    The command runs in its own process, so emptying the signals' receivers there touches no
    other request.
    """
    chosen = (
        signals.pre_save,
        signals.post_save,
        signals.pre_delete,
        signals.post_delete,
        signals.m2m_changed,
    )
    kept = [(signal, signal.receivers) for signal in chosen]
    try:
        for signal in chosen:
            signal.receivers = []
            signal.sender_receivers_cache.clear()
        yield
    finally:
        for signal, receivers in kept:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()
