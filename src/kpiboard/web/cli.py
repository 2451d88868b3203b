"""The ``kpiboard`` commands that work on the database, and Django's own management commands.

``kpiboard import PATH`` and ``kpiboard export DIR`` are here; any other command that ``kpiboard``
does not know itself (``migrate``, ``createsuperuser``, ``runserver``, ``check --deploy``, ...) is
handed to Django with the project's settings. Django is imported only when one of these runs, so
``kpiboard evaluate`` starts as fast as before.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

SETTINGS = "kpiboard.web.settings"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def run_django(argv: list[str]) -> None:
    """``kpiboard migrate`` and the rest: Django's management utility, named kpiboard."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kpiboard", *argv])


def _user(username: str | None):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise click.ClickException(f"--user {username}: no such account") from None


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only list what would change; change nothing.")
@click.option(
    "--user", "username", default=None, help="Record the changes as made by this account."
)
def import_command(path: Path, dry_run: bool, username: str | None) -> None:
    """Apply a data folder, a .zip of one or a workbook to the database, all or nothing."""
    setup_django()
    from kpiboard.datafiles import DataFileError
    from kpiboard.web.register.apply import apply_plan
    from kpiboard.web.register.transfer import plan_import, read_source

    try:
        dataset = read_source(path)
    except DataFileError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    plan = plan_import(dataset, str(path))
    if dry_run:
        for line in plan.lines():
            click.echo(line)
        _summary(plan.counts(), "would change")
        return
    if plan.empty:
        click.echo("Nothing to change: the database already holds this data.")
        return
    user = _user(username)
    apply_plan(plan, user, progress=lambda text: click.echo(text, err=True))
    _summary(plan.counts(), "changed")


def _summary(counts: dict[str, int], verb: str) -> None:
    parts = [f"{count} {name}" for name, count in counts.items() if count]
    click.echo(f"{verb.capitalize()}: {', '.join(parts) if parts else 'nothing'}.")


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--workbook",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the same data as one .xlsx workbook.",
)
def export_command(folder: Path, workbook: Path | None) -> None:
    """Write the whole register with its approved figures as a data folder."""
    setup_django()
    from kpiboard.web.register.transfer import export

    dataset = export(folder)
    if workbook is not None:
        export(workbook, workbook=True)
    click.echo(
        f"Wrote {len(dataset.indicators)} indicators to {folder}"
        + (f" and {workbook}" if workbook else "")
    )


@click.command("publish")
@click.option("--period", "period_text", required=True, help='Reporting period, e.g. "2024/25 Q2".')
@click.option("--committee", default=None, help="The committee whose report this is (its id).")
@click.option(
    "--scope",
    default=None,
    help="Instead of --committee: 'organisation', 'directorate:ID' or 'committee:ID'.",
)
@click.option(
    "--user", "username", default=None, help="Record the publication as made by this account."
)
@click.option(
    "--if-unpublished",
    is_flag=True,
    help="Publish only when nothing is published for the scope and period yet; when something "
    "is, say so and succeed (as make demo does when it runs a second time).",
)
def publish_command(
    period_text: str,
    committee: str | None,
    scope: str | None,
    username: str | None,
    if_unpublished: bool,
) -> None:
    """Generate a report pack from the database's approved figures and publish it, as the
    Publish button does: front matter from organisation.toml's [report] tables, the files and
    figures frozen, listed on /published/ and in the open data."""
    if committee and scope:
        raise click.UsageError("give either --committee or --scope, not both")
    if not committee and not scope:
        raise click.UsageError("give --committee ID, or --scope organisation|directorate:ID")
    setup_django()
    from kpiboard.web.reporting import services

    user = _user(username)
    try:
        run = services.run_create(
            scope_text=scope or f"committee:{committee}", period_text=period_text, user=user
        )
        try:  # before the pack is generated, not after; the draft made for it goes again
            services.ensure_unpublished(run)
        except services.ReportingError as error:
            run.delete()
            if if_unpublished:
                click.echo(f"Nothing to publish: {error}")
                return
            raise
        run = services.run_generate(
            run=run, progress=lambda percent, text: click.echo(f"{percent:>3}%  {text}", err=True)
        )
        publication = services.run_publish(run=run, user=user)
    except services.ReportingError as error:
        click.echo(f"Nothing was published: {error}", err=True)
        sys.exit(2)
    for item in publication.files.defer("content").order_by("pk"):
        click.echo(f"{item.format:>5}  /published/{publication.pk}/files/{item.format}/")
    click.echo(
        f"Published {publication.title}, version {publication.number}: /published/{publication.pk}/"
    )
