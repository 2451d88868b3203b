"""``kpiboard backup FILE``: the whole database in one database-neutral file (web/backups.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpiboard.web.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (a zip: manifest.json and data.jsonl)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.exists():
            raise CommandError(f"{path} exists already: a backup never overwrites a file")
        try:
            manifest = backup(path)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"{path}: {rows:,} rows of {len(manifest['rows'])} tables")
