"""Throughput and memory of presswash against a floor, on one generated corpus, in one run.

::

    python -m bench.speed --docs 20000            # everything; results in bench/results/speed.{json,md}
    python -m bench.speed --docs 2000 --only floor,bare,default
    python -m bench.speed --docs 50000 --only direct1 --html-docs 0 --tag mem50k

Measures, each in its own process (so that peak RSS is that run's alone):

* ``floor``: a plain Python loop that reads and decodes every input document,
  makes one langdetect call on its first 1,000 characters and writes Parquet
  with pyarrow: the least any pipeline must do;
* ``bare``: a plain loop over the real reader and the pure cleaning chain
  (``transforms.clean.clean_doc``, every stage), writing the article rows with
  pyarrow;
* ``default``: ``python -m pipeline --input ... --output ... --overwrite``, as a
  user runs it (``--workers auto``: one worker process per core for inputs of
  8 MB or more);
* ``inmem``: one in-process worker (``--direct_running_mode=in_memory``), the
  fastest way to use one core
  (``--direct_running_mode=in_memory --direct_num_workers=1``);
* ``direct1`` / ``direct2``: the DirectRunner with ``--direct_running_mode=
  multi_processing`` and 1 or 2 workers;
* ``dedup_off`` / ``dedup_near``: the default run with ``--dedup off|near``,
  when the pipeline has that option;
* ``html_trafilatura`` / ``html_bare`` / ``html_default`` / ``html_direct1``:
  ``trafilatura.extract`` alone on the HTML pages, the pure chain on them, and
  the pipeline on them (default options, and one worker).

Reported per run: documents/s, MB/s of input, wall seconds (process start to
exit, so Beam's start-up counts), peak RSS of the process tree (psutil, sampled
every 0.1 s; the sum over processes counts shared pages once per process), and
the ratios against the targets of issue 11.  The machine's load (``os.getloadavg``)
is recorded before and after: on a shared machine compare ratios from one run.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TEXT_RUNS = ("floor", "bare", "default", "inmem", "direct1", "direct2", "dedup_off", "dedup_near")
HTML_RUNS = ("html_trafilatura", "html_bare", "html_default", "html_direct1")
ALL_RUNS = TEXT_RUNS + HTML_RUNS
FLOOR_SAMPLE_CHARS = 1000
PARQUET_BATCH = 500


# ---------------------------------------------------------------------------------------------
# The in-process loops (run in a child: ``python -m bench.speed --_loop NAME --_inputs DIR ...``)


def _input_files(inputs: list[str]) -> list[str]:
    files: list[str] = []
    for pattern in inputs:
        files.extend(sorted(p for p in glob.glob(pattern) if os.path.isfile(p)))
    return files


def _floor_texts(path: str) -> Iterator[tuple[str, str]]:
    """(id, text) of every document in a corpus file: plain read + decode, JSON lines parsed."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".jsonl"):
        for number, line in enumerate(data.splitlines(), 1):
            if line.strip():
                obj = json.loads(line)
                yield str(obj.get("id") or f"{path}:{number}"), obj.get("text") or obj.get("html") or ""
    else:
        yield path, data.decode("utf-8", errors="replace")


class _ParquetSink:
    """Rows to one Parquet file in batches, with an explicit schema."""

    def __init__(self, path: str, schema) -> None:
        import pyarrow.parquet as pq

        self._schema, self._rows = schema, []
        self._writer = pq.ParquetWriter(path, schema)

    def add(self, row: dict) -> None:
        self._rows.append(row)
        if len(self._rows) >= PARQUET_BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()


def loop_floor(inputs: list[str], out: str) -> dict[str, int]:
    """Read + decode, one langdetect call on 1,000 characters, Parquet: the floor."""
    import pyarrow as pa
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    schema = pa.schema([("id", pa.string()), ("text", pa.string()), ("language", pa.string())])
    sink = _ParquetSink(os.path.join(out, "floor.parquet"), schema)
    docs = 0
    for path in _input_files(inputs):
        for doc_id, text in _floor_texts(path):
            detector = factory.create()
            detector.append(text[:FLOOR_SAMPLE_CHARS])
            try:
                language = detector.detect()
            except LangDetectException:
                language = "und"
            sink.add({"id": doc_id, "text": text, "language": language})
            docs += 1
    sink.close()
    return {"documents": docs, "articles": docs, "rejects": 0}


def loop_bare(inputs: list[str], out: str) -> dict[str, int]:
    """The pipeline's reader and every cleaning stage in a plain loop, article rows to Parquet."""
    from schemas import ARTICLE_SCHEMA, article_row
    from transforms.clean import clean_doc, default_detector, default_resources
    from transforms.document import Reject
    from transforms.ingest.readers import read_records

    resources, detector = default_resources(), default_detector()
    sink = _ParquetSink(os.path.join(out, "articles.parquet"), ARTICLE_SCHEMA)
    docs = articles = rejects = 0
    for path in _input_files(inputs):
        for item in read_records(path, lambda path=path: open(path, "rb")):
            docs += 1
            if isinstance(item, Reject):
                rejects += 1
                continue
            try:
                doc = clean_doc(item, resources, detector, skip=())
            except Exception:  # noqa: BLE001 - a reject in the pipeline: counted, not written here
                rejects += 1
                continue
            sink.add(article_row(doc))
            articles += 1
    sink.close()
    return {"documents": docs, "articles": articles, "rejects": rejects}


def loop_trafilatura(inputs: list[str], out: str) -> dict[str, int]:
    """``trafilatura.extract`` alone on each HTML page (decoded as UTF-8), text to Parquet."""
    import logging

    import pyarrow as pa
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    schema = pa.schema([("id", pa.string()), ("text", pa.string())])
    sink = _ParquetSink(os.path.join(out, "trafilatura.parquet"), schema)
    docs = articles = 0
    for path in _input_files(inputs):
        for doc_id, html in _floor_texts(path):
            text = trafilatura.extract(html)
            docs += 1
            if text:
                articles += 1
                sink.add({"id": doc_id, "text": text})
    sink.close()
    return {"documents": docs, "articles": articles, "rejects": docs - articles}


LOOPS = {"floor": loop_floor, "bare": loop_bare, "trafilatura": loop_trafilatura}


# ---------------------------------------------------------------------------------------------
# Running one measurement


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(cmd: list[str], cwd: Path, log: Path, interval: float = 0.1) -> dict[str, Any]:
    """Run ``cmd``; wall seconds and the peak RSS of its process tree."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open(log, "wb") as out:
        popen = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        proc = psutil.Process(popen.pid)
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(proc))
                stop.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = popen.wait()
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run's process tree, once it was waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mb": round(peak / 2**20, 1),
            "returncode": code}


def pipeline_counts(output: Path) -> dict[str, int]:
    """Documents read, articles and rejects written, from the run's run-summary.json."""
    try:
        summary = json.loads((output / "run-summary.json").read_text())
    except (OSError, ValueError):
        return {}
    out = {}
    for key in ("documents_read", "articles_written", "rejects_written"):
        value = summary.get(key)
        if value is None and isinstance(summary.get("totals"), dict):
            value = summary["totals"].get(key)
        if value is not None:
            out[key] = value
    return {"documents": out.get("documents_read"), "articles": out.get("articles_written"),
            "rejects": out.get("rejects_written")}


def pipeline_has_option(name: str) -> bool:
    import argparse as _argparse

    from pipeline.options import PresswashOptions

    parser = _argparse.ArgumentParser()
    PresswashOptions._add_argparse_args(parser)
    return any(name in action.option_strings for action in parser._actions)


def run_one(name: str, inputs: list[str], corpus_bytes: int, docs: int, work: Path) -> dict[str, Any]:
    """One measurement: a loop in a child process, or the pipeline with some options."""
    out = work / f"out-{name}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log = work / f"{name}.log"
    loop = {"floor": "floor", "bare": "bare", "html_bare": "bare", "html_trafilatura": "trafilatura"}.get(name)
    if loop:
        result_file = out / "result.json"
        cmd = [sys.executable, "-m", "bench.speed", "--_loop", loop, "--_out", str(out),
               "--_result", str(result_file), *[arg for i in inputs for arg in ("--_input", i)]]
    else:
        pipeline_args = {
            "default": [], "html_default": [],
            "inmem": ["--direct_running_mode=in_memory", "--direct_num_workers=1"],
            "direct1": ["--direct_running_mode=multi_processing", "--direct_num_workers=1"],
            "html_direct1": ["--direct_running_mode=multi_processing", "--direct_num_workers=1"],
            "direct2": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
            "dedup_off": ["--dedup", "off"], "dedup_near": ["--dedup", "near"],
        }[name]
        cmd = [sys.executable, "-m", "pipeline", *[arg for i in inputs for arg in ("--input", i)],
               "--output", str(out), "--overwrite", *pipeline_args]
    row: dict[str, Any] = {"run": name, "command": " ".join(cmd), "load_before": os.getloadavg()[0]}
    row.update(measure(cmd, ROOT, log))
    row["load_after"] = os.getloadavg()[0]
    if loop:
        try:
            row.update(json.loads((out / "result.json").read_text()))
        except (OSError, ValueError):
            pass
    else:
        row.update(pipeline_counts(out))
    if row["returncode"] != 0:
        row["error"] = log.read_text(errors="replace")[-2000:]
    documents = row.get("documents") or docs
    row["docs_per_s"] = round(documents / row["seconds"], 2) if row["seconds"] else None
    row["mb_per_s"] = round(corpus_bytes / 2**20 / row["seconds"], 3) if row["seconds"] else None
    row["cpu_ms_per_doc"] = round(1000 * row["cpu_seconds"] / documents, 2) if documents else None
    shutil.rmtree(out, ignore_errors=True)
    return row


# ---------------------------------------------------------------------------------------------
# Ratios against the targets of issue 11, and the report


TARGETS = (
    # (name, numerator run, denominator run, target, what)
    ("default / floor", "default", "floor", 0.5, "default run >= 0.5 x floor"),
    ("bare / floor", "bare", "floor", None, "pure chain in one process, for reference"),
    ("in-memory 1 worker / floor", "inmem", "floor", None, "the DirectRunner's own default"),
    ("default / in-memory 1 worker", "default", "inmem", None, "the default run against an explicit one-process run"),
    ("2 workers / 1 worker", "direct2", "direct1", 1.7, "two workers >= 1.7 x one (both worker processes)"),
    ("2 workers / in-process 1 worker", "direct2", "inmem", 1.7,
     "two worker processes against the fastest one-core run (one in-process worker)"),
    ("HTML default / trafilatura", "html_default", "html_trafilatura", 0.8, "HTML mode >= 0.8 x trafilatura.extract"),
    ("HTML 1 worker / trafilatura", "html_direct1", "html_trafilatura", 0.8, "same, one worker against one process"),
    ("HTML bare chain / trafilatura", "html_bare", "html_trafilatura", 0.8,
     "pure chain against trafilatura, one process each"),
    ("dedup near / dedup off", "dedup_near", "dedup_off", None, "cost of near-duplicate detection"),
)


CPU_RATIOS = (
    # (name, run, reference run): CPU time per document of run / of reference (load-independent efficiency)
    ("CPU per doc: bare / floor", "bare", "floor"),
    ("CPU per doc: default / floor", "default", "floor"),
    ("CPU per doc: in-memory / bare", "inmem", "bare"),
    ("CPU per doc: 2 workers / 1 worker", "direct2", "direct1"),
    ("CPU per doc: 2 workers / in-process 1 worker", "direct2", "inmem"),
    ("CPU per page: HTML bare / trafilatura", "html_bare", "html_trafilatura"),
)


def ratios(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for label, top, bottom in CPU_RATIOS:
        a, b = rows.get(top), rows.get(bottom)
        if a and b and a.get("cpu_ms_per_doc") and b.get("cpu_ms_per_doc") and not a.get("returncode") \
                and not b.get("returncode"):
            out.append({"ratio": label, "value": round(a["cpu_ms_per_doc"] / b["cpu_ms_per_doc"], 3),
                        "target": None, "what": "CPU seconds of the process tree per document", "met": None})
    for label, top, bottom, target, what in TARGETS:
        a, b = rows.get(top), rows.get(bottom)
        if not a or not b or not a.get("docs_per_s") or not b.get("docs_per_s"):
            continue
        if a.get("returncode") or b.get("returncode"):
            continue
        value = round(a["docs_per_s"] / b["docs_per_s"], 3)
        out.append({"ratio": label, "value": value, "target": target, "what": what,
                    "met": None if target is None else value >= target})
    return out


def markdown(result: dict[str, Any]) -> str:
    corpus = result["corpus"]
    lines = [
        f"Corpus: {corpus['text_docs']} text documents ({corpus['text_mb']:.1f} MB, txt + JSONL; "
        f"{corpus['exact_duplicates']} exact and {corpus['near_duplicates']} near duplicates) and "
        f"{corpus['html_docs']} HTML pages ({corpus['html_mb']:.1f} MB); seed {corpus['seed']}. "
        f"Machine: {result['machine']['cpus']} cores, load {result['machine']['load_before']:.2f} before, "
        f"{result['machine']['load_after']:.2f} after.",
        "",
        "| run | docs | seconds | docs/s | MB/s | CPU ms/doc | peak RSS MB | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in result["runs"]:
        status = "" if row.get("returncode") == 0 else " (failed)"
        lines.append(f"| {row['run']}{status} | {row.get('documents') or ''} | {row['seconds']} | "
                     f"{row.get('docs_per_s') or ''} | {row.get('mb_per_s') or ''} | "
                     f"{row.get('cpu_ms_per_doc') or ''} | {row['peak_rss_mb']} | {row['load_before']:.1f} |")
    lines += ["", "| ratio | value | target | met |", "|---|---|---|---|"]
    for r in result["ratios"]:
        target = "" if r["target"] is None else f">= {r['target']}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['ratio']} | {r['value']} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="text documents in the corpus")
    parser.add_argument("--html-docs", type=int, default=None,
                        help="HTML pages for the HTML runs (default: docs / 10, at most 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help=f"comma-separated runs (default all): {','.join(ALL_RUNS)}")
    parser.add_argument("--workdir", type=Path, help="corpus and outputs (default: a temp dir, removed after)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--eval-dir", type=Path, default=None,
                        help="the evaluation set the corpus is made from (default: ../shared/eval)")
    parser.add_argument("--tag", default="speed", help="results file name: <results>/<tag>.json and .md")
    # internal: one loop in this process
    parser.add_argument("--_loop", choices=sorted(LOOPS), help=argparse.SUPPRESS)
    parser.add_argument("--_input", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--_out", help=argparse.SUPPRESS)
    parser.add_argument("--_result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._loop:
        counts = LOOPS[args._loop](args._input, args._out)
        Path(args._result).write_text(json.dumps(counts))
        return 0

    from bench.corpus import DEFAULT_EVAL, write_corpus

    eval_dir = args.eval_dir or DEFAULT_EVAL
    if not (eval_dir / "dev_ids.txt").exists():
        print(f"warning: no evaluation set at {eval_dir}: the corpus is made from seeds/samples only",
              file=sys.stderr)

    runs = [r.strip() for r in args.only.split(",") if r.strip()] or list(ALL_RUNS)
    unknown = [r for r in runs if r not in ALL_RUNS]
    if unknown:
        parser.error(f"unknown runs {unknown}; choose from {ALL_RUNS}")
    if not pipeline_has_option("--dedup"):
        skipped = [r for r in runs if r.startswith("dedup_")]
        if skipped:
            print(f"skipping {skipped}: the pipeline has no --dedup option", file=sys.stderr)
        runs = [r for r in runs if not r.startswith("dedup_")]
    html_docs = args.html_docs if args.html_docs is not None else min(1000, max(50, args.docs // 10))
    if html_docs == 0:
        runs = [r for r in runs if r not in HTML_RUNS]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="presswash-speed-"))
    work.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    text_manifest = write_corpus(work / "text", args.docs, args.seed, ("txt", "jsonl"), eval_dir=eval_dir)
    text_inputs = [str(work / "text" / "txt" / "*.txt"), str(work / "text" / "jsonl" / "*.jsonl")]
    html_manifest = None
    if any(r in HTML_RUNS for r in runs):
        html_manifest = write_corpus(work / "html", html_docs, args.seed, ("html",), eval_dir=eval_dir)
    print(f"corpus written in {time.monotonic() - started:.1f} s under {work}", file=sys.stderr)

    rows = {}
    load_before = os.getloadavg()[0]

    def save() -> str:
        """Results so far (written after every run: a long run that is stopped keeps what it measured)."""
        result = {
            "corpus": {
                "text_docs": args.docs, "text_mb": text_manifest["bytes"] / 2**20,
                "exact_duplicates": text_manifest["exact_duplicates"],
                "near_duplicates": text_manifest["near_duplicates"],
                "html_docs": html_manifest["docs"] if html_manifest else 0,
                "html_mb": html_manifest["bytes"] / 2**20 if html_manifest else 0.0, "seed": args.seed,
            },
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": load_before,
                        "load_after": os.getloadavg()[0]},
            "runs": list(rows.values()),
            "ratios": ratios(rows),
        }
        args.results.mkdir(parents=True, exist_ok=True)
        (args.results / f"{args.tag}.json").write_text(json.dumps(result, indent=1))
        table = markdown(result)
        (args.results / f"{args.tag}.md").write_text(table)
        return table

    table = save()
    for name in runs:
        html = name in HTML_RUNS
        manifest = html_manifest if html else text_manifest
        inputs = [str(work / "html" / "html" / "*.html")] if html else text_inputs
        row = run_one(name, inputs, manifest["bytes"], manifest["docs"], work)
        rows[name] = row
        print(f"{name:18s} {row['seconds']:8.1f} s {row.get('docs_per_s') or 0:8.1f} docs/s "
              f"{row.get('cpu_ms_per_doc') or 0:8.1f} CPU ms/doc {row['peak_rss_mb']:8.1f} MB  "
              f"rc={row['returncode']}  load {row['load_before']:.1f}", file=sys.stderr)
        table = save()
    print(table)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
