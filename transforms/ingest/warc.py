"""WARC files (``.warc``, ``.warc.gz``) to documents, record by record (pure, no Beam import).

Parsing is done by `FastWARC <https://resiliparse.chatnoir.eu/en/stable/man/fastwarc.html>`_
(resiliparse, C++): on the same 2,220-record ``.warc.gz`` it read 963 records/s against
warcio's 371/s (2.6x; 1.6x on the uncompressed file; ``python -m bench.warc_readers``, shared
machine).  Neither raises on a record cut off by the end of the file: both return the bytes
that are there; FastWARC also gives the payload's declared length after HTTP parsing
(``content_length``), which the reader compares with what it read (``truncated_record``).

What becomes what (one WARC record at a time: a 1 GB file is never held in memory):

* ``response`` with an HTML (or plain-text) HTTP payload and a 2xx status -> one
  document: ``url`` = ``WARC-Target-URI``; ``metadata``: ``fetch_time`` (``WARC-Date``),
  ``warc_record_id``, ``http_charset`` (the charset the HTTP header named, when it did),
  ``encoding`` (the one used to decode); ``source`` = ``<path>@<record offset>``.
* ``resource`` and ``conversion`` records (Common Crawl WET) with text -> text documents
  (HTML resources -> HTML documents).
* ``warcinfo``, ``request``, ``metadata``, ``revisit`` and ``continuation`` records are not
  documents: not yielded, not counted as read.
* Rejects (stage ``read``), reading goes on with the next record:
  ``unsupported_content_type`` (images, PDFs, ...), ``http_status`` (not 2xx),
  ``truncated_record`` (fewer bytes than ``Content-Length``, or ``WARC-Truncated``),
  ``document_too_large`` (payload over ``--max_doc_bytes``), ``malformed_record``
  (unreadable HTTP headers or record type), ``empty_input``; decoding failures
  as for other inputs (stage ``decode``).
* A file whose WARC framing breaks (not a WARC, corrupt gzip member) yields one reject
  ``corrupt_warc`` at the offset where reading stopped; the records before it are kept.

:func:`read_warc_record` re-reads one record's payload from ``path`` and an offset
(what a reject's ``source`` holds).
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO, Callable, Iterator

from fastwarc.stream_io import BrotliReader, ChunkedReader, GzipReader
from fastwarc.warc import ArchiveIterator, WarcRecordType

from transforms.document import Doc, Reject
from transforms.ingest.decode import DecodeError, decode_bytes
from transforms.keys import source_id

# Record types that hold documents; the others (warcinfo, request, metadata, revisit,
# continuation) are crawl bookkeeping.
_DOCUMENT_TYPES = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_TEXT_TYPES = ("text/plain",)
_LATIN_DEFAULTS = ("iso8859-1", "latin-1", "cp1252", "ascii")


class RecordError(Exception):
    """A record that cannot become a document; ``reason`` is machine-readable."""

    def __init__(self, reason: str, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.reason, self.raw = reason, raw


def warc_source(path: str, offset: int) -> str:
    """The ``source`` of a WARC record: ``<path>@<offset>``."""
    return f"{path}@{offset}"


def parse_warc_source(source: str) -> tuple[str, int] | None:
    """``(path, offset)`` from a ``<path>@<offset>`` source, None if it is not one."""
    path, sep, offset = source.rpartition("@")
    if not sep or not offset.isdigit():
        return None
    return path, int(offset)


def _iterate(stream: BinaryIO) -> ArchiveIterator:
    return ArchiveIterator(stream, record_types=_DOCUMENT_TYPES | WarcRecordType.unknown, parse_http=True,
                           auto_decode="none", fsspec_args=False)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _header(headers, name: str) -> str | None:
    value = headers.get(name) if headers is not None else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _decode_http_payload(payload: bytes, headers, limit: int) -> bytes:
    """Undo chunked transfer and gzip/deflate/br content encoding; at most ``limit + 1`` bytes."""
    transfer = (_header(headers, "Transfer-Encoding") or "").lower()
    encoding = (_header(headers, "Content-Encoding") or "").lower()
    if "chunked" not in transfer and encoding in ("", "identity"):
        return payload
    stream = io.BytesIO(payload)
    reader = ChunkedReader(stream, fsspec_args=False) if "chunked" in transfer else stream
    if encoding in ("gzip", "x-gzip"):
        reader = GzipReader(reader, fsspec_args=False)
    elif encoding == "deflate":
        reader = GzipReader(reader, zlib=True, fsspec_args=False)
    elif encoding == "br":
        reader = BrotliReader(reader, fsspec_args=False)
    elif encoding not in ("", "identity"):
        raise RecordError("unsupported_content_encoding", f"HTTP Content-Encoding {encoding!r}")
    try:
        return reader.read(limit + 1)
    except OSError as exc:
        raise RecordError("corrupt_compressed_input", f"HTTP payload ({transfer or encoding}): {exc}") from None


def _payload(record, limit: int) -> tuple[bytes, int, str, str | None]:
    """``(payload, declared size, media type, http charset)`` of a document record.

    Raises :class:`RecordError` for records that cannot be documents."""
    declared = int(record.content_length or 0)  # after HTTP parsing: the payload's length
    truncated = _header(record.headers, "WARC-Truncated")
    if record.record_type == WarcRecordType.response:
        if not record.is_http:
            raise RecordError("malformed_record", "response record without a readable HTTP header")
        status = record.http_headers.status_code
        if not 200 <= int(status or 0) < 300:
            raise RecordError("http_status", f"HTTP status {status}")
        content_type = record.http_content_type
        charset = record.http_charset or None
        headers = record.http_headers
    else:
        content_type = _header(record.headers, "Content-Type")
        charset = None
        if content_type and "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
        headers = None
    if declared > limit:
        raise RecordError("document_too_large", f"{declared} bytes, limit {limit} (--max_doc_bytes)")
    data = record.reader.read(limit + 1)
    if len(data) < declared:
        raise RecordError("truncated_record", f"record holds {len(data)} of its {declared} declared bytes", data)
    if truncated:
        raise RecordError("truncated_record", f"WARC-Truncated: {truncated} (the crawler cut the payload)", data)
    try:
        data = _decode_http_payload(data, headers, limit)
    except RecordError as exc:
        exc.raw = data
        raise
    if len(data) > limit:
        raise RecordError("document_too_large", f"over {limit} bytes after content decoding (--max_doc_bytes)")
    return data, declared, _media_type(content_type), charset


def _input_format(media: str, record_type) -> str:
    if media in _HTML_TYPES:
        return "html"
    if media in _TEXT_TYPES or (not media and record_type == WarcRecordType.conversion):
        return "text"
    if not media:
        return "sniff"
    raise RecordError("unsupported_content_type", f"Content-Type {media!r} is not HTML or text")


def _decode(data: bytes, fmt: str, charset: str | None) -> tuple[str, str]:
    """Text from the payload: the HTTP charset when it names a codec that decodes the bytes, else detection."""
    if charset:
        try:
            name = codecs.lookup(charset).name
            if name in _LATIN_DEFAULTS and not data.isascii():
                # Servers label UTF-8 pages ISO-8859-1 by default: bytes that are valid UTF-8 are UTF-8.
                try:
                    return data.decode("utf-8"), "utf-8"
                except UnicodeDecodeError:
                    pass
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if "\x00" not in text[:4096]:
                return text, name
    return decode_bytes(data, html=fmt == "html")


def _record_doc(path: str, record, offset: int, limits) -> Doc | Reject:
    source = warc_source(path, offset)
    raw = b""
    declared = int(record.content_length or 0)
    try:
        data, declared, media, charset = _payload(record, limits.max_doc_bytes)
        raw = data
        try:
            fmt = _input_format(media, record.record_type)
        except RecordError as exc:
            exc.raw = data
            raise
        if fmt == "sniff":
            from transforms.ingest.readers import sniff_format

            fmt = "html" if sniff_format(data[:4096]) == "html" else "text"
        if not data.strip():
            raise RecordError("empty_input", "the record has no payload")
        try:
            text, encoding = _decode(data, fmt, charset)
        except DecodeError as exc:
            return Reject(source_id(source), source, path, "decode", exc.reason, str(exc),
                          data[: limits.max_reject_raw_bytes], len(data))
        if not text.strip():
            raise RecordError("empty_input", f"no text after decoding as {encoding}")
        if text.count("\n") >= limits.max_lines:
            raise RecordError("too_many_lines", f"more than {limits.max_lines} lines (--max_lines)")
    except RecordError as exc:
        raw = raw or exc.raw
        if not raw:
            raw = record.reader.read(limits.max_reject_raw_bytes)
        return Reject(source_id(source), source, path, "read", exc.reason, str(exc),
                      raw[: limits.max_reject_raw_bytes], max(declared, len(raw)))
    metadata = {"warc_record_id": record.record_id or "", "encoding": encoding,
                "warc_type": str(record.record_type)}
    fetch_time = _header(record.headers, "WARC-Date")
    if fetch_time:
        metadata["fetch_time"] = fetch_time
    if charset:
        metadata["http_charset"] = charset
    return Doc(id=source_id(source), source=source, file=path, raw=data, input_format=fmt, text=text,
               url=_header(record.headers, "WARC-Target-URI"), metadata=metadata)


def read_warc(path: str, open_raw: Callable[[], BinaryIO], limits) -> Iterator[Doc | Reject]:
    """Documents and rejects of one WARC file (plain or gzip per record), in file order."""
    offset = 0
    records = 0
    stream = open_raw()
    try:
        for record in _iterate(stream):
            offset = int(record.stream_pos)
            records += 1
            if record.record_type == WarcRecordType.unknown:
                source = warc_source(path, offset)
                yield Reject(source_id(source), source, path, "read", "malformed_record",
                             f"unknown WARC-Type {_header(record.headers, 'WARC-Type')!r}", b"", 0)
                continue
            yield _record_doc(path, record, offset, limits)
    except (OSError, ValueError, EOFError) as exc:
        where = "no WARC record could be read" if not records else f"reading stopped after the record at {offset}"
        source = warc_source(path, offset if records else 0)
        yield Reject(source_id(source + "#corrupt"), source, path, "read", "corrupt_warc",
                     f"{where}: {type(exc).__name__}: {exc}", b"", 0)
    finally:
        stream.close()


def read_warc_record(path: str, offset: int, limit: int,
                     open_raw: Callable[[str], BinaryIO] | None = None) -> bytes:
    """The payload bytes (at most ``limit``) of the record at ``offset`` of ``path``.

    What a reject whose ``source`` is ``<path>@<offset>`` carries as ``raw``: the HTTP
    body for ``response`` records (content encoding undone), the block otherwise.
    ``open_raw(path)`` opens the file undecompressed (default: local ``open``); the
    offset is the one FastWARC reported (of the gzip member for ``.warc.gz``).
    """
    stream = open_raw(path) if open_raw else open(path, "rb")
    try:
        stream.seek(offset)
        for record in _iterate(stream):
            data = record.reader.read(limit + 1)
            headers = record.http_headers if record.record_type == WarcRecordType.response and record.is_http else None
            try:
                data = _decode_http_payload(data, headers, limit)
            except RecordError:
                pass  # keep the bytes as stored
            return data[:limit]
        return b""
    finally:
        stream.close()
