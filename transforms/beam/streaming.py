"""Beam transforms of the streaming pipeline: messages -> windowed Parquet, with cross-window dedup.

The graph (``pipeline/streaming.py`` wires it)::

    Pub/Sub messages --ParseMessages--> docs, rejects         (global window, event time from Pub/Sub)
    docs --CleanDocuments--> articles, rejects                (the batch stages, unchanged)
    articles --CrossWindowDedup--> articles, rejects          (keyed state + TTL timer, then fixed windows)
    everything --WindowInto(FixedWindows)--> per window:
        articles-<start>-<end>-SSSSS-of-NNNNN.parquet        (fileio.WriteToFiles + ParquetSink)
        rejects-<start>-<end>-SSSSS-of-NNNNN.parquet
        summary-<start>-<end>-SSSSS-of-NNNNN.json             (read, articles, rejects by reason)
        accounting-<start>-<end>-SSSSS-of-NNNNN.jsonl         (one row per message: read = articles + rejects)

A late pane of a window (an element behind the watermark, within the allowed
lateness) gets its own files, named with ``-late<N>``.

Cross-window dedup keeps state per content key (exact) and per MinHash band
key (near) in the global window, so it spans windows; an event-time timer
clears each key ``ttl`` seconds after its kept document, so state stays
bounded.  Beam's ``DeduplicatePerKey`` is not used: it drops the later copies
silently, while a duplicate here must become a reject with ``duplicate_of``
naming the kept id (and near duplicates need the MinHash check, not key
equality).

Example (a test feeds ``TestStream`` instead of Pub/Sub)::

    outputs = messages | StreamDocuments(resources, settings, "out/")
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.coders import PickleCoder
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms import trigger, window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration, Timestamp

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA, article_row, reject_row
from transforms import accounting
from transforms.beam.stages import REJECTS, CleanDocuments, Counters
from transforms.clean import CleaningResources
from transforms.document import Doc, Reject
from transforms.ingest.readers import ReadLimits
from transforms.streaming.dedup import (
    DEFAULT_NEAR_THRESHOLD,
    EXACT_REASON,
    NEAR_REASON,
    Seen,
    duplicate_reject,
    exact_verdict,
    expired,
    first_duplicate,
    near_verdict,
)
from transforms.streaming.messages import message_records
from transforms.streaming.windows import window_summary

DEFAULT_WINDOW_SECONDS = 60
DEFAULT_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_ALLOWED_LATENESS_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StreamSettings:
    """What the streaming graph needs besides the cleaning resources (from the options)."""

    window_seconds: int = DEFAULT_WINDOW_SECONDS
    dedup_ttl_seconds: int = DEFAULT_TTL_SECONDS
    allowed_lateness_seconds: int = DEFAULT_ALLOWED_LATENESS_SECONDS
    dedup: str = "near"  # near | exact | off
    near_threshold: float = DEFAULT_NEAR_THRESHOLD
    input_format: str = "auto"
    boilerplate_mode: str = "auto"
    limits: ReadLimits = ReadLimits()
    num_shards: int = 1


# ---------------------------------------------------------------- messages -> documents


class _ParseMessageFn(beam.DoFn):
    def __init__(self, input_format: str, limits: ReadLimits) -> None:
        self._format, self._limits = input_format, limits

    def setup(self) -> None:
        self._count = Counters()

    def process(self, message):
        if isinstance(message, (bytes, bytearray)):  # ReadFromPubSub without attributes
            data, attributes, message_id = bytes(message), {}, None
        else:
            data, attributes = message.data, message.attributes or {}
            message_id = getattr(message, "message_id", None)
        self._count("messages_read")
        for record in message_records(data, attributes, message_id, input_format=self._format, limits=self._limits):
            self._count("documents_read")
            if isinstance(record, Reject):
                self._count("rejected_read")
                yield TaggedOutput(REJECTS, record)
            else:
                yield record


class ParseMessages(beam.PTransform):
    """Pub/Sub messages (``PubsubMessage`` or bytes) -> ``(docs, rejects)``, like the records of input files."""

    def __init__(self, input_format: str = "auto", limits: ReadLimits | None = None) -> None:
        super().__init__()
        self._format, self._limits = input_format, limits or ReadLimits()

    def expand(self, messages):
        out = messages | "Parse" >> beam.ParDo(_ParseMessageFn(self._format, self._limits)).with_outputs(
            REJECTS, main="docs")
        return out.docs, out[REJECTS]


# ---------------------------------------------------------------- cross-window dedup


# Keyed state of each dedup step: the kept document of the key, and the timer that forgets it
# (a timer spec belongs to one DoFn: one pair per step).
EXACT_SEEN, EXACT_EXPIRE = ReadModifyWriteStateSpec("seen", PickleCoder()), TimerSpec("expire", TimeDomain.WATERMARK)
BAND_SEEN, BAND_EXPIRE = ReadModifyWriteStateSpec("seen", PickleCoder()), TimerSpec("expire", TimeDomain.WATERMARK)
_EXACT_STATE, _EXACT_TIMER = beam.DoFn.StateParam(EXACT_SEEN), beam.DoFn.TimerParam(EXACT_EXPIRE)
_BAND_STATE, _BAND_TIMER = beam.DoFn.StateParam(BAND_SEEN), beam.DoFn.TimerParam(BAND_EXPIRE)


class _ExactDedupFn(beam.DoFn):
    """Keyed by content key: the first copy is kept and remembered for ``ttl`` seconds of event time."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl

    def setup(self) -> None:
        self._count = Counters()

    def process(self, element, ts=beam.DoFn.TimestampParam, seen=_EXACT_STATE,
                expire=_EXACT_TIMER):
        _key, doc = element
        now, current = float(ts), seen.read()
        kept = exact_verdict(current, doc.id, now, self._ttl)
        if kept is not None:
            self._count("rejected_dedup_duplicate")
            yield TaggedOutput(REJECTS, duplicate_reject(doc, kept, EXACT_REASON))
            return
        if expired(current, now, self._ttl):
            seen.write(Seen(doc.id, now))
            expire.set(Timestamp(seconds=now + self._ttl))
        yield doc

    @on_timer(EXACT_EXPIRE)
    def on_expire(self, fired=beam.DoFn.TimestampParam, seen=_EXACT_STATE):
        current = seen.read()
        if current is not None and float(fired) >= current.ts + self._ttl:
            self._count("dedup_state_expired")
            seen.clear()


class _NearBandFn(beam.DoFn):
    """Keyed by MinHash band key: ``(doc id, kept id or "")`` for each band of each document."""

    def __init__(self, ttl: float, threshold: float) -> None:
        self._ttl, self._threshold = ttl, threshold

    def process(self, element, ts=beam.DoFn.TimestampParam, seen=_BAND_STATE,
                expire=_BAND_TIMER):
        _band, (doc_id, signature) = element
        now, current = float(ts), seen.read()
        kept = near_verdict(current, doc_id, signature, now, self._ttl, self._threshold)
        if kept is None and expired(current, now, self._ttl):
            seen.write(Seen(doc_id, now, signature))
            expire.set(Timestamp(seconds=now + self._ttl))
        yield doc_id, kept or ""

    @on_timer(BAND_EXPIRE)
    def on_expire(self, fired=beam.DoFn.TimestampParam, seen=_BAND_STATE):
        current = seen.read()
        if current is not None and float(fired) >= current.ts + self._ttl:
            seen.clear()


def _band_records(doc: Doc, bands: int, rows: int):
    from transforms.corpus.minhash import band_keys, signature

    sig = signature("\n\n".join(doc.paragraphs))
    for key in band_keys(sig, bands, rows):
        yield key, (doc.id, sig)


class _NearVerdictFn(beam.DoFn):
    def setup(self) -> None:
        self._count = Counters()

    def process(self, element):
        _doc_id, grouped = element
        kept = first_duplicate([v for v in grouped["verdicts"] if v])
        for doc in grouped["docs"]:
            if kept is None:
                yield doc
            else:
                self._count("rejected_dedup_near_duplicate")
                yield TaggedOutput(REJECTS, duplicate_reject(doc, kept, NEAR_REASON))


def fixed_windows(settings: StreamSettings, accumulating: bool = False) -> beam.WindowInto:
    """Fixed windows of ``window_seconds``; on time at the watermark, then one late pane per late element.

    Late elements within ``allowed_lateness_seconds`` are written in a later
    firing of their window; the summaries accumulate, so a window's last
    summary holds all of it.
    """
    mode = trigger.AccumulationMode.ACCUMULATING if accumulating else trigger.AccumulationMode.DISCARDING
    return beam.WindowInto(
        window.FixedWindows(settings.window_seconds),
        trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
        accumulation_mode=mode,
        allowed_lateness=Duration(seconds=settings.allowed_lateness_seconds),
    )


class CrossWindowDedup(beam.PTransform):
    """Articles (global window) -> ``(articles, rejects)`` in fixed windows, duplicates across windows rejected.

    Exact: keyed state on ``Doc.content_key``.  Near (``dedup="near"``): keyed
    state on each MinHash band key, confirmed by the signature estimate, then
    the band verdicts of a document are joined by id within its window.  The
    later copy is a reject (stage ``dedup``, reason ``duplicate`` or
    ``near_duplicate``) with ``duplicate_of`` = the kept id.
    """

    def __init__(self, settings: StreamSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, docs):
        s = self._settings
        if s.dedup == "off":
            return (docs | "Window" >> fixed_windows(s),
                    docs.pipeline | "NoDedupRejects" >> beam.Create([]) | "WindowNone" >> fixed_windows(s))
        exact = (
            docs
            | "ByContentKey" >> beam.Map(lambda doc: (doc.content_key or doc.id, doc)).with_output_types(
                beam.typehints.KV[str, Any])
            | "ExactState" >> beam.ParDo(_ExactDedupFn(s.dedup_ttl_seconds)).with_outputs(REJECTS, main="docs")
        )
        exact_rejects = exact[REJECTS] | "WindowExactRejects" >> fixed_windows(s)
        if s.dedup != "near":
            return exact.docs | "WindowArticles" >> fixed_windows(s), exact_rejects
        from transforms.corpus.minhash import lsh_params

        bands, rows = lsh_params(s.near_threshold)
        verdicts = (
            exact.docs
            | "BandKeys" >> beam.FlatMap(_band_records, bands, rows).with_output_types(beam.typehints.KV[str, Any])
            | "BandState" >> beam.ParDo(_NearBandFn(s.dedup_ttl_seconds, s.near_threshold))
            | "WindowVerdicts" >> fixed_windows(s)
        )
        by_id = exact.docs | "ById" >> beam.Map(lambda doc: (doc.id, doc)) | "WindowDocs" >> fixed_windows(s)
        near = (
            {"docs": by_id, "verdicts": verdicts}
            | "JoinVerdicts" >> beam.CoGroupByKey()
            | "NearVerdict" >> beam.ParDo(_NearVerdictFn()).with_outputs(REJECTS, main="docs")
        )
        rejects = (exact_rejects, near[REJECTS]) | "DedupRejects" >> beam.Flatten()
        return near.docs, rejects


# ---------------------------------------------------------------- windowed writes


class ParquetSink(fileio.FileSink):
    """A ``fileio`` sink writing rows (dicts) as one Parquet file with a fixed schema from ``schemas/``."""

    def __init__(self, schema: pa.Schema, row_group_rows: int = 1000) -> None:
        self._schema, self._row_group_rows = schema, row_group_rows

    def open(self, fh) -> None:
        self._fh, self._rows = fh, []
        self._writer = pq.ParquetWriter(fh, self._schema)

    def write(self, record) -> None:
        self._rows.append(record)
        if len(self._rows) >= self._row_group_rows:
            self._write_rows()

    def _write_rows(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def flush(self) -> None:
        self._write_rows()
        self._writer.close()
        self._fh.flush()


class JsonSink(fileio.TextSink):
    """One JSON object per line."""

    def write(self, record) -> None:
        super().write(json.dumps(record, sort_keys=True))


def _stamp(ts) -> str:
    return ts.to_utc_datetime().strftime("%Y%m%dT%H%M%SZ")


def window_file_naming(output: str, prefix: str, suffix: str):
    """``<prefix>-<start>-<end>[-pane<N>]-SSSSS-of-NNNNN<suffix>``: the window in UTC; later firings apart.

    ``fileio.WriteToFiles`` hands no pane to the naming function (and its
    default naming leaves it out), so a late firing of a window would replace
    the window's on-time files.  The first firing's files get the plain name;
    each later firing of the same window gets the next free ``-pane<N>``.
    """

    def base(win) -> list[str]:
        parts = [prefix]
        if isinstance(win, window.IntervalWindow):
            parts += [_stamp(win.start), _stamp(win.end)]
        return parts

    def taken(parts: list[str]) -> bool:
        pattern = FileSystems.join(output, "-".join(parts) + "-00000-of-*" + suffix)
        try:
            return bool(FileSystems.match([pattern])[0].metadata_list)
        except Exception:  # noqa: BLE001 - nothing there yet
            return False

    def name(win, pane, shard_index, total_shards, compression, destination) -> str:
        parts, firing = base(win), 0
        while taken(parts + ([f"pane{firing}"] if firing else [])):
            firing += 1
        if firing:
            parts.append(f"pane{firing}")
        if shard_index is not None and total_shards is not None:
            parts.append(f"{int(shard_index):05d}-of-{int(total_shards):05d}")
        return "-".join(parts) + suffix + (f".{compression}" if compression else "")

    return name


class WriteWindowedRows(beam.PTransform):
    """Windowed items -> one set of Parquet files per window (and pane) under ``output``."""

    def __init__(self, output: str, prefix: str, schema: pa.Schema, to_row, shards: int = 1) -> None:
        super().__init__()
        self._output, self._prefix, self._schema = output, prefix, schema
        self._to_row, self._shards = to_row, shards

    def expand(self, items):
        schema = self._schema
        return (
            items
            | "ToRow" >> beam.Map(self._to_row)
            | "Write" >> fileio.WriteToFiles(
                self._output, file_naming=window_file_naming(self._output, self._prefix, ".parquet"),
                sink=lambda _dest: ParquetSink(schema), shards=self._shards or 1)
        )


class _WindowSummaryFn(beam.DoFn):
    def process(self, totals, win=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        start = end = None
        if isinstance(win, window.IntervalWindow):
            start = win.start.to_utc_datetime().isoformat() + "Z"
            end = win.end.to_utc_datetime().isoformat() + "Z"
        yield window_summary(totals, start, end, getattr(pane, "index", 0) or 0)


class WindowSummaries(beam.PTransform):
    """Per window (and pane): documents read, articles, rejects by reason -> ``summary-<window>.json``."""

    def __init__(self, output: str | None, settings: StreamSettings) -> None:
        super().__init__()
        self._output, self._settings = output, settings

    def expand(self, pcolls):
        read, articles, rejects = pcolls
        summaries = (
            (read | "TallyRead" >> beam.Map(accounting.read_tally),
             articles | "TallyArticles" >> beam.Map(accounting.article_tally),
             rejects | "TallyRejects" >> beam.Map(accounting.reject_tally))
            | "FlattenTallies" >> beam.Flatten()
            | "Accumulate" >> fixed_windows(self._settings, accumulating=True)
            | "PerWindow" >> beam.CombineGlobally(accounting.merge).without_defaults()
            | "Summary" >> beam.ParDo(_WindowSummaryFn())
        )
        if self._output is not None:
            # Each firing's summary is written once: re-window (discarding) so the
            # write does not gather the earlier firings' files again.
            summaries | "Discarding" >> fixed_windows(self._settings) | "Write" >> fileio.WriteToFiles(
                self._output, file_naming=window_file_naming(self._output, "summary", ".json"),
                sink=lambda _dest: JsonSink(), shards=1)
        return summaries


class AccountPerMessage(beam.PTransform):
    """Per window, one row per message (``file`` = its path or ``pubsub:<id>``): read = articles + rejects.

    The batch graph's keyed accounting (``transforms.beam.io.AccountPerKey``)
    over windowed input, accumulating like the summaries; written as
    ``accounting-<start>-<end>-00000-of-00001.jsonl``.
    """

    def __init__(self, output: str | None, settings: StreamSettings) -> None:
        super().__init__()
        self._output, self._settings = output, settings

    def expand(self, pcolls):
        from transforms.beam.io import AccountPerKey

        accumulate = [pc | f"Accumulate{i}" >> fixed_windows(self._settings, accumulating=True)
                      for i, pc in enumerate(pcolls)]
        rows = tuple(accumulate) | "PerMessage" >> AccountPerKey()
        if self._output is not None:
            rows | "Discarding" >> fixed_windows(self._settings) | "Write" >> fileio.WriteToFiles(
                self._output, file_naming=window_file_naming(self._output, "accounting", ".jsonl"),
                sink=lambda _dest: JsonSink(), shards=1)
        return rows


# ---------------------------------------------------------------- the whole stream


class StreamDocuments(beam.PTransform):
    """Messages (unbounded) -> windowed articles, rejects and summaries written under ``output``.

    Returns ``{"articles", "rejects", "summaries"}`` (windowed PCollections).
    ``output=None`` writes nothing (for tests that only assert on the collections).
    """

    def __init__(self, resources: CleaningResources, settings: StreamSettings, output: str | None) -> None:
        super().__init__()
        self._resources, self._settings, self._output = resources, settings, output

    def expand(self, messages):
        s = self._settings
        docs, read_rejects = messages | "ParseMessages" >> ParseMessages(s.input_format, s.limits)
        articles, clean_rejects = docs | "CleanDocuments" >> CleanDocuments(self._resources, s.boilerplate_mode)
        articles, dedup_rejects = articles | "CrossWindowDedup" >> CrossWindowDedup(s)
        read = (
            (docs, read_rejects) | "AllRead" >> beam.Flatten() | "WindowRead" >> fixed_windows(s)
        )
        rejects = (
            (read_rejects, clean_rejects)
            | "EarlyRejects" >> beam.Flatten()
            | "WindowRejects" >> fixed_windows(s)
        )
        rejects = (rejects, dedup_rejects) | "AllRejects" >> beam.Flatten()
        if self._output is not None:
            articles | "WriteArticles" >> WriteWindowedRows(
                self._output, "articles", ARTICLE_SCHEMA, article_row, s.num_shards)
            rejects | "WriteRejects" >> WriteWindowedRows(
                self._output, "rejects", REJECT_SCHEMA, reject_row, s.num_shards)
        summaries = (read, articles, rejects) | "WindowSummaries" >> WindowSummaries(self._output, s)
        accounting_rows = (read, articles, rejects) | "AccountPerMessage" >> AccountPerMessage(self._output, s)
        return {"articles": articles, "rejects": rejects, "summaries": summaries, "accounting": accounting_rows}


def read_parquet_rows(data: bytes) -> list[dict[str, Any]]:
    """Rows of a Parquet file's bytes (for tests and the closing check)."""
    return pq.read_table(io.BytesIO(data)).to_pylist()
