"""``kpiboard odata_refresh``: build the OData feed's Figures rows for the current data now.

The feed builds them itself on the first request after the data changes; for a large register
(120 months of 1,000 indicators take about a minute) run this after an import instead, so that
no Power BI refresh waits for it.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kpiboard.web.odata.figures import figures_refresh


class Command(BaseCommand):
    help = "Build the OData feed's Figures rows (every approved figure, evaluated) now."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = figures_refresh()
        self.stdout.write(f"{rows} figures in {time.perf_counter() - started:.1f} s")
