"""Live progress of a run on the DirectRunner: documents read and written so far, and the rate.

Beam's metrics of a running pipeline are not readable on the local runners
(the FnApiRunner returns its result only when the run is over), so the
``Counters`` every stage already uses also add the three progress counts to a
process-local tally (:func:`note`), each cleaning stage notes the documents
entering it (:func:`note_stage`: the run spends most of its time there, before
anything is written), and a driver thread (:class:`ProgressReporter`) prints
the tally every few seconds.  The tally is for display only: the run's numbers
come from Beam's counters.  It sees the work done in this process, i.e. the
DirectRunner's default in-memory and multi-threading modes; with
``--direct_running_mode=multi_processing`` or a distributed runner it stays
at 0 and the reporter prints nothing (a distributed runner shows the Beam
counters in its own UI).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Callable, TextIO

TRACKED = ("documents_read", "articles_written", "rejects_written")

_lock = threading.Lock()
_tally: dict[str, int] = dict.fromkeys(TRACKED, 0)
_stages: dict[str, int] = {}  # documents that entered each cleaning stage


def note(name: str, value: int = 1) -> None:
    """Add ``value`` to the progress count ``name`` (ignored unless it is one of :data:`TRACKED`)."""
    if name in _tally:
        with _lock:
            _tally[name] += value


def note_stage(stage: str) -> None:
    """One document entered cleaning stage ``stage``."""
    with _lock:
        _stages[stage] = _stages.get(stage, 0) + 1


def snapshot() -> dict[str, int]:
    """The progress counts, and ``stage:<name>`` for every stage documents entered."""
    with _lock:
        return {**_tally, **{f"stage:{name}": value for name, value in _stages.items()}}


def reset() -> None:
    with _lock:
        for name in _tally:
            _tally[name] = 0
        _stages.clear()


def progress_line(counts: dict[str, int], elapsed: float, stage_order: tuple[str, ...] = ()) -> str:
    """One line: documents read, cleaned (through the furthest stage reached) and written, with rates."""
    read, articles, rejects = (counts[name] for name in TRACKED)
    written = articles + rejects
    seconds = max(elapsed, 1e-9)
    cleaning = ""
    reached = [name for name in stage_order if counts.get(f"stage:{name}")]
    if reached:
        stage = reached[-1]
        at = counts[f"stage:{stage}"]
        cleaning = (f"{at:,} at stage {stage} ({stage_order.index(stage) + 1} of {len(stage_order)}; "
                    f"{at / seconds:,.1f}/s), ")
    return (f"progress {elapsed:7.1f}s: {read:,} documents read ({read / seconds:,.1f}/s), {cleaning}"
            f"{written:,} written ({articles:,} articles, {rejects:,} rejects; {written / seconds:,.1f}/s)")


class ProgressReporter:
    """A daemon thread printing :func:`progress_line` every ``interval`` seconds once documents are read.

    Use as a context manager around the run; the tally is reset on entry.
    """

    def __init__(self, interval: float, out: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, stage_order: tuple[str, ...] = ()) -> None:
        self._interval, self._out, self._clock, self._order = interval, out, clock, tuple(stage_order)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lines = 0

    def __enter__(self) -> "ProgressReporter":
        reset()
        self._started = self._clock()
        if self._interval > 0:
            self._thread = threading.Thread(target=self._loop, name="presswash-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            counts = snapshot()
            if counts["documents_read"] == 0:
                continue  # nothing read yet (or the work runs in other processes): stay quiet
            out = self._out or sys.stderr
            out.write(progress_line(counts, self._clock() - self._started, self._order) + "\n")
            out.flush()
            self.lines += 1
