"""Live progress of a run on the DirectRunner: documents read and written so far, and the rate.

Beam's metrics of a running pipeline are not readable on the local runners
(the FnApiRunner returns its result only when the run is over), so the
``Counters`` every stage already uses also add the three progress counts to a
process-local tally (:func:`note`), each cleaning stage notes the documents
entering it (:func:`note_stage`: the run spends most of its time there, before
anything is written), and a driver thread (:class:`ProgressReporter`) prints
the tally every few seconds.  The tally is for display only: the run's numbers
come from Beam's counters.

With ``--direct_running_mode=multi_processing`` the work runs in worker
processes the DirectRunner starts (they inherit the driver's environment): the
reporter sets ``PRESSWASH_PROGRESS_DIR`` and a thread in each worker process
writes that process's tally to ``<dir>/<pid>.json`` every :data:`FLUSH_SECONDS`
while it changes (one small file write, whatever the number of documents); the
reporter adds them up.
A distributed runner shows the Beam counters in its own UI and gets no reporter.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from typing import Callable, TextIO

TRACKED = ("documents_read", "articles_written", "rejects_written")

_lock = threading.Lock()
_tally: dict[str, int] = dict.fromkeys(TRACKED, 0)
_stages: dict[str, int] = {}  # documents that entered each cleaning stage

DIR_ENV, DRIVER_ENV = "PRESSWASH_PROGRESS_DIR", "PRESSWASH_PROGRESS_DRIVER"
FLUSH_SECONDS = 0.5
_share: dict[str, str | None] = {}  # this process: "dir" to share the tally in (None: driver, or no reporter)


def note(name: str, value: int = 1) -> None:
    """Add ``value`` to the progress count ``name`` (ignored unless it is one of :data:`TRACKED`)."""
    if name in _tally:
        with _lock:
            _tally[name] += value
        _maybe_share()


def note_stage(stage: str) -> None:
    """One document entered cleaning stage ``stage``."""
    with _lock:
        _stages[stage] = _stages.get(stage, 0) + 1
    _maybe_share()


def _maybe_share() -> None:
    """In a worker process of a run with a reporter: start the thread that shares this process's tally."""
    if "dir" in _share:
        return
    with _lock:
        if "dir" in _share:
            return
        directory = os.environ.get(DIR_ENV)
        _share["dir"] = directory if directory and os.environ.get(DRIVER_ENV) != str(os.getpid()) else None
    if _share["dir"] is not None:
        threading.Thread(target=_share_loop, args=(_share["dir"],), name="presswash-progress-share",
                         daemon=True).start()


def _share_loop(directory: str) -> None:
    """Write this process's tally to ``<directory>/<pid>.json`` every FLUSH_SECONDS while it changes."""
    path, last = os.path.join(directory, f"{os.getpid()}.json"), None
    while True:
        counts = _local_snapshot()
        if counts != last:
            try:
                with open(path + ".tmp", "w", encoding="utf-8") as f:
                    json.dump(counts, f)
                os.replace(path + ".tmp", path)
            except OSError:
                return  # the reporter is gone (the run is over)
            last = counts
        time.sleep(FLUSH_SECONDS)


def _local_snapshot() -> dict[str, int]:
    with _lock:
        return {**_tally, **{f"stage:{name}": value for name, value in _stages.items()}}


def _shared_snapshot(directory: str | None) -> dict[str, int]:
    """This process's tally plus what worker processes wrote to ``directory``."""
    total = _local_snapshot()
    if directory:
        for name in os.listdir(directory):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    counts = json.load(f)
            except (OSError, ValueError):
                continue  # being replaced right now: counted next time
            for key, value in counts.items():
                total[key] = total.get(key, 0) + int(value)
    return total


def snapshot() -> dict[str, int]:
    """The progress counts of this process, and ``stage:<name>`` for every stage documents entered."""
    return _local_snapshot()


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
        self._dir: str | None = None
        self._saved_env = {name: os.environ.get(name) for name in (DIR_ENV, DRIVER_ENV)}
        if self._interval > 0:
            self._dir = tempfile.mkdtemp(prefix="presswash-progress-")
            os.environ[DIR_ENV], os.environ[DRIVER_ENV] = self._dir, str(os.getpid())
            self._thread = threading.Thread(target=self._loop, name="presswash-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            counts = _shared_snapshot(self._dir)
            if counts["documents_read"] == 0:
                continue  # nothing read yet (or the work runs in other processes): stay quiet
            out = self._out or sys.stderr
            out.write(progress_line(counts, self._clock() - self._started, self._order) + "\n")
            out.flush()
            self.lines += 1
