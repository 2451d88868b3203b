"""``kpiboard restore FILE``: a backup into an empty, migrated database (web/backups.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpiboard.web.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore FILE (made by kpiboard backup) into this empty database, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(options["file"])
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Restored {rows:,} rows, backed up {manifest['made']}")
