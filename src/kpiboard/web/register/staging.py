"""Uploads between their preview and their confirmation, kept privately and briefly.

An upload is read once to preview what it would change, then read again when the person confirms.
Between the two it is a row of register.StagedUpload: in the database every app server shares
(so the confirmation may reach another server), tied to the person who uploaded it and to a random
key held only in their session, removed on confirm or cancel, and removed by the next upload
anyone makes once it is a day old. The reading happens in a private temporary folder that is gone
when the reading ends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.utils import timezone

from kpiboard.datafiles import DataFileError
from kpiboard.web.register.models import StagedUpload

__all__ = ["KEEP_FOR", "discard", "expire", "read_staged", "stage", "with_file"]

#: How long an upload waits for its confirmation.
KEEP_FOR = dt.timedelta(days=1)

T = TypeVar("T")


def suffix_of(name: str) -> str:
    """The upload's own file extension (``.xlsx``, ``.zip``, ``.csv``), which its reader goes by."""
    suffix = Path(name).suffix.lower()
    return suffix if 1 < len(suffix) <= 8 and suffix[1:].isalnum() else ".zip"


def with_file(data: bytes, name: str, reader: Callable[[Path], T]) -> T:
    """``reader``'s answer for ``data`` written to a private temporary folder, then removed."""
    with tempfile.TemporaryDirectory(prefix="kpiboard-upload-") as folder:
        path = Path(folder) / f"upload{suffix_of(name)}"
        path.write_bytes(data)
        try:
            return reader(path)
        except DataFileError as error:  # name the person's file, not the temporary copy
            raise DataFileError(
                dataclasses.replace(
                    e, file=e.file.replace(str(path), name).replace(path.name, name)
                )
                for e in error.errors
            ) from error


def stage(user: Any, name: str, chunks: Iterable[bytes], fingerprint: str) -> str:
    """Keep an upload for ``user``; the key to give back to read_staged (kept in their session)."""
    expire()
    key = secrets.token_urlsafe(32)
    StagedUpload.objects.create(
        key=key,
        user=user,
        name=name[:255],
        suffix=suffix_of(name),
        data=b"".join(chunks),
        fingerprint=fingerprint,
    )
    return key


def read_staged(user: Any, key: str) -> StagedUpload | None:
    """The upload ``user`` staged under ``key``, unless it has expired or is someone else's."""
    return StagedUpload.objects.filter(
        key=key, user=user, created__gte=timezone.now() - KEEP_FOR
    ).first()


def discard(key: str) -> None:
    StagedUpload.objects.filter(key=key).delete()


def expire(now: dt.datetime | None = None) -> int:
    """Remove every upload older than KEEP_FOR; how many were removed."""
    deleted, _ = StagedUpload.objects.filter(
        created__lt=(now or timezone.now()) - KEEP_FOR
    ).delete()
    return deleted
