"""The ``kpiboard`` command.

Exit status (formats.md): 0 on success; 2 for bad input (the data, a period, a committee), with
every error on standard error; 1 for anything else.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from kpiboard.web.cli import export_command, import_command, publish_command, run_django

# The analysis and the data readers (numpy and polars: about a third of a second) are imported
# where a command uses them, so that `kpiboard report` starts its PDF's process before them.
if TYPE_CHECKING:
    from kpiboard.analysis.model import Dataset
    from kpiboard.analysis.periods import Period
    from kpiboard.reports.pdf_process import PdfProcess

__all__ = ["main"]

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kpiboard")
def main() -> None:
    """kpiboard: performance management and committee reporting for councils.

    Django's management commands run as kpiboard commands too: kpiboard migrate,
    kpiboard createsuperuser, kpiboard runserver, kpiboard check --deploy.
    """


def _load(data: Path, period_text: str) -> tuple[Dataset, Period]:
    """Read the data and the period, or exit with status 2 naming what is wrong."""
    from kpiboard.analysis.periods import PeriodError, parse_period
    from kpiboard.datafiles import DataFileError, read_dataset

    try:
        dataset = read_dataset(data)
    except DataFileError as error:
        _fail(f"{data}: {error.count:,} error(s) in the data, nothing was read:\n{error}")
    year_start_month = dataset.organisation.settings.year_start_month
    try:
        period = parse_period(period_text, year_start_month=year_start_month)
    except PeriodError as error:
        _fail(f"--period: {error}")
    return dataset, period


_Command = TypeVar("_Command", bound=Callable[..., None])


def _without_cyclic_gc(command: _Command) -> _Command:
    """Run ``command`` with the cyclic garbage collector off, and put it back as it was.

    ``evaluate`` and ``report`` make about a million objects (observations, decimals, results,
    JSON), none in a reference cycle; the collector's passes over the growing heap found nothing
    and took a tenth of ``evaluate``'s time (docs/decisions/0005). Reference counting still
    frees memory as usual.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            command(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return cast(_Command, run)


SCOPE_HELP = (
    "Instead of --committee: 'organisation' (every indicator), 'committee:ID', "
    "'directorate:ID', 'strategic' (the Organisational Scorecard: every strategic indicator) "
    "or 'strategic:ID' (a directorate's strategic scorecard)."
)


@dataclass(frozen=True)
class _Scope:
    """What a report or evaluation covers, from --committee or --scope."""

    committee: str | None = None
    directorate: str | None = None
    strategic: bool = False

    @property
    def narrative_key(self) -> str:
        """The scope the reports/ folder's narrative names (docs/narrative.md)."""
        if self.strategic:
            return "strategic" if self.directorate is None else f"strategic-{self.directorate}"
        return self.committee or self.directorate or "organisation"


def _scope(committee: str | None, scope: str | None, *, required: bool) -> _Scope:
    """The scope given, or exit with status 2 naming what is wrong. Without either option,
    ``required`` refuses; otherwise it is the organisation."""
    if scope is None:
        if committee is None and required:
            _fail(
                "--committee: give the committee id, or --scope (organisation, committee:ID, "
                "directorate:ID, strategic or strategic:ID)"
            )
        return _Scope(committee=committee)
    if committee is not None:
        _fail("--scope: give either --committee or --scope, not both")
    kind, _, ident = scope.partition(":")
    if scope in ("organisation", "strategic"):
        return _Scope(strategic=scope == "strategic")
    if ident and kind in ("committee", "directorate", "strategic"):
        if kind == "committee":
            return _Scope(committee=ident)
        return _Scope(directorate=ident, strategic=kind == "strategic")
    _fail(
        f"--scope: {scope!r} is not a scope: expected organisation, committee:ID, "
        "directorate:ID, strategic or strategic:ID"
    )


PERIOD_HELP = 'Reporting period, e.g. "2024/25 Q2" (also 2024-25 Q2, Q2 2024/25, 2024/25).'


@main.command("evaluate")
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@click.option("--period", "period_text", required=True, help=PERIOD_HELP)
@click.option("--committee", default=None, help="Only this committee's indicators (its id).")
@click.option("--scope", default=None, help=SCOPE_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "table"]),
    default="table",
    show_default=True,
    help="JSON for programs, a table for people.",
)
@_without_cyclic_gc
def evaluate_command(
    data: Path, period_text: str, committee: str | None, scope: str | None, output_format: str
) -> None:
    """Evaluate every indicator in DATA (a data folder or .xlsx workbook) for a period."""
    from kpiboard.analysis.evaluate import UnknownCommitteeError, evaluate

    chosen = _scope(committee, scope, required=False)
    dataset, period = _load(data, period_text)
    try:
        evaluation = evaluate(
            dataset,
            period,
            chosen.committee,
            directorate=chosen.directorate,
            strategic=chosen.strategic,
        )
    except UnknownCommitteeError as error:
        _fail(f"--{'committee' if committee else 'scope'}: {error}")

    if output_format == "json":
        from kpiboard.analysis.serialise import evaluation_to_json

        # One line, through json's C encoder: dump() or an indent would take the pure-Python
        # encoder, several times slower on a large organisation. Pipe to `jq .` to read it.
        sys.stdout.write(json.dumps(evaluation_to_json(evaluation), ensure_ascii=False))
        sys.stdout.write("\n")
    else:
        from kpiboard.terminal import print_evaluation

        print_evaluation(evaluation)


@main.command("report")
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@click.option("--period", "period_text", required=True, help=PERIOD_HELP)
@click.option("--committee", default=None, help="The committee whose report this is (its id).")
@click.option("--scope", default=None, help=SCOPE_HELP)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the pack to (created if needed).",
)
@click.option(
    "--formats",
    default="html,pdf,docx,xlsx",
    show_default=True,
    help="Comma-separated: html, pdf, docx, xlsx.",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Your own Word template (.docx) with kpiboard's placeholders.",
)
@_without_cyclic_gc
def report_command(
    data: Path,
    period_text: str,
    committee: str | None,
    scope: str | None,
    out: Path,
    formats: str,
    template: Path | None,
) -> None:
    """Write the committee report pack for DATA and a period: HTML, PDF, Word and Excel."""
    from kpiboard.reports import FORMATS
    from kpiboard.reports.pdf_process import pdf_process

    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        _fail(
            f"--formats: {unknown[0] if unknown else formats!r} is not a format: expected "
            f"some of {', '.join(FORMATS)}"
        )
    # The PDF's process first: it imports WeasyPrint while the data are read.
    with pdf_process() if "pdf" in chosen else contextlib.nullcontext() as pdf_writer:
        _report(data, period_text, committee, scope, out, chosen, template, pdf_writer)


def _report(
    data: Path,
    period_text: str,
    committee: str | None,
    scope: str | None,
    out: Path,
    chosen: Sequence[str],
    template: Path | None,
    pdf_writer: PdfProcess | None,
) -> None:
    from kpiboard.analysis.evaluate import UnknownCommitteeError, evaluate
    from kpiboard.reports.pack import write_pack

    chosen_scope = _scope(committee, scope, required=True)
    dataset, period = _load(data, period_text)
    try:
        evaluation = evaluate(
            dataset,
            period,
            chosen_scope.committee,
            directorate=chosen_scope.directorate,
            strategic=chosen_scope.strategic,
        )
    except UnknownCommitteeError as error:
        _fail(f"--{'committee' if committee else 'scope'}: {error}")
    from kpiboard.reports.actions import report_actions
    from kpiboard.reports.colophon import data_version_of_path
    from kpiboard.reports.proposals import proposal_appendix

    with _pack_progress() as progress:
        result = write_pack(
            evaluation,
            out,
            chosen,
            template=template,
            data_version=data_version_of_path(data),
            actions=report_actions(evaluation, dataset.actions),
            narrative=dataset.narrative(chosen_scope.narrative_key, period),
            progress=progress,
            proposals=proposal_appendix(dataset, evaluation),
            pdf_process=pdf_writer,
        )
    for name, path in result.files.items():
        click.echo(f"{name:>5}  {path}")
    timings = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result.seconds.items())
    click.echo(
        f"Wrote {len(result.files)} file(s) for {len(evaluation.indicators)} indicators "
        f"({timings})."
    )


#: Seconds a pack is written before the command shows its progress bar.
PROGRESS_AFTER = 0.5


@contextlib.contextmanager
def _pack_progress(after: float | None = None) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on the terminal (stderr) while a pack is written: the cards whose charts
    are drawn, then the files written, shown once the pack has taken more than a moment
    (``after`` seconds, :data:`PROGRESS_AFTER` if None). Nothing when stderr is not a terminal
    (a script, a log): standard output is the same either way."""
    if not sys.stderr.isatty():
        yield None
        return
    import threading
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    bar = Progress(*columns, TimeElapsedColumn(), console=Console(file=sys.stderr), transient=True)
    tasks = {
        "charts": bar.add_task("Drawing the charts", total=None),
        "files": bar.add_task("Writing the files", total=None),
    }
    wait = PROGRESS_AFTER if after is None else after
    started = time.perf_counter()
    lock = threading.Lock()
    shown = [False]

    def told(what: str, done: int, total: int) -> None:  # from whichever thread noticed
        bar.update(tasks[what], completed=done, total=total)
        with lock:
            if not shown[0] and time.perf_counter() - started >= wait:
                shown[0] = True
                bar.start()

    try:
        yield told
    finally:
        with lock:
            if shown[0]:
                bar.stop()


main.add_command(import_command)
main.add_command(export_command)
main.add_command(publish_command)


#: The values of :class:`kpiboard.datafiles.national.SourceFormat`, written out so that the
#: command line starts without the data readers (a test checks that they are the same).
SOURCE_FORMATS = ("oflog", "lginform-json", "lginform-csv")


@main.command("import-neighbours")
@click.argument(
    "source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--data",
    "folder",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The data folder whose neighbours.csv takes the values.",
)
@click.option(
    "--indicator",
    "ref",
    required=True,
    help="The ref of the indicator (national_definition true) that the metric measures.",
)
@click.option(
    "--metric",
    default=None,
    help="The metric in FILE: Oflog's Code (ASC1) or LG Inform's metricTypeIdentifier. "
    "May be left out when FILE holds one metric (an LG Inform wide CSV always does).",
)
@click.option(
    "--format",
    "source_format",
    type=click.Choice(SOURCE_FORMATS),
    default=None,
    help="FILE's format; when left out, found from its name and first line.",
)
def import_neighbours_command(
    source: Path, folder: Path, ref: str, metric: str | None, source_format: str | None
) -> None:
    """Load every area's values of a national metric in FILE (Oflog CSV, LG Inform JSON or
    wide CSV) into the --data folder's neighbours.csv as an indicator's, replacing its rows for
    the periods in FILE. All or nothing: on any error the folder is left as it was."""
    from kpiboard.datafiles import DataFileError
    from kpiboard.datafiles.national import SourceFormat
    from kpiboard.datafiles.national_import import NeighbourImportError, neighbours_import

    try:
        summary = neighbours_import(
            folder=folder,
            source=source,
            ref=ref,
            metric=metric,
            source_format=SourceFormat(source_format) if source_format else None,
        )
    except DataFileError as error:
        _fail(f"{error.count:,} error(s), nothing was imported:\n{error}")
    except NeighbourImportError as error:
        _fail(f"{error.option}: {error}")
    click.echo(str(summary))


def run() -> None:
    """Entry point that turns an unexpected error into exit status 1 with a one-line message.

    A command kpiboard does not know itself goes to Django (``kpiboard migrate``, ...).
    """
    argv = sys.argv[1:]
    if argv and not argv[0].startswith("-") and argv[0] not in main.commands:
        run_django(argv)
        return
    try:
        main(standalone_mode=True)
    except Exception as error:  # pragma: no cover - last resort
        _fail(f"kpiboard: {type(error).__name__}: {error}", EXIT_FAILURE)


if __name__ == "__main__":
    run()
