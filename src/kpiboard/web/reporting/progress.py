"""How far a pack has got, in the performance team's words, told on the thread that asked.

:func:`kpiboard.reports.pack.write_pack` tells its progress from whichever thread notices (the
chart pool's, a writer's), where the database connection of the run is not to be used. So
:func:`write_pack_telling` writes the pack in a thread of its own and tells the caller, on the
caller's thread, the percentage done and what is happening, at most every ``every`` seconds
and whenever the pack is finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from kpiboard.reports import pack

#: Called with the percentage done and what is happening.
Told = Callable[[int, str], None]

FORMAT_WORDS = {"html": "web page", "pdf": "PDF", "docx": "Word", "xlsx": "Excel"}
#: How often, in seconds, the caller is told at most (besides when the pack is finished).
EVERY = 0.5
#: The share of a pass spent drawing its charts; the rest is writing its files.
CHARTS_SHARE = 0.6


def _listing(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def stage_text(what: str, done: int, total: int, formats: Sequence[str]) -> str:
    """What a pass of the pack is doing, as the run page says it.

    >>> stage_text("charts", 5, 13, ["html"])
    'Drawing the charts for the web page: card 5 of 13'
    >>> stage_text("files", 1, 3, ["pdf", "docx", "xlsx"])
    'Writing the PDF, Word and Excel files: 1 of 3 written'
    >>> stage_text("files", 0, 1, ["html"])
    'Writing the web page'
    """
    words = [FORMAT_WORDS.get(f, f) for f in formats]
    if what == "charts":
        target = "the web page" if words == ["web page"] else "print"
        return f"Drawing the charts for {target}: card {done} of {total}"
    if words == ["web page"]:
        return "Writing the web page"
    return f"Writing the {_listing(words)} files: {done} of {total} written"


def percent_done(what: str, done: int, total: int, start: int, end: int) -> int:
    """The percentage done when a pass that runs from ``start`` to ``end`` percent has drawn
    ``done`` of ``total`` cards' charts, or written ``done`` of ``total`` files.

    >>> percent_done("charts", 13, 13, 50, 100)
    80
    >>> percent_done("files", 1, 2, 50, 100)
    90
    """
    share = CHARTS_SHARE * done / total if what == "charts" else CHARTS_SHARE
    if what == "files":
        share += (1 - CHARTS_SHARE) * done / total
    return start + int((end - start) * min(share, 1.0))


def write_pack_telling(
    told: Told,
    start: int,
    end: int,
    evaluation: Any,
    out: Any,
    formats: Sequence[str],
    every: float | None = None,
    **options: Any,
) -> pack.PackResult:
    """:func:`~kpiboard.reports.pack.write_pack`, telling ``told`` how far it has got (from
    ``start`` to ``end`` percent) on this thread."""
    lock = threading.Lock()
    latest: list[tuple[str, int, int] | None] = [None]

    def noticed(what: str, done: int, total: int) -> None:
        if total:
            with lock:
                latest[0] = (what, done, total)

    last = (start, "")

    def tell() -> None:
        nonlocal last
        with lock:
            found, latest[0] = latest[0], None
        if found is None:
            return
        what, done, total = found
        now = (
            max(last[0], percent_done(what, done, total, start, end)),
            stage_text(what, done, total, formats),
        )
        if now != last:
            last = now
            told(*now)

    with ThreadPoolExecutor(1, thread_name_prefix="kpiboard-pack") as pool:
        future = pool.submit(pack.write_pack, evaluation, out, formats, progress=noticed, **options)
        while True:
            try:
                result = future.result(timeout=EVERY if every is None else every)
            except FutureTimeout:
                tell()
                continue
            tell()
            return result
