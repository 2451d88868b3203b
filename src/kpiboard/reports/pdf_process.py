"""The PDF written in a process of its own, started before the pack's data are read.

In one process the PDF is the pack's longest step and shares the interpreter with everything
else: WeasyPrint's import (about 0.4 s) waits until the data are read and the charts' processes
forked, and WeasyPrint's layout then takes turns with Word, Excel and the HTML. The command line
starts this process first (:func:`pdf_process`): it imports WeasyPrint while the data are read,
then is sent the print HTML and, one by one as they are drawn, the charts' PNGs, and writes the
PDF with :func:`kpiboard.reports.pdf.render_pdf` exactly as a thread would.

The process is forked, so only from a process with no other thread and no Vega engine (whose
thread a child would not have): otherwise :func:`pdf_process` gives None and the pack writes the
PDF in a thread, as it does in the web app and the tests.
"""

from __future__ import annotations

import builtins
import contextlib
import multiprocessing
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

__all__ = ["PdfProcess", "pdf_process"]

#: Seconds to wait for the process to stop once the pack is written, before it is terminated.
STOP_SECONDS = 5.0


class PdfProcess:
    """A forked process that imports WeasyPrint at once and writes a PDF when asked."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, ours), name="kpiboard-pdf", daemon=True
        )
        self._process.start()
        theirs.close()
        self._connection = ours
        self._lock = threading.Lock()
        self._out: Path | None = None

    def write(self, html: str, out: Path, pictures: Mapping[str, Callable[[], bytes]]) -> Path:
        """Write ``html`` to ``out`` as :func:`~kpiboard.reports.pdf.render_pdf` would, with
        the PNG at each address in ``pictures`` sent as soon as it can be had (in their order),
        and raise what the PDF raised, a picture that could not be had included."""
        self.begin(html, out)
        return self.finish(pictures)

    def begin(self, html: str, out: Path) -> None:
        """Send the document: the process reads it and works out its styles at once, before
        its pictures are sent (:meth:`finish`)."""
        with self._lock:
            if self._out is not None:
                raise RuntimeError(f"the PDF process is already writing {self._out}")
            self._out = out
            try:
                self._connection.send(("pdf", html, str(out)))
            except OSError as error:
                raise RuntimeError("the PDF's process ended before writing the PDF") from error

    def finish(self, pictures: Mapping[str, Callable[[], bytes]]) -> Path:
        """Send the pictures of the document begun, each as soon as it can be had, and wait for
        the PDF: its path, or what the PDF raised, a picture that could not be had included."""
        with self._lock:
            out, self._out = self._out, None
            if out is None:
                raise RuntimeError("no PDF begun")
            connection = self._connection
            try:
                for address, picture in pictures.items():
                    try:
                        png = picture()
                    except Exception as error:
                        connection.send(("failed", address, _sendable(error)))
                        break
                    connection.send(("picture", address, png))
                connection.send(("end",))
                outcome, detail = connection.recv()
            except (EOFError, OSError) as error:
                raise RuntimeError("the PDF's process ended before writing the PDF") from error
        if outcome != "written":
            raise _raised(detail)
        return out

    def close(self) -> None:
        """Stop the process (it ends at once when it has nothing to do)."""
        with contextlib.suppress(OSError):  # already gone
            self._connection.send(("stop",))
        self._connection.close()
        self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _fork_is_safe() -> bool:
    """No other thread, and no Vega engine (a Rust thread :mod:`threading` does not see)."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and "vl_convert" not in sys.modules
    )


@contextmanager
def pdf_process() -> Iterator[PdfProcess | None]:
    """A process that writes the pack's PDF, importing WeasyPrint from now on; None where
    forking is not safe (the PDF is then written in a thread, as before)."""
    if not _fork_is_safe():
        yield None
        return
    for stream in (sys.stdout, sys.stderr):  # nothing buffered that the child would write again
        stream.flush()
    process = PdfProcess()
    try:
        yield process
    finally:
        process.close()


def _sendable(error: BaseException) -> tuple[str, str]:
    """``error`` as plain words for the pipe: its type's name and its message (an exception
    object itself may not survive the trip, and nothing but text need cross)."""
    return type(error).__name__, str(error)


def _raised(sent: tuple[str, str]) -> Exception:
    """The error :func:`_sendable` described: Python's own kind again (``OSError``,
    ``RuntimeError``...), any other as a RuntimeError naming it."""
    name, message = sent
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        return kind(message)
    return RuntimeError(f"{name}: {message}")


def _serve(connection: Connection, parents: Connection) -> None:
    """The process: import WeasyPrint, then write each PDF asked for until told to stop or the
    parent is gone."""
    parents.close()  # the parent's end: with it closed here, the parent gone means EOFError
    from kpiboard.reports import pdf

    unready: Exception | None = None
    try:
        pdf.start_pdf()
    except Exception as error:  # WeasyPrint or a library it needs: each PDF asked for says so
        unready = error
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message[0] != "pdf":
            return
        _, html, out = message
        pictures = _Pictures(connection)
        started = time.perf_counter()
        try:
            if unready is not None:
                raise unready
            pdf.render_pdf(html, Path(out), pictures.lookup())
        except Exception as error:
            outcome: tuple[str, Any] = ("failed", _sendable(error))
        else:
            outcome = ("written", time.perf_counter() - started)
        pictures.drain()
        connection.send(outcome)


class _Pictures:
    """The PNGs the parent sends, by address, read from the pipe as WeasyPrint asks for them."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._received: dict[str, bytes] = {}
        self._failed: dict[str, tuple[str, str]] = {}
        self._ended = False

    def lookup(self) -> Mapping[str, Callable[[], bytes]]:
        """Every picture address, each a function that reads its PNG from the pipe."""
        from kpiboard.reports.pdf import PICTURE_SCHEME

        return _Lookup(self, f"{PICTURE_SCHEME}:")

    def get(self, address: str) -> bytes:
        while address not in self._received and address not in self._failed and not self._ended:
            self._take(self._connection.recv())
        if address in self._received:
            return self._received[address]
        if address in self._failed:
            raise _raised(self._failed[address])
        raise RuntimeError(f"the picture {address} was not sent: an earlier one failed")

    def _take(self, message: tuple[Any, ...]) -> None:
        if message[0] == "picture":
            self._received[message[1]] = message[2]
        elif message[0] == "failed":
            self._failed[message[1]] = message[2]
        else:  # "end"
            self._ended = True

    def drain(self) -> None:
        """Read what the parent still sends for this PDF, up to its end."""
        while not self._ended:
            self._take(self._connection.recv())


class _Lookup(Mapping[str, Callable[[], bytes]]):
    """Every address of the scheme, each read from the pipe when asked for."""

    def __init__(self, pictures: _Pictures, prefix: str) -> None:
        self._pictures = pictures
        self._prefix = prefix

    def get(self, address: str, default: Any = None) -> Any:
        if not address.startswith(self._prefix):
            return default
        return lambda: self._pictures.get(address)

    def __getitem__(self, address: str) -> Callable[[], bytes]:
        found = self.get(address)
        if found is None:
            raise KeyError(address)
        return found  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0
