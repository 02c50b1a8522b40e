"""presswash: raw scraped text and HTML -> clean article records in Parquet.

Run on the sample inputs (DirectRunner)::

    python -m pipeline                                  # seeds/samples/* -> output/
    python -m pipeline --input 'data/*.jsonl.gz' --output out/ --overwrite
    python -m pipeline --input gs://bucket/raw/* --output gs://bucket/clean \\
        --runner DataflowRunner --project P --region R --temp_location gs://bucket/tmp \\
        --setup_file ./setup.py
    python -m pipeline explain seeds/samples/000_83adebb5c520ffc7.txt

The graph: ReadDocuments -> CleanCorpus (the stage table in two ParDos, per-site lines, dedup) ->
articles-*.parquet; every reject of every stage -> rejects-*.parquet (bytes re-read
by source); per-file balance -> accounting-*.jsonl; totals are Beam counters; the
driver writes run-summary.json after the run (docs/accounting.md, docs/layout.md).
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import sys
import time
import uuid
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

from pipeline.options import AUTO_WORKERS_MAX_MB, AUTO_WORKERS_MIN_MB, PresswashOptions
from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA, article_row, reject_row
from transforms import accounting
from transforms.accounting import format_summary
from transforms.beam.corpus import CleanCorpus, corpus_dedup_settings, corpus_site_settings
from transforms.beam.io import (
    ACCOUNTING_GLOB,
    ACCOUNTING_PREFIX,
    SUMMARY_NAME,
    AccountPerKey,
    AttachRawBytes,
    ReadDocuments,
    WriteAccounting,
    WriteRows,
    read_mark,
    summarize_run,
    write_summary,
)
from transforms.beam.progress import ProgressReporter
from transforms.beam.stages import NAMESPACE
from transforms.clean import STAGES, CleaningResources, load_cleaning_resources

OUTPUT_GLOBS = ("articles-*.parquet", "rejects-*.parquet", ACCOUNTING_GLOB, SUMMARY_NAME)
TEMP_GLOB = "beam-temp-*"  # what a killed run leaves behind
STAGING = ".staging"  # OUTPUT/.staging/<run-id>/: a run's files until it is published


def output_path(output: str, name: str) -> str:
    return FileSystems.join(output, name)


def build(p: beam.Pipeline, opts: PresswashOptions, resources: CleaningResources | None = None) -> dict[str, Any]:
    """Wire the graph on ``p``; returns the named output PCollections.

    Reader -> (docs without their bytes, read rejects) -> CleanDocuments (the
    stage table) -> articles; read and stage rejects -> bytes re-read for stage
    rejects -> rejects.  Totals are Beam counters counted by the writers; the
    per-file balance rows go to ``accounting-*.jsonl``; ``run-summary.json`` is
    the driver's (:func:`finish_summary`).
    """
    resources = resources or load_cleaning_resources()
    limits = opts.limits()
    parts, read_rejects = p | "ReadDocuments" >> ReadDocuments(
        opts.input_patterns(), opts.input_format, limits, split=True)
    # What the per-file balance needs of every item read: its file (not the document: no copy of the corpus).
    marks = [part | f"ReadMarks{i}" >> beam.Map(read_mark) for i, part in enumerate(parts)]
    read_items = ((*marks, read_rejects | "RejectMarks" >> beam.Map(read_mark)) | "AllRead" >> beam.Flatten())
    # The stage table, with per-site boilerplate learned from the corpus, then exact/near dedup
    # (transforms/beam/corpus.py).
    articles, clean_rejects = parts | "CleanDocuments" >> CleanCorpus(
        resources, opts.boilerplate, corpus_site_settings(opts), corpus_dedup_settings(opts))
    rejects = (read_rejects, clean_rejects) | "AllRejects" >> beam.Flatten()
    articles | "WriteArticles" >> WriteRows(
        output_path(opts.output, "articles"), ARTICLE_SCHEMA, article_row, accounting.article_tally, opts.num_shards)
    (rejects
     | "RejectBytes" >> AttachRawBytes(limits)
     | "WriteRejects" >> WriteRows(
         output_path(opts.output, "rejects"), REJECT_SCHEMA, reject_row, accounting.reject_tally, opts.num_shards))
    file_rows = (read_items, articles, rejects) | "AccountPerFile" >> AccountPerKey()
    file_rows | "WriteAccounting" >> WriteAccounting(output_path(opts.output, ACCOUNTING_PREFIX))
    if getattr(opts, "bigquery_table", None):  # optional analytics sink (transforms/beam/bigquery.py)
        from transforms.beam.bigquery import WriteArticlesToBigQuery

        articles | "WriteBigQuery" >> WriteArticlesToBigQuery(opts.bigquery_table, streaming=False)
    return {"articles": articles, "rejects": rejects, "accounting": file_rows}


def existing_outputs(output: str, patterns: tuple[str, ...] = OUTPUT_GLOBS) -> list[str]:
    """Paths already at ``output`` that match ``patterns`` (by default: articles, rejects, summary)."""
    found = []
    for pattern in patterns:
        try:
            match = FileSystems.match([output_path(output, pattern)])[0]
        except Exception:  # noqa: BLE001 - an unreachable or empty location has no outputs
            continue
        found.extend(m.path for m in match.metadata_list)
    return sorted(found)


def check_output(opts: PresswashOptions) -> None:
    """Refuse to mix runs in one output unless --overwrite (the old outputs are replaced only at publish time)."""
    existing = existing_outputs(opts.output)
    if existing and not opts.overwrite:
        raise InputError(
            f"{opts.output} already holds outputs ({len(existing)} files, e.g. {existing[0]}); "
            "pass --overwrite to replace them or choose another --output")


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def staging_dir(output: str, run_id: str) -> str:
    """Where a run writes before it is published: ``OUTPUT/.staging/<run-id>`` (ignored by Parquet readers)."""
    return FileSystems.join(output, STAGING, run_id)


def _is_local(path: str) -> bool:
    return "://" not in path


def _families(names: list[str]) -> tuple[str, ...]:
    """``articles-00000-of-00002.parquet`` -> ``articles-*.parquet``: what a newer run's file replaces."""
    return tuple(sorted({_SHARD_RE.sub(r"\1-*\3", name) for name in names}))


_SHARD_RE = re.compile(r"^(.*?)(-\d{5}-of-\d{5})(\.[^/]*)$")


def publish(staging: str, output: str) -> list[str]:
    """Move a finished run's files from ``staging`` to ``output``; only now are the old outputs replaced.

    Every staged file is renamed into place (the summary last), then old outputs
    of the same kinds that the new run did not overwrite are deleted, then the
    staging folder.  Returns the published paths.
    """
    prefix = staging.rstrip("/") + "/"
    staged = sorted(m.path for m in FileSystems.match([FileSystems.join(staging, "*")])[0].metadata_list)
    names = [path[len(prefix):] for path in staged]
    old = existing_outputs(output, tuple(dict.fromkeys(OUTPUT_GLOBS + _families(names))))
    if _is_local(output):
        os.makedirs(output, exist_ok=True)
    order = sorted(range(len(names)), key=lambda i: names[i] == SUMMARY_NAME)  # the summary last
    destinations = [output_path(output, names[i]) for i in order]
    if staged:
        FileSystems.rename([staged[i] for i in order], destinations)
    stale = [path for path in old if path not in destinations]
    if stale:
        FileSystems.delete(stale)
    remove_staging(output, staging)
    return destinations


def remove_staging(output: str, staging: str | None = None) -> None:
    """Delete one run's staging folder (default: every run's, i.e. what killed runs left) under ``output``."""
    root = staging or FileSystems.join(output, STAGING)
    if _is_local(root):
        shutil.rmtree(root, ignore_errors=True)
        parent = os.path.join(output, STAGING)
        if os.path.isdir(parent) and not os.listdir(parent):
            os.rmdir(parent)
        return
    leftovers = existing_outputs(root, ("**",))
    if leftovers:
        FileSystems.delete(leftovers)


def remove_temp_leftovers(output: str) -> None:
    """Delete the ``beam-temp-*`` files (and, locally, folders) a killed run left at ``output``."""
    leftovers = existing_outputs(output, (TEMP_GLOB + "/*",))
    if leftovers:
        FileSystems.delete(leftovers)
    if "://" not in output:  # object stores have no folders to remove
        for folder in glob.glob(os.path.join(output, TEMP_GLOB)):
            shutil.rmtree(folder, ignore_errors=True)


_GLOB_CHARS = re.compile(r"[*?\[]")


def directory_pattern(pattern: str) -> str:
    """A directory means every file under it: ``DIR`` or ``DIR/`` -> ``DIR/**`` (local: when it is a folder)."""
    if _GLOB_CHARS.search(pattern):
        return pattern
    if pattern.endswith("/") or (_is_local(pattern) and os.path.isdir(pattern)):
        return _under(pattern)
    return pattern


def _under(directory: str) -> str:
    """Every file under ``directory``, recursively (``**`` on every Beam filesystem)."""
    return directory.rstrip("/") + "/**"


def resolve_inputs(patterns: list[str], check: bool = True) -> list[str]:
    """Directories -> ``DIR/**``; with ``check``, every pattern must match a file on its filesystem.

    Without a trailing slash a remote directory (an object prefix) is found by
    matching ``PREFIX/**`` when ``PREFIX`` itself is no object.  Raises
    :class:`InputError` naming the first pattern that matches nothing.
    """
    resolved = []
    for pattern in patterns:
        candidate = directory_pattern(pattern)
        if check:
            found = _match(pattern, candidate)
            if not found and candidate == pattern and not _GLOB_CHARS.search(pattern):
                candidate = _under(pattern)  # an object-store "folder"
                found = _match(pattern, candidate)
            if not found:
                where = "" if _is_local(pattern) else f" on {pattern.split('://', 1)[0]}://"
                raise InputError(f"--input {pattern!r} matches no file{where}")
        resolved.append(candidate)
    return resolved


def _match(pattern: str, candidate: str) -> int:
    try:
        return len(FileSystems.match([candidate])[0].metadata_list)
    except Exception as exc:  # noqa: BLE001 - an unreadable location is the user's to fix, with the cause
        if "No files found" in str(exc):
            return 0
        raise InputError(f"--input {pattern!r} cannot be listed: {type(exc).__name__}: {exc}") from exc


def finish_summary(opts: PresswashOptions, elapsed: float, result: Any) -> dict[str, Any] | None:
    """Write run-summary.json (the driver alone writes it, after the run): the Beam counters, the
    per-file rows read back from ``accounting-*.jsonl``, and what only the driver knows (elapsed, runner)."""
    runner = opts.view_as(StandardOptions).runner or "DirectRunner"
    summary = summarize_run(
        result, opts.output, elapsed_seconds=round(elapsed, 3),
        runner=runner if isinstance(runner, str) else type(runner).__name__,
        inputs=opts.input_patterns(), state=str(getattr(result, "state", "")))
    write_summary(summary, output_path(opts.output, SUMMARY_NAME))
    return summary


def beam_counters(result: Any) -> dict[str, int]:
    """The run's ``presswash`` counters (committed where the runner has them, else attempted)."""
    from apache_beam.metrics.metric import MetricsFilter

    try:
        counters = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]
    except Exception:  # noqa: BLE001 - not every runner reports metrics
        return {}
    totals: dict[str, int] = {}
    for counter in counters:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (value or 0)
    return dict(sorted(totals.items()))


class InputError(Exception):
    """A problem with the command's inputs or output location: reported in one line, exit status 2."""


class RunError(Exception):
    """The run did not produce a result worth publishing: reported in one line, exit status 1."""


def _driver_waits(all_options: dict[str, Any]) -> bool:
    """False when nobody waits for the job here: a dry run, or a (classic) template being built."""
    return not all_options.get("dry_run") and not all_options.get("template_location")


def _progress_interval(options: PipelineOptions, opts: PresswashOptions) -> float:
    """--progress_seconds on the DirectRunner (any running mode); 0 on every other runner."""
    runner = options.view_as(StandardOptions).runner
    runner_name = runner if isinstance(runner, str) or runner is None else type(runner).__name__
    if runner_name not in (None, "DirectRunner", "SwitchingDirectRunner", "FnApiRunner"):
        return 0.0
    return max(opts.progress_seconds or 0.0, 0.0)


def check_sinks(opts: PresswashOptions) -> None:
    """``--output`` is a folder or URI prefix for Parquet; BigQuery is its own sink (``--bigquery_table``)."""
    scheme = opts.output.split("://", 1)[0].lower() if "://" in opts.output else ""
    if scheme in ("bigquery", "bq") or opts.output.lower().startswith("bigquery:"):
        raise InputError(
            f"--output {opts.output!r}: --output takes a folder or a file-system URI (gs://, s3://, a local path) "
            "for the Parquet files; to also load the articles into BigQuery add --bigquery_table "
            "PROJECT:DATASET.TABLE (see docs/cloud.md)")
    if opts.bigquery_table:
        from schemas.bigquery import parse_table

        try:
            parse_table(opts.bigquery_table)
        except ValueError as exc:
            raise InputError(str(exc)) from exc


def pin_local_batch_runner(options: PipelineOptions, argv: list[str] | None = None,
                           input_bytes: int | None = None) -> int | None:
    """A batch run without ``--runner`` uses Beam's Python FnApiRunner directly, on ``--workers``.

    Beam's default DirectRunner first tries the Prism runner, which downloads a
    binary from the internet at run time (it fails offline and falls back to the
    FnApiRunner after a network attempt).  The FnApiRunner is what batch runs end
    up on anyway, and it honours ``--direct_num_workers``/``--direct_running_mode``.

    ``--workers auto`` runs one worker process per core when the inputs hold at
    least ``AUTO_WORKERS_MIN_MB`` (``input_bytes``; a small run is faster without
    starting processes) and less than ``AUTO_WORKERS_MAX_MB`` (larger local runs
    lost documents in Beam's multi-process runner), else in this process; ``--workers N`` runs N processes
    (1: in this process).  Beam's own ``--direct_running_mode`` or
    ``--direct_num_workers`` on the command line (``argv``) win.  Returns the
    number of workers chosen (None when the run is not a local batch run or Beam's
    flags decide).
    """
    standard = options.view_as(StandardOptions)
    if standard.runner is not None or standard.streaming:
        return None
    standard.runner = "FnApiRunner"
    flags = argv if argv is not None else sys.argv[1:]
    if any(f.split("=", 1)[0] in ("--direct_running_mode", "--direct_num_workers") for f in flags):
        return None
    choice = options.view_as(PresswashOptions).workers
    if choice == "auto":
        mb = 1024 * 1024
        big = input_bytes is not None and input_bytes >= AUTO_WORKERS_MIN_MB * mb
        huge = input_bytes is not None and input_bytes >= AUTO_WORKERS_MAX_MB * mb
        workers = cpu_count() if big and not huge else 1
        if huge and cpu_count() > 1:
            print(f"presswash: --workers auto: {input_bytes // mb} MB of input, so one in-process worker: Beam's "
                  f"multi-process local runner lost documents on inputs this large (docs/performance.md, "
                  f"'Known problem'); --workers N chooses N processes", file=sys.stderr)
    else:
        workers = int(choice)
    direct = options.view_as(DirectOptions)
    if workers > 1:
        direct.direct_running_mode = "multi_processing"
        direct.direct_num_workers = workers
    else:
        direct.direct_running_mode = "in_memory"
        direct.direct_num_workers = 1
    return workers


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def input_size(patterns: list[str]) -> int | None:
    """Total bytes of the files the input patterns match (None when they cannot be listed)."""
    try:
        return sum(m.size_in_bytes or 0 for r in FileSystems.match(patterns) for m in r.metadata_list)
    except Exception:  # noqa: BLE001 - the size only chooses a default; reading reports real problems
        return None


def run(argv: list[str] | None = None) -> dict[str, Any] | None:
    """Build and run the pipeline; returns the run summary (None when the driver does not wait).

    The run writes to ``OUTPUT/.staging/<run-id>/`` and its files are published
    to ``OUTPUT`` only after it completed; a failed or killed run leaves the
    previous outputs as they were.  Raises :class:`InputError` for inputs that
    match nothing or an output that holds a previous run (without --overwrite),
    :class:`RunError` for a run that failed or read no documents.
    """
    options = PipelineOptions(argv)
    opts = options.view_as(PresswashOptions)
    check_sinks(opts)
    from pipeline.streaming import StreamingUsageError, check_streaming_options, is_streaming, run_streaming

    try:
        check_streaming_options(options)
    except StreamingUsageError as exc:
        raise InputError(str(exc)) from exc
    if is_streaming(options):
        return run_streaming(options)  # pipeline/streaming.py: Pub/Sub -> per-window files
    waits = _driver_waits(options.get_all_options())
    # A directory means every file under it; the driver checks that every pattern matches a file, on any
    # filesystem, unless it only builds the graph (dry run, template).
    opts.input = resolve_inputs(opts.input_patterns(), check=waits)
    if options.view_as(StandardOptions).runner is None and not options.view_as(StandardOptions).streaming:
        pin_local_batch_runner(options, argv, input_size(opts.input))
    final_output = staging = opts.output
    if waits:
        check_output(opts)
        staging = staging_dir(final_output, new_run_id())
        if _is_local(staging):
            os.makedirs(staging, exist_ok=True)
    resources = load_cleaning_resources()
    started = time.monotonic()
    try:
        # build() and finish_summary() write to opts.output: the staging folder until publish().
        opts.output = staging
        p = beam.Pipeline(options=options)
        build(p, opts, resources)
        if not waits:
            p.run()
            return None
        with ProgressReporter(_progress_interval(options, opts), stage_order=tuple(s.name for s in STAGES)):
            result = p.run()
            state = result.wait_until_finish()
        if str(state) not in ("DONE", "PipelineState.DONE"):
            raise RunError(f"the run ended in state {state}; the previous outputs are unchanged")
        summary = finish_summary(opts, time.monotonic() - started, result)
        if summary is None:
            raise RunError(f"the run wrote no {SUMMARY_NAME}; the previous outputs are unchanged")
        if not summary.get("documents_read"):
            raise RunError(f"the run read 0 documents from {', '.join(opts.input_patterns())}; "
                           "nothing was published, the previous outputs are unchanged")
        opts.output = final_output
        publish(staging, final_output)
    except BaseException:
        if waits:
            remove_staging(final_output, staging)
        raise
    finally:
        opts.output = final_output
    if opts.overwrite:
        remove_staging(final_output)  # what killed runs left
        remove_temp_leftovers(final_output)  # what runs before staging existed left
    print(format_summary(summary))
    print(f"outputs in {final_output}")
    return summary


def run_command(argv: list[str]) -> int:
    """Run the pipeline for the command line; returns the exit status (0 only for a balanced, non-empty run)."""
    logging.getLogger().setLevel(logging.WARNING)
    # trafilatura logs every page it finds no text in; those pages are rejects with a reason already.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        summary = run(argv)
    except InputError as exc:
        print(f"presswash: error: {exc}", file=sys.stderr)
        return 2
    except RunError as exc:
        print(f"presswash: error: {exc}", file=sys.stderr)
        return 1
    if summary is not None and not summary.get("balanced", False):
        print("presswash: error: read != articles + rejects for some input (see run-summary.json)", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """The ``presswash`` console script and ``python -m pipeline``: see :mod:`pipeline.cli`."""
    from pipeline.cli import main as cli_main

    return cli_main(argv)
