"""Beam I/O stages: reading input files into documents, writing Parquet, the run accounting.

Reading goes through ``fileio`` (``MatchAll`` + ``ReadMatches``), so nothing is
globbed at graph-construction time and any Beam filesystem (local, ``gs://``,
``s3://``, ...) works.  Example::

    docs, rejects = p | ReadDocuments(["seeds/samples/*"], "auto", ReadLimits())

Accounting (see :mod:`transforms.accounting`): the writers count the totals as
Beam counters; :class:`AccountPerKey` turns the read, article and reject
collections into one balance row per key (per input file; per window and file
on windowed input) and :class:`WriteAccounting` writes them with a normal file
sink.  The driver, when it waits, builds ``run-summary.json`` from the
counters and those rows (:func:`summarize_run`); nothing in the graph writes
the summary, so the graph also runs unbounded and under templates.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from typing import Any, Callable, NamedTuple

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import WriteToParquet
from apache_beam.transforms.window import GlobalWindow

from transforms import accounting
from transforms.beam.stages import NAMESPACE, REJECTS, Counters
from transforms.document import Reject
from transforms.ingest.raw import iter_raw, needs_raw
from transforms.ingest.readers import ReadLimits, read_records
from transforms.keys import source_id

SUMMARY_NAME = "run-summary.json"
ACCOUNTING_PREFIX = "accounting"
ACCOUNTING_GLOB = ACCOUNTING_PREFIX + "-*.jsonl"


def _open_stored(path: str):
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


# Parquet writer buffers (per output file being written): a row group every 16 MB of Arrow data,
# Python rows converted 200 at a time.  Beam's defaults (64 MB, 1,000 rows) held ~70 MB more per
# writer at 2,500 articles of ~14 KB (docs/performance.md); 16 MB row groups (~5 MB compressed)
# still read well with pyarrow, DuckDB and Spark.
ROW_GROUP_BYTES = 16 * 1024 * 1024
RECORD_BATCH_ROWS = 200
LARGE = "large"  # tagged output of the reader: documents of a file large enough to be redistributed
REDISTRIBUTE_BYTES = 32 * 1024 * 1024  # files at least this large have their documents spread over the workers


class _ReadFileFn(beam.DoFn):
    def __init__(self, input_format: str, limits: ReadLimits, redistribute_bytes: int | None = None) -> None:
        self._format, self._limits, self._large = input_format, limits, redistribute_bytes

    def setup(self) -> None:
        self._count = Counters()

    def process(self, readable: fileio.ReadableFile):
        path = readable.metadata.path
        self._count(accounting.FILES_READ)
        size = readable.metadata.size_in_bytes or 0
        large = self._large is not None and size >= self._large
        opener = lambda: readable.open(compression_type=CompressionTypes.UNCOMPRESSED)  # noqa: E731
        try:
            for item in read_records(path, opener, input_format=self._format, limits=self._limits):
                yield self._route(item, large)
        except Exception as exc:  # noqa: BLE001 - a reader bug costs this file's remainder, never the run
            yield self._route(Reject(
                source_id(path), path, path, "read", f"exception:{type(exc).__name__}",
                f"{type(exc).__name__}: {exc}"[:4000], b"", size), large)

    def _route(self, item, large: bool):
        self._count(accounting.READ)
        if isinstance(item, Reject):
            self._count("rejected_read")
            return beam.pvalue.TaggedOutput(REJECTS, item)
        # The bytes stay behind: a document that becomes a stage reject has them re-read by source.
        item.raw = b""
        return beam.pvalue.TaggedOutput(LARGE, pack_doc(item)) if large else item


class ReadDocuments(beam.PTransform):
    """File patterns -> ``(docs, rejects)``: one document per text/HTML file or JSONL line / WARC record.

    The matched *files* are redistributed (``Reshuffle`` of their names), so the
    workers read and clean different files in parallel and the documents of a
    file go on to the cleaning stages in the step that read them (no runner
    stores the corpus in between).  The documents of a file of at least
    ``redistribute_bytes`` (a large JSONL or WARC file) are redistributed one by
    one instead, so that one large file is cleaned by every worker, not by the
    one that read it.  Documents leave the reader without their bytes
    (``Doc.raw == b""``).

    With ``split=True`` the documents come as a tuple of PCollections (those of
    the small files, those of the large files) for a consumer that cleans each
    part in its own step (``CleanCorpus`` does): a ``Flatten`` before cleaning
    would make some runners (the DirectRunner) store every document read.
    """

    def __init__(self, patterns: list[str], input_format: str = "auto", limits: ReadLimits | None = None,
                 redistribute_bytes: int = REDISTRIBUTE_BYTES, split: bool = False) -> None:
        super().__init__()
        self._patterns, self._format, self._limits = list(patterns), input_format, limits or ReadLimits()
        self._redistribute, self._split = redistribute_bytes, split

    def expand(self, pbegin):
        files = (
            pbegin
            | "Patterns" >> beam.Create(self._patterns)
            | "Match" >> fileio.MatchAll()
            | "SpreadFiles" >> beam.Reshuffle()
            | "Open" >> fileio.ReadMatches(skip_directories=True)
        )
        out = files | "Read" >> beam.ParDo(
            _ReadFileFn(self._format, self._limits, self._redistribute)).with_outputs(REJECTS, LARGE, main="docs")
        large = (
            out[LARGE]
            | "Redistribute" >> beam.Reshuffle()
            | "Unpack" >> beam.Map(unpack_doc)
        )
        if self._split:
            return (out.docs, large), out[REJECTS]
        return (out.docs, large) | "AllDocs" >> beam.Flatten(), out[REJECTS]


def pack_doc(doc):
    """A document as bytes (its pickle, compressed: ``transforms.document``), for a Reshuffle.

    The DirectRunner holds a GroupByKey's values decoded, as Python objects (and
    re-encoded for its workers): as bytes the corpus costs ~4 KB per 9 KB text
    document there instead of ~40 KB (docs/performance.md).
    """
    return pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_doc(data: bytes):
    """The document :func:`pack_doc` packed."""
    return pickle.loads(data)


class _AttachRawFn(beam.DoFn):
    """(file, rejects of that file) -> the rejects with their bytes re-read from ``source`` (one pass per file)."""

    def __init__(self, limits: ReadLimits) -> None:
        self._limits = limits

    def setup(self) -> None:
        self._count = Counters()

    def process(self, element):
        file, rejects = element
        by_source: dict[str, list[Reject]] = {}
        for reject in rejects:  # small: rejects travel without bytes
            by_source.setdefault(reject.source, []).append(reject)
        # One pass over the file per source form; one document's bytes in memory at a time.
        for source, raw in iter_raw(file, list(by_source), _open_stored, self._limits):
            for reject in by_source[source]:
                if raw.error is not None:
                    self._count("reject_raw_unavailable")
                    note = f"\n[raw bytes not kept: could not re-read the source: {raw.error}]"
                    yield dataclasses.replace(reject, error=reject.error[:6000] + note[:2000])
                else:
                    yield dataclasses.replace(reject, raw=raw.data, raw_size=raw.size)


class AttachRawBytes(beam.PTransform):
    """Rejects -> rejects with bytes: a stage reject (no bytes) gets them re-read from its source.

    Bounded by ``limits.max_reject_raw_bytes``; when the source cannot be
    re-read the reject goes out with empty ``raw`` and the reason noted in
    ``error``.  Rejects that hold bytes (the reader's, or a payload such as a
    Pub/Sub message) pass unchanged.
    """

    def __init__(self, limits: ReadLimits | None = None) -> None:
        super().__init__()
        self._limits = limits or ReadLimits()

    def expand(self, rejects):
        parts = rejects | "NeedsRaw" >> beam.Partition(lambda r, n: int(needs_raw(r.stage, r.raw)), 2)
        reread = (
            parts[1]
            | "ByFile" >> beam.Map(lambda r: (r.file, r))
            | "GroupByFile" >> beam.GroupByKey()
            | "ReRead" >> beam.ParDo(_AttachRawFn(self._limits))
        )
        return (parts[0], reread) | "Rejoin" >> beam.Flatten()


class _CountTallies(beam.DoFn):
    """Beam counters with the run summary's numbers, counted where the rows are written."""

    def __init__(self, tally) -> None:
        self._tally = tally

    def setup(self) -> None:
        self._count = Counters()

    def process(self, item):
        for name, value in self._tally(item).items():
            self._count(name, value)
        yield item


class WriteRows(beam.PTransform):
    """Rows to ``<prefix>-SSSSS-of-NNNNN.parquet`` with an explicit schema (temp files, then rename).

    ``tally(item)`` names the counters each written item adds to (``transforms.accounting``).
    """

    def __init__(self, prefix: str, schema, to_row, tally, num_shards: int = 0) -> None:
        super().__init__()
        self._prefix, self._schema, self._to_row, self._tally, self._shards = prefix, schema, to_row, tally, num_shards

    def expand(self, items):
        return (
            items
            | "Count" >> beam.ParDo(_CountTallies(self._tally))
            | "ToRow" >> beam.Map(self._to_row)
            | "Write" >> WriteToParquet(
                self._prefix, self._schema, file_name_suffix=".parquet", num_shards=self._shards,
                shard_name_template="-SSSSS-of-NNNNN", row_group_buffer_size=ROW_GROUP_BYTES,
                record_batch_size=RECORD_BATCH_ROWS,
            )
        )


class _Balance(beam.CombineFn):
    """(read, articles, rejects) sums per key: three integers, whatever the number of documents."""

    def create_accumulator(self):
        return 0, 0, 0

    def add_input(self, acc, value):
        return acc[0] + value[0], acc[1] + value[1], acc[2] + value[2]

    def merge_accumulators(self, accs):
        read = articles = rejects = 0
        for a, b, c in accs:
            read, articles, rejects = read + a, articles + b, rejects + c
        return read, articles, rejects

    def extract_output(self, acc):
        return acc


class _RowFn(beam.DoFn):
    """(key, sums) -> accounting row; counts balanced/unbalanced keys; adds the window on windowed input."""

    def __init__(self, count_rows: bool = True) -> None:
        self._count_rows = count_rows

    def setup(self) -> None:
        self._count = Counters()

    def process(self, element, window=beam.DoFn.WindowParam):
        key, (read, articles, rejects) = element
        row = accounting.file_row(key, {accounting.READ: read, accounting.ARTICLES: articles,
                                        accounting.REJECTS: rejects})
        if window != GlobalWindow():
            row["window_start"] = window.start.to_utc_datetime().isoformat() + "Z"
            row["window_end"] = window.end.to_utc_datetime().isoformat() + "Z"
        if self._count_rows:
            self._count(accounting.FILES_BALANCED if row["balanced"] else accounting.FILES_UNBALANCED)
        yield row


def _by_file(item) -> str:
    return item.file


class ReadMark(NamedTuple):
    """What the per-file balance needs of an item read: its file (a few bytes, not the document)."""

    file: str


def read_mark(item) -> ReadMark:
    return ReadMark(item.file)


class AccountPerKey(beam.PTransform):
    """``(read, articles, rejects)`` -> one row ``{file, read, articles, rejects, balanced}`` per key.

    ``read`` holds every item the reader produced (documents and read
    rejects), ``articles`` the written documents, ``rejects`` every written
    reject.  ``key(item)`` groups them (default: the input file, ``item.file``).
    On windowed input the sums are per window and key (Beam combines per window)
    and each row carries ``window_start``/``window_end``: the streaming graph
    uses the same transform.  Each row counts ``files_balanced`` or
    ``files_unbalanced`` (Beam counters); pass ``count_rows=False`` where a
    trigger fires a key's row more than once (accumulating panes), since the
    counters would count every firing.
    """

    def __init__(self, key: Callable[[Any], Any] = _by_file, count_rows: bool = True) -> None:
        super().__init__()
        self._key, self._count_rows = key, count_rows

    def expand(self, pcolls):
        read, articles, rejects = pcolls
        key = self._key
        return (
            (read | "KeyRead" >> beam.Map(lambda item: (key(item), (1, 0, 0))),
             articles | "KeyArticles" >> beam.Map(lambda doc: (key(doc), (0, 1, 0))),
             rejects | "KeyRejects" >> beam.Map(lambda rej: (key(rej), (0, 0, 1))))
            | "FlattenKeyed" >> beam.Flatten()
            | "SumPerKey" >> beam.CombinePerKey(_Balance())
            | "ToRow" >> beam.ParDo(_RowFn(self._count_rows))
        )


class WriteAccounting(beam.PTransform):
    """Accounting rows -> ``<prefix>-SSSSS-of-NNNNN.jsonl`` (batch; a windowed graph writes the rows its own way)."""

    def __init__(self, prefix: str, num_shards: int = 0) -> None:
        super().__init__()
        self._prefix, self._shards = prefix, num_shards

    def expand(self, rows):
        return (
            rows
            | "ToJson" >> beam.Map(lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))
            | "Write" >> beam.io.WriteToText(self._prefix, file_name_suffix=".jsonl", num_shards=self._shards,
                                             shard_name_template="-SSSSS-of-NNNNN")
        )


# ----------------------------------------------------------------------------- driver side


def query_counters(result: Any) -> dict[str, int] | None:
    """The run's ``presswash`` counters (committed where the runner has them, else attempted); None if none."""
    from apache_beam.metrics.metric import MetricsFilter

    try:
        counters = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]
    except Exception:  # noqa: BLE001 - not every runner reports metrics
        return None
    totals: dict[str, int] = {}
    for counter in counters:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (value or 0)
    return dict(sorted(totals.items())) or None


def read_accounting(output: str, digest: accounting.RowDigest | None = None) -> accounting.RowDigest:
    """Stream the accounting rows written under ``output`` into a :class:`~transforms.accounting.RowDigest`."""
    digest = digest or accounting.RowDigest()
    match = FileSystems.match([FileSystems.join(output, ACCOUNTING_GLOB)])[0]
    for meta in sorted(match.metadata_list, key=lambda m: m.path):
        with FileSystems.open(meta.path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            for line in f:
                if line.strip():
                    digest.add(json.loads(line))
    return digest


def summarize_run(result: Any, output: str, **facts: Any) -> dict[str, Any]:
    """The run summary, built by the driver after the run: counters + accounting rows + ``facts``."""
    counters = query_counters(result)
    summary = accounting.build_summary(counters, read_accounting(output))
    if counters and counters.get(accounting.FILES_UNBALANCED, 0):
        summary["balanced"] = False
    summary.update(facts)
    return summary


def write_summary(summary: dict[str, Any], path: str) -> None:
    with FileSystems.create(path) as f:
        f.write(json.dumps(summary, indent=1, sort_keys=True, default=str).encode("utf-8"))


__all__ = ["ReadDocuments", "ReadMark", "read_mark", "AttachRawBytes", "AccountPerKey", "WriteAccounting", "WriteRows",
           "summarize_run", "write_summary", "query_counters", "read_accounting",
           "SUMMARY_NAME", "ACCOUNTING_GLOB", "ACCOUNTING_PREFIX"]
