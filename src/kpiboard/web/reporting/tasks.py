"""Background tasks (django-tasks; the database backend's worker is ``kpiboard db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_pack(run_id: int) -> int:
    """Generate a run's pack: HTML, PDF, Word and Excel, stored in the database."""
    from kpiboard.web.reporting.models import ReportRun
    from kpiboard.web.reporting.services import run_generate

    run_generate(run=ReportRun.objects.get(pk=run_id))
    return run_id
