"""Command-line options of the presswash pipeline (plus every standard Beam option).

``PresswashOptions._add_argparse_args`` is the ONE place presswash options are
defined: ``python -m pipeline`` (``pipeline/cli.py``) builds its ``--help`` and
its check for unknown options from it, and Beam's ``PipelineOptions`` parses
them from it.  To add an option, add one ``parser.add_argument`` call there
(with a ``help`` text; the default is shown in ``--help`` automatically).
"""

from __future__ import annotations

import argparse

from apache_beam.options.pipeline_options import PipelineOptions

from transforms.clean import BOILERPLATE_MODES
from transforms.corpus.dedup import DEDUP_MODES
from transforms.ingest.readers import FORMATS, ReadLimits

DEFAULT_INPUT = "seeds/samples/*"
DEFAULT_OUTPUT = "output"
_LIMITS = ReadLimits()
AUTO_WORKERS_MIN_MB = 8  # --workers auto: below this much input, starting worker processes costs more than it saves
# --workers auto: from this much input on, one process again.  Beam's multi-process FnApiRunner lost ~2% of the
# documents in 2 of 3 default runs of a 447 MB, 50,000-document corpus (the accounting caught it: exit 1); runs of
# up to 186 MB and every in-process run balanced (docs/performance.md, "Known problem").  --workers N still chooses.
AUTO_WORKERS_MAX_MB = 256


def _workers(value: str) -> str:
    """``--workers``: ``auto`` or a positive number of worker processes."""
    if value == "auto" or (value.isdigit() and int(value) >= 1):
        return value
    raise argparse.ArgumentTypeError(f"takes 'auto' or a number of worker processes >= 1, got {value!r}")


class PresswashOptions(PipelineOptions):
    """``--input``, ``--output``, ``--input_format`` and the safety limits."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input", action="append", default=None,
            help="input file, directory (every file under it, recursively) or glob, local or any Beam "
                 "filesystem URI (gs://...); repeat the option or "
                 f"separate with commas for several (default: {DEFAULT_INPUT})")
        parser.add_argument(
            "--output", default=DEFAULT_OUTPUT,
            help="output directory or URI prefix: articles-*.parquet, rejects-*.parquet and "
                 f"run-summary.json are written there (default: {DEFAULT_OUTPUT})")
        parser.add_argument(
            "--input_format", default="auto", choices=FORMATS,
            help="how to read inputs; auto decides per file by extension (.txt .jsonl .html, "
                 "also .gz/.bz2) and falls back to sniffing the content")
        parser.add_argument(
            "--boilerplate", default="auto", choices=BOILERPLATE_MODES,
            help="line classifier for navigation/share/related lines: auto = for text input only")
        parser.add_argument(
            "--overwrite", action="store_true", default=False,
            help="replace outputs already present at --output (without it the run refuses to start)")
        parser.add_argument(
            "--max_doc_bytes", type=int, default=_LIMITS.max_doc_bytes,
            help="largest document (file or JSONL line, after decompression); larger ones are rejected")
        parser.add_argument(
            "--max_lines", type=int, default=_LIMITS.max_lines,
            help="most lines in one document; more are rejected")
        parser.add_argument(
            "--max_decompressed_bytes", type=int, default=_LIMITS.max_decompressed_bytes,
            help="most bytes one compressed file may expand to (against compression bombs)")
        parser.add_argument(
            "--num_shards", type=int, default=0,
            help="Parquet files per output (0 = let the runner decide)")
        # Corpus stages (transforms/beam/corpus.py, docs/corpus.md).
        parser.add_argument(
            "--dedup", default="near", choices=DEDUP_MODES,
            help="duplicate articles: near = exact copies and MinHash near copies, exact = same cleaned body "
                 "only, off = keep all; the kept copy is the earliest published, then the smallest id")
        parser.add_argument(
            "--near_dup_threshold", type=float, default=0.8,
            help="with --dedup near: estimated Jaccard similarity of the bodies' 5-word shingles from which "
                 "two articles are near duplicates")
        parser.add_argument(
            "--site_boilerplate", default="on", choices=("on", "off"),
            help="remove lines that recur in many documents of one site (learned from the inputs); off for "
                 "inputs where repeated lines are content")
        parser.add_argument(
            "--site_min_docs", type=int, default=3,
            help="a line is site boilerplate when it is in at least this many documents of its domain ...")
        parser.add_argument(
            "--site_min_fraction", type=float, default=0.3,
            help="... and in at least this fraction of the domain's documents")
        parser.add_argument(
            "--workers", default="auto", type=_workers,
            help="local batch runs (no --runner): auto = one worker process per core when the inputs hold at "
                 f"least {AUTO_WORKERS_MIN_MB} MB and under {AUTO_WORKERS_MAX_MB} MB, else one in-process worker; "
                 "N = N worker processes (1 = in "
                 "this process). Beam's --direct_running_mode/--direct_num_workers, when given, decide instead")
        parser.add_argument(
            "--progress_seconds", type=float, default=5.0,
            help="DirectRunner: print documents read/written and the rate this often while the run goes "
                 "(0 = never; other runners show Beam counters in their own UI)")
        # Streaming (pipeline/streaming.py, docs/streaming.md) and the BigQuery sink (schemas/bigquery.py).
        parser.add_argument(
            "--input_subscription", default=None,
            help="with --streaming: read messages from this Pub/Sub subscription "
                 "(projects/P/subscriptions/S); each message is one JSON document, text or HTML page")
        parser.add_argument(
            "--input_topic", default=None,
            help="with --streaming: read messages from this Pub/Sub topic (projects/P/topics/T) "
                 "through a subscription the runner creates")
        parser.add_argument(
            "--timestamp_attribute", default=None,
            help="with --streaming: the message attribute holding the event time (RFC 3339 or milliseconds "
                 "since the epoch); without it, windows are by arrival (publish) time")
        parser.add_argument(
            "--window_seconds", type=int, default=60,
            help="with --streaming: length of the fixed windows; each window gets its own articles, rejects "
                 "and summary files")
        parser.add_argument(
            "--allowed_lateness_seconds", type=int, default=86400,
            help="with --streaming: how long after its window closed a late message is still written (in a "
                 "later firing of its window)")
        parser.add_argument(
            "--dedup_ttl_seconds", type=int, default=7 * 24 * 3600,
            help="with --streaming: how long (event time) a kept document's content key and MinHash band keys "
                 "are remembered to catch later copies across windows")
        parser.add_argument(
            "--bigquery_table", default=None,
            help="also write articles to this BigQuery table, PROJECT:DATASET.TABLE (file loads in batch, "
                 "the Storage Write API in streaming); needs the gcp extra")

    def input_patterns(self) -> list[str]:
        """The --input values, split on commas."""
        values = self.view_as(PresswashOptions).input or [DEFAULT_INPUT]
        return [p.strip() for value in values for p in value.split(",") if p.strip()]

    def limits(self) -> ReadLimits:
        return ReadLimits(
            max_doc_bytes=self.max_doc_bytes,
            max_lines=self.max_lines,
            max_decompressed_bytes=self.max_decompressed_bytes,
        )
