"""Same input, same output: across runs and runners; a killed run leaves nothing half-written.

* Two DirectRunner runs and a multi-process DirectRunner run
  (``--direct_num_workers=2 --direct_running_mode=multi_processing``) over the
  small hostile corpus, the fixtures and the samples write the same article and
  reject rows (compared after sorting by id and source).
* An ``--overwrite`` run killed in the middle of writing leaves the previous
  outputs byte for byte as they were (a run writes to ``OUTPUT/.staging/<run-id>/``
  and is published only when it completed); rerunning with ``--overwrite``
  replaces everything cleanly.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import FIXTURES, ROOT, SAMPLES
from tests.hostile.make_corpus import make_corpus
from tests.test_end_to_end import read_output, run_pipeline


def _rows(out: Path, name: str) -> list[dict]:
    _, rows = read_output(out, name)
    return sorted(rows, key=lambda r: (r["id"], r["source"]))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """Small hostile corpus + fixtures + samples in one directory."""
    directory = tmp_path_factory.mktemp("determinism") / "in"
    make_corpus(directory, include_large=False)
    for src in list(FIXTURES.iterdir()) + list(SAMPLES.iterdir()):
        if src.is_file():
            shutil.copy(src, directory / f"x-{src.name}")
    return directory


def _run(inputs: Path, out: Path, *extra: str) -> tuple[list[dict], list[dict]]:
    result = run_pipeline("--input", str(inputs / "*"), "--output", str(out), *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return _rows(out, "articles"), _rows(out, "rejects")


def test_two_runs_and_two_runners_write_the_same_rows(inputs, tmp_path):
    first = _run(inputs, tmp_path / "a")
    second = _run(inputs, tmp_path / "b")
    multi = _run(inputs, tmp_path / "c", "--direct_num_workers=2", "--direct_running_mode=multi_processing")
    assert len(first[0]) > 20 and len(first[1]) > 20
    assert second == first, _first_difference(first, second)
    assert multi == first, _first_difference(first, multi)
    summaries = [json.loads((tmp_path / d / "run-summary.json").read_text()) for d in "abc"]
    for key in ("documents_read", "articles_written", "rejects_written", "rejected_by_reason", "files"):
        assert summaries[0][key] == summaries[1][key] == summaries[2][key], key


def _first_difference(a, b) -> str:
    """Where two (articles, rejects) results first differ, for the failure message."""
    for name, rows_a, rows_b in (("articles", a[0], b[0]), ("rejects", a[1], b[1])):
        if len(rows_a) != len(rows_b):
            return f"{name}: {len(rows_a)} rows vs {len(rows_b)}"
        for x, y in zip(rows_a, rows_b):
            if x != y:
                fields = {k: (str(x[k])[:200], str(y.get(k))[:200]) for k in x if x[k] != y.get(k)}
                return f"{name} {x['source']}: {fields}"
    return "no difference"


def _big_input(directory: Path, docs: int = 2000) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    from tests.hostile.make_corpus import _SENTENCES

    with open(directory / "many.jsonl", "w", encoding="utf-8") as f:
        for i in range(docs):
            body = "\n\n".join(" ".join(_SENTENCES[(i + k) % len(_SENTENCES):][:3]) for k in range(4))
            f.write(json.dumps({"id": f"doc-{i}", "title": f"Ferry report {i}", "text": body}) + "\n")
    return docs


def _final_files(out: Path) -> list[str]:
    return sorted(glob.glob(str(out / "articles-*.parquet")) + glob.glob(str(out / "rejects-*.parquet")))


# The big input repeats the same sentences in every document: without these, corpus-level cleaning (lines
# recurring across one site, near duplicates) rightly removes them; this test is about publishing, not that.
_SYNTHETIC = ("--site_boilerplate", "off", "--dedup", "off")


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_killed_overwrite_run_leaves_the_previous_outputs_whole_and_rerun_replaces_cleanly(tmp_path):
    docs = _big_input(tmp_path / "in")
    out = tmp_path / "out"
    previous = run_pipeline("--input", str(SAMPLES / "*"), "--output", str(out))
    assert previous.returncode == 0, previous.stderr[-3000:]
    before = _files(out)
    assert any(name.startswith("articles-") for name in before) and "run-summary.json" in before

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--input", str(tmp_path / "in" / "*"),
                             "--output", str(out), "--overwrite", *_SYNTHETIC], cwd=ROOT, env=env,
                            start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed_while_writing = False
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            # Kill as soon as Beam has temporary output files: the run is in the middle of writing.
            if any(Path(p).is_file() for p in glob.glob(str(out / ".staging" / "*" / "beam-temp-*" / "*"))):
                os.killpg(proc.pid, signal.SIGKILL)
                killed_while_writing = True
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert killed_while_writing, f"the run ended (status {proc.returncode}) before it was seen writing"
    # The previous run's outputs are exactly as they were; the killed run's files are only in its staging folder.
    assert _files(out) == before
    assert glob.glob(str(out / ".staging" / "*" / "beam-temp-*")), "the killed run wrote only under .staging/"

    rerun = run_pipeline("--input", str(tmp_path / "in" / "*"), "--output", str(out), "--overwrite", *_SYNTHETIC)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert not (out / ".staging").exists(), "--overwrite clears what the killed run left behind"
    assert not glob.glob(str(out / "beam-temp-*"))
    for path in _final_files(out):
        pq.read_table(path)
    _, articles = read_output(out, "articles")
    assert sorted(r["id"] for r in articles) == sorted(f"doc-{i}" for i in range(docs))
    summary = json.loads((out / "run-summary.json").read_text())
    assert summary["documents_read"] == docs and summary["balanced"] and summary["state"]
