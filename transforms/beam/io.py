"""Beam I/O stages: reading input files into documents, writing Parquet, the run summary.

Reading goes through ``fileio`` (``MatchAll`` + ``ReadMatches``), so nothing is
globbed at graph-construction time and any Beam filesystem (local, ``gs://``,
``s3://``, ...) works.  Example::

    docs, rejects = p | ReadDocuments(["seeds/samples/*"], "auto", ReadLimits())
"""

from __future__ import annotations

import json
from typing import Any

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import WriteToParquet

from transforms import accounting
from transforms.document import Reject
from transforms.ingest.readers import ReadLimits, read_records
from transforms.keys import source_id
from transforms.beam.stages import REJECTS, Counters

SUMMARY_NAME = "run-summary.json"


class _ReadFileFn(beam.DoFn):
    def __init__(self, input_format: str, limits: ReadLimits) -> None:
        self._format, self._limits = input_format, limits

    def setup(self) -> None:
        self._count = Counters()

    def process(self, readable: fileio.ReadableFile):
        path = readable.metadata.path
        self._count("files_read")
        opener = lambda: readable.open(compression_type=CompressionTypes.UNCOMPRESSED)  # noqa: E731
        try:
            for item in read_records(path, opener, input_format=self._format, limits=self._limits):
                yield self._route(item)
        except Exception as exc:  # noqa: BLE001 - a reader bug costs this file's remainder, never the run
            yield self._route(Reject(
                source_id(path), path, path, "read", f"exception:{type(exc).__name__}",
                f"{type(exc).__name__}: {exc}"[:4000], b"", readable.metadata.size_in_bytes or 0))

    def _route(self, item):
        self._count("documents_read")
        if isinstance(item, Reject):
            self._count("rejected_read")
            return beam.pvalue.TaggedOutput(REJECTS, item)
        return item


class ReadDocuments(beam.PTransform):
    """File patterns -> ``(docs, rejects)``: one document per text/HTML file or JSONL line.

    Documents are redistributed after reading (``Reshuffle``), so one large JSONL
    file is cleaned by every worker, not by the one that read it.
    """

    def __init__(self, patterns: list[str], input_format: str = "auto", limits: ReadLimits | None = None) -> None:
        super().__init__()
        self._patterns, self._format, self._limits = list(patterns), input_format, limits or ReadLimits()

    def expand(self, pbegin):
        files = (
            pbegin
            | "Patterns" >> beam.Create(self._patterns)
            | "Match" >> fileio.MatchAll()
            | "Open" >> fileio.ReadMatches(skip_directories=True)
        )
        out = files | "Read" >> beam.ParDo(_ReadFileFn(self._format, self._limits)).with_outputs(REJECTS, main="docs")
        docs = out.docs | "Redistribute" >> beam.Reshuffle()
        return docs, out[REJECTS]


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
                shard_name_template="-SSSSS-of-NNNNN",
            )
        )


class _FileRows(beam.CombineFn):
    """Per-file accounting rows -> (number of files, listed rows, unbalanced rows)."""

    def create_accumulator(self):
        return 0, [], []

    def add_input(self, acc, row):
        count, listed, unbalanced = acc
        if len(listed) <= accounting.MAX_FILES_LISTED:
            listed = listed + [row]
        if not row["balanced"]:
            unbalanced = unbalanced + [row]
        return count + 1, listed, unbalanced

    def merge_accumulators(self, accs):
        count, listed, unbalanced = 0, [], []
        for c, rows, bad in accs:
            count += c
            listed = (listed + rows)[: accounting.MAX_FILES_LISTED + 1]
            unbalanced = unbalanced + bad
        return count, listed, unbalanced

    def extract_output(self, acc):
        count, listed, unbalanced = acc
        listed = sorted(listed, key=lambda r: r["file"])
        return {"count": count, "listed": listed if count <= accounting.MAX_FILES_LISTED else unbalanced}


def _write_summary(totals, files, path: str) -> dict[str, Any]:
    summary = accounting.build_summary(totals, files["listed"], files["count"])
    with FileSystems.create(path) as f:
        f.write(json.dumps(summary, indent=1, sort_keys=True).encode("utf-8"))
    return summary


class SummarizeRun(beam.PTransform):
    """Counts per file and in all; writes ``run-summary.json`` beside the outputs."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def expand(self, pcolls):
        read, articles, rejects = pcolls
        tallies = (
            (read | "TallyRead" >> beam.Map(lambda item: (item.file, accounting.read_tally(item))),
             articles | "TallyArticles" >> beam.Map(lambda doc: (doc.file, accounting.article_tally(doc))),
             rejects | "TallyRejects" >> beam.Map(lambda rej: (rej.file, accounting.reject_tally(rej))))
            | "FlattenTallies" >> beam.Flatten()
        )
        per_file = (
            tallies
            | "PerFile" >> beam.CombinePerKey(accounting.merge)
            | "FileRow" >> beam.MapTuple(accounting.file_row)
            | "Files" >> beam.CombineGlobally(_FileRows())
        )
        totals = (
            tallies
            | "DropFile" >> beam.Values()
            | "Totals" >> beam.CombineGlobally(accounting.merge)
        )
        return totals | "WriteSummary" >> beam.Map(
            _write_summary, files=beam.pvalue.AsSingleton(per_file), path=self._path
        )


__all__ = ["ReadDocuments", "SummarizeRun", "WriteRows", "SUMMARY_NAME"]
