"""Re-reading a document's original bytes from its source reference (pure, no Beam import).

Documents do not carry their input bytes through the cleaning stages (the
Beam read step empties ``Doc.raw``).  A document that becomes a *stage* reject
carries its ``source``; the rejects writer re-reads the bytes from there,
bounded by ``ReadLimits.max_reject_raw_bytes``.  Rejects made by the reader
itself keep the bytes they already hold.

A source reference names where a document came from, relative to its input
``file``:

======================  ===========================================  =================
form                    meaning                                      reader
======================  ===========================================  =================
``file``                the whole (decompressed) file                :func:`whole_file`
``file:<line>``         line ``<line>`` (1-based) of a JSONL file    :func:`jsonl_lines`
``file@<offset>``       the WARC record starting at byte ``offset``  ``transforms.ingest.warc``
======================  ===========================================  =================

The extension point is :data:`SOURCE_FORMS`: a marker character after the file
name -> a function ``(file, [locators], open_file, limits)`` that yields
``(locator, bytes)`` for every wanted piece of one file, in one pass and one
piece at a time (memory: one document, whatever the number of rejects in the
file).  Add a form with :func:`register_source_form`.

>>> split_source("data/a.jsonl:12", "data/a.jsonl")
(':', '12')
>>> split_source("data/a.txt", "data/a.txt")
('', '')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator

from transforms.ingest.readers import _COMPRESSIONS, ReadLimits, _Bounded, split_extension

OpenFile = Callable[[str], BinaryIO]  # path -> binary stream of the stored (possibly compressed) bytes
FormReader = Callable[[str, list[str], OpenFile, ReadLimits], Iterable[tuple[str, bytes]]]
_CHUNK = 1 << 20
# Stages whose rejects are made by the reader and already hold the bytes it had.
READER_STAGES = frozenset({"read", "decode", "parse_jsonl"})
DEFAULT_LIMITS = ReadLimits()


class RawUnavailable(Exception):
    """The bytes of a source could not be re-read; the message says why."""


@dataclass(frozen=True)
class RawBytes:
    """Re-read bytes (cut at the limit), the full size, and the error when they could not be read."""

    data: bytes = b""
    size: int = 0
    error: str | None = None


def split_source(source: str, file: str) -> tuple[str, str]:
    """``(marker, locator)`` of a source relative to its file: ``('', '')`` for the whole file."""
    if source == file:
        return "", ""
    if source.startswith(file) and len(source) > len(file):
        return source[len(file)], source[len(file) + 1:]
    raise RawUnavailable(f"source {source!r} does not name a part of its file {file!r}")


def open_decompressed(path: str, open_file: OpenFile, limits: ReadLimits) -> BinaryIO:
    """The file's bytes as the reader saw them: decompressed by extension, bounded like the reader."""
    stream = open_file(path)
    compression = split_extension(path)[1]
    if compression:
        stream = _Bounded(_COMPRESSIONS[compression](stream), limits.max_decompressed_bytes)
    return stream


def whole_file(path: str, locators: list[str], open_file: OpenFile,
               limits: ReadLimits) -> Iterator[tuple[str, bytes]]:
    """The whole decompressed file (a text or HTML document), read up to ``max_doc_bytes + 1``."""
    stream = open_decompressed(path, open_file, limits)
    try:
        data = stream.read(limits.max_doc_bytes + 1)
    finally:
        stream.close()
    yield "", data


def jsonl_lines(path: str, locators: list[str], open_file: OpenFile,
                limits: ReadLimits) -> Iterator[tuple[str, bytes]]:
    """The wanted lines of a JSONL file in one pass, numbered exactly as ``readers._read_jsonl`` numbers them."""
    wanted: dict[int, str] = {}
    for locator in locators:
        if not locator.isdigit():
            raise RawUnavailable(f"{path}:{locator}: not a line number")
        wanted[int(locator)] = locator
    last = max(wanted, default=0)
    stream = open_decompressed(path, open_file, limits)
    try:
        number = 0
        while number < last:
            line = stream.readline(limits.max_doc_bytes + 1)
            if not line:
                break
            number += 1
            if len(line) > limits.max_doc_bytes and not line.endswith(b"\n"):
                while not line.endswith(b"\n"):  # an oversized line is one line (the reader rejected it)
                    line = stream.readline(_CHUNK)
                    if not line:
                        break
                continue
            if number in wanted:
                yield wanted[number], line.rstrip(b"\r\n")
    finally:
        stream.close()


def warc_records(path: str, locators: list[str], open_file: OpenFile,
                 limits: ReadLimits) -> Iterator[tuple[str, bytes]]:
    """WARC records by byte offset, through ``transforms.ingest.warc.read_warc_record(path, offset, limit)``."""
    try:
        from transforms.ingest.warc import read_warc_record  # the corpus reader, when installed
    except ImportError as exc:
        raise RawUnavailable(f"no WARC record reader: {exc}") from None
    for locator in locators:
        if not locator.isdigit():
            raise RawUnavailable(f"{path}@{locator}: not a byte offset")
        yield locator, read_warc_record(path, int(locator), limits.max_reject_raw_bytes, open_file)


SOURCE_FORMS: dict[str, FormReader] = {"": whole_file, ":": jsonl_lines, "@": warc_records}


def register_source_form(marker: str, reader: FormReader) -> None:
    """Teach :func:`read_raw_many` a new ``file<marker><locator>`` source form."""
    if len(marker) != 1:
        raise ValueError("a source form marker is one character")
    SOURCE_FORMS[marker] = reader


def _cut(data: bytes, limits: ReadLimits) -> RawBytes:
    return RawBytes(data[: limits.max_reject_raw_bytes], len(data))


def iter_raw(file: str, sources: Iterable[str], open_file: OpenFile,
             limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[tuple[str, RawBytes]]:
    """``(source, RawBytes)`` for every distinct source of one input file, one form at a time, one pass each.

    Never raises: a source that cannot be re-read gets ``RawBytes(error=...)``.
    Holds one document's bytes at a time.
    """
    by_form: dict[str, dict[str, str]] = {}
    for source in dict.fromkeys(sources):
        try:
            marker, locator = split_source(source, file)
        except RawUnavailable as exc:
            yield source, RawBytes(error=str(exc))
            continue
        if marker not in SOURCE_FORMS:
            yield source, RawBytes(error=f"source {source!r}: unknown source form {marker!r}")
            continue
        by_form.setdefault(marker, {})[locator] = source
    for marker, wanted in by_form.items():
        pending = dict(wanted)
        error = None
        try:
            for locator, data in SOURCE_FORMS[marker](file, list(wanted), open_file, limits):
                source = pending.pop(locator, None)
                if source is not None:
                    yield source, _cut(data, limits)
        except Exception as exc:  # noqa: BLE001 - a missing or changed input costs the bytes, never the reject
            error = f"{type(exc).__name__}: {exc}"
        for source in pending.values():
            yield source, RawBytes(error=error or f"{source}: not found when re-reading {file}")


def read_raw_many(file: str, sources: Iterable[str], open_file: OpenFile,
                  limits: ReadLimits = DEFAULT_LIMITS) -> dict[str, RawBytes]:
    """:func:`iter_raw` as a dict (for a few sources; the rejects writer streams)."""
    return dict(iter_raw(file, sources, open_file, limits))


def read_raw(source: str, file: str, open_file: OpenFile, limits: ReadLimits = DEFAULT_LIMITS) -> RawBytes:
    """Re-read one document's bytes (see :func:`read_raw_many`)."""
    return read_raw_many(file, [source], open_file, limits)[source]


def needs_raw(stage: str, raw: bytes) -> bool:
    """Whether the rejects writer re-reads a reject's bytes: stage rejects without bytes.

    Reader rejects keep what the reader had (possibly nothing: an empty file);
    a document that kept its payload (e.g. a Pub/Sub message) is used as is.
    """
    return not raw and stage not in READER_STAGES


def local_open(path: str) -> BinaryIO:
    """``open_file`` for local paths (the Beam writer passes one over ``FileSystems``)."""
    return open(path, "rb")
