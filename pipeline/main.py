"""presswash: raw scraped text and HTML -> clean article records in Parquet.

Run on the sample inputs (DirectRunner)::

    python -m pipeline                                  # seeds/samples/* -> output/
    python -m pipeline --input 'data/*.jsonl.gz' --output out/ --overwrite
    python -m pipeline --input gs://bucket/raw/* --output gs://bucket/clean \\
        --runner DataflowRunner --project P --region R --temp_location gs://bucket/tmp \\
        --setup_file ./setup.py
    python -m pipeline explain seeds/samples/000_83adebb5c520ffc7.txt

The graph: ReadDocuments -> CleanDocuments (one stage per cleaning step) ->
articles-*.parquet; every reject of every stage -> rejects-*.parquet; counts ->
run-summary.json.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import shutil
import sys
import time
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.options import PresswashOptions
from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA, article_row, reject_row
from transforms import accounting
from transforms.clean import CleaningResources, load_cleaning_resources
from transforms.beam.io import SUMMARY_NAME, ReadDocuments, SummarizeRun, WriteRows
from transforms.beam.stages import NAMESPACE, CleanDocuments
from transforms.accounting import format_summary

OUTPUT_GLOBS = ("articles-*.parquet", "rejects-*.parquet", SUMMARY_NAME)
TEMP_GLOB = "beam-temp-*"  # what a killed run leaves behind


def output_path(output: str, name: str) -> str:
    return FileSystems.join(output, name)


def build(p: beam.Pipeline, opts: PresswashOptions, resources: CleaningResources | None = None) -> dict[str, Any]:
    """Wire the graph on ``p``; returns the named output PCollections."""
    resources = resources or load_cleaning_resources()
    docs, read_rejects = p | "ReadDocuments" >> ReadDocuments(opts.input_patterns(), opts.input_format, opts.limits())
    read_items = (docs, read_rejects) | "AllRead" >> beam.Flatten()
    articles, clean_rejects = docs | "CleanDocuments" >> CleanDocuments(resources, opts.boilerplate)
    rejects = (read_rejects, clean_rejects) | "AllRejects" >> beam.Flatten()
    articles | "WriteArticles" >> WriteRows(
        output_path(opts.output, "articles"), ARTICLE_SCHEMA, article_row, accounting.article_tally, opts.num_shards)
    rejects | "WriteRejects" >> WriteRows(
        output_path(opts.output, "rejects"), REJECT_SCHEMA, reject_row, accounting.reject_tally, opts.num_shards)
    summary = (read_items, articles, rejects) | "Summarize" >> SummarizeRun(output_path(opts.output, SUMMARY_NAME))
    return {"articles": articles, "rejects": rejects, "summary": summary}


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


def prepare_output(opts: PresswashOptions) -> None:
    """Refuse to mix runs in one output unless --overwrite; with it, clear the old outputs."""
    existing = existing_outputs(opts.output)
    if existing and not opts.overwrite:
        raise SystemExit(
            f"presswash: {opts.output} already holds outputs ({len(existing)} files, e.g. {existing[0]}); "
            "pass --overwrite to replace them or choose another --output")
    if existing:
        FileSystems.delete(existing)
    if opts.overwrite:
        remove_temp_leftovers(opts.output)
    if "://" not in opts.output:
        os.makedirs(opts.output, exist_ok=True)


def remove_temp_leftovers(output: str) -> None:
    """Delete the ``beam-temp-*`` files (and, locally, folders) a killed run left at ``output``."""
    leftovers = existing_outputs(output, (TEMP_GLOB + "/*",))
    if leftovers:
        FileSystems.delete(leftovers)
    if "://" not in output:  # object stores have no folders to remove
        for folder in glob.glob(os.path.join(output, TEMP_GLOB)):
            shutil.rmtree(folder, ignore_errors=True)


def check_local_inputs(patterns: list[str]) -> None:
    """Fail early, with a clear message, on a local input that matches nothing."""
    for pattern in patterns:
        if "://" in pattern:
            continue
        if not FileSystems.match([pattern])[0].metadata_list:
            raise SystemExit(f"presswash: --input {pattern!r} matches no file")


def finish_summary(opts: PresswashOptions, elapsed: float, result: Any) -> dict[str, Any] | None:
    """Add run facts the graph cannot know (elapsed time, runner) to run-summary.json."""
    path = output_path(opts.output, SUMMARY_NAME)
    try:
        with FileSystems.open(path) as f:
            summary = json.loads(f.read().decode("utf-8"))
    except Exception:  # noqa: BLE001 - e.g. a dry run writes nothing
        return None
    summary["elapsed_seconds"] = round(elapsed, 3)
    summary["runner"] = opts.view_as(StandardOptions).runner or "DirectRunner"
    summary["inputs"] = opts.input_patterns()
    summary["state"] = str(getattr(result, "state", ""))
    summary["counters"] = beam_counters(result)
    with FileSystems.create(path) as f:
        f.write(json.dumps(summary, indent=1, sort_keys=True).encode("utf-8"))
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


def run(argv: list[str] | None = None) -> dict[str, Any] | None:
    """Build and run the pipeline; returns the run summary (None when the runner did not finish)."""
    options = PipelineOptions(argv)
    opts = options.view_as(PresswashOptions)
    dry_run = bool(options.get_all_options().get("dry_run"))
    if not dry_run:
        check_local_inputs(opts.input_patterns())
        prepare_output(opts)
    resources = load_cleaning_resources()
    started = time.monotonic()
    p = beam.Pipeline(options=options)
    build(p, opts, resources)
    result = p.run()
    if dry_run:
        return None
    result.wait_until_finish()
    summary = finish_summary(opts, time.monotonic() - started, result)
    if summary is not None:
        print(format_summary(summary))
        print(f"outputs in {opts.output}")
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["explain"]:
        from pipeline.explain import main as explain_main

        return explain_main(argv[1:])
    logging.getLogger().setLevel(logging.WARNING)
    # trafilatura logs every page it finds no text in; those pages are rejects with a reason already.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    summary = run(argv)
    return 0 if summary is None or summary.get("balanced", False) else 1
