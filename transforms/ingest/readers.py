"""Input files to documents (pure: takes a path and a function that opens its bytes).

``.txt`` is one document per file, ``.jsonl`` one per line (``text`` or ``html``,
optional ``id``, ``url``, ``title``, ``published``; other keys go to
``metadata``), ``.html``/``.htm`` one raw HTML page per file; ``.gz``/``.bz2``
are decompressed by extension.  Every failure yields a :class:`Reject` with a
reason, and reading goes on with the next line or file.
"""

from __future__ import annotations

import bz2
import gzip
import json
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from transforms.document import Doc, Reject
from transforms.ingest.decode import DecodeError, decode_bytes
from transforms.keys import source_id

FORMATS = ("auto", "text", "jsonl", "html", "warc")
_EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".warc": "warc",  # .warc.gz too: transforms.ingest.warc reads the gzip members itself
}
# Decompressing stream over an open file object, by extension (BZ2File takes the file object
# positionally: ``BZ2File(fileobj=...)`` is a TypeError).
_COMPRESSIONS = {
    ".gz": lambda f: gzip.GzipFile(fileobj=f, mode="rb"),
    ".gzip": lambda f: gzip.GzipFile(fileobj=f, mode="rb"),
    ".bz2": lambda f: bz2.BZ2File(f, mode="rb"),
}
_STRING_FIELDS = ("url", "title", "published")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """Safety limits; anything over one becomes a reject with the limit named."""

    max_doc_bytes: int = 10 * 1024 * 1024  # one document (file or JSONL line), decompressed
    max_lines: int = 200_000  # lines in one document
    max_decompressed_bytes: int = 2 * 1024 * 1024 * 1024  # one compressed file, against bombs
    max_reject_raw_bytes: int = 10 * 1024 * 1024  # raw bytes kept in a reject record


class LimitExceeded(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class _Bounded:
    """A read-only stream that fails once more than ``limit`` bytes came out of it."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream, self._limit, self._total = stream, limit, 0

    def _account(self, data: bytes) -> bytes:
        self._total += len(data)
        if self._total > self._limit:
            raise LimitExceeded("decompressed_too_large",
                                f"more than {self._limit} bytes after decompression (--max_decompressed_bytes)")
        return data

    def read(self, size: int = -1) -> bytes:
        return self._account(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._account(self._stream.readline(size))

    def close(self) -> None:
        self._stream.close()


def split_extension(path: str) -> tuple[str, str | None]:
    """(format by extension or 'auto', compression extension or None)."""
    name = path.rsplit("/", 1)[-1].lower()
    compression = None
    for ext in _COMPRESSIONS:
        if name.endswith(ext):
            compression, name = ext, name[: -len(ext)]
            break
    for ext, fmt in _EXTENSIONS.items():
        if name.endswith(ext):
            return fmt, compression
    return "auto", compression


def sniff_format(head: bytes) -> str:
    """Guess the format of a file without a known extension from its first bytes."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    if start.startswith(b"{"):
        return "jsonl"
    if start.startswith(b"warc/1."):
        return "warc"
    if start.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in start or b"<body" in start:
        return "html"
    return "text"


def _reject(source: str, file: str, stage: str, reason: str, error: str, raw: bytes, limits: ReadLimits,
            *, raw_size: int | None = None, doc_id: str | None = None) -> Reject:
    kept = raw[: limits.max_reject_raw_bytes]
    return Reject(doc_id or source_id(source), source, file, stage, reason, error, kept,
                  len(raw) if raw_size is None else raw_size)


def _open(path: str, open_raw: Callable[[], BinaryIO], compression: str | None, limits: ReadLimits):
    stream = open_raw()
    if compression:
        stream = _Bounded(_COMPRESSIONS[compression](stream), limits.max_decompressed_bytes)
    return stream


def _read_head_raw(open_raw: Callable[[], BinaryIO], limits: ReadLimits) -> bytes:
    with open_raw() as f:
        return f.read(limits.max_reject_raw_bytes)


def _text_doc(path: str, data: bytes, fmt: str, limits: ReadLimits) -> Doc | Reject:
    try:
        text, encoding = decode_bytes(data, html=fmt == "html")
    except DecodeError as exc:
        return _reject(path, path, "decode", exc.reason, str(exc), data, limits)
    if not text.strip():
        return _reject(path, path, "read", "empty_input", f"no text after decoding as {encoding}", data, limits)
    if fmt == "text" and text.count("\n") >= limits.max_lines:
        return _reject(path, path, "read", "too_many_lines",
                       f"{text.count(chr(10)) + 1} lines, limit {limits.max_lines} (--max_lines)", data, limits)
    doc = Doc(id=source_id(path), source=path, file=path, raw=data, input_format=fmt)
    doc.metadata["encoding"] = encoding
    if fmt == "text":
        doc.text = text
    else:
        doc.text = text  # decoded HTML; the HTML stage extracts the article from it
    return doc


def _jsonl_doc(path: str, number: int, line: bytes, seen_ids: set[str], limits: ReadLimits) -> Doc | Reject:
    source = f"{path}:{number}"

    def bad(reason: str, error: str) -> Reject:
        return _reject(source, path, "parse_jsonl", reason, error, line, limits)

    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = decode_bytes(line)[0]
        except DecodeError as exc:
            return bad(exc.reason, str(exc))
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return bad("malformed_json", f"line {number}: {exc}"[:500])
    if not isinstance(obj, dict):
        return bad("not_an_object", f"line {number}: a JSON {type(obj).__name__}, expected an object")
    body_key = "text" if "text" in obj else "html" if "html" in obj else None
    if body_key is None:
        return bad("missing_text", f"line {number}: neither 'text' nor 'html' is present")
    body = obj[body_key]
    if body is None:
        return bad("missing_text", f"line {number}: '{body_key}' is null")
    if not isinstance(body, str):
        return bad("invalid_field_type", f"line {number}: '{body_key}' must be a string, got {type(body).__name__}")
    raw_id = obj.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int))):
        return bad("invalid_field_type",
                   f"line {number}: 'id' must be a string or integer, got {type(raw_id).__name__}")
    for key in _STRING_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return bad("invalid_field_type", f"line {number}: '{key}' must be a string, got {type(obj[key]).__name__}")
    if not body.strip():
        return bad("empty_input", f"line {number}: '{body_key}' is empty")
    doc_id = str(raw_id) if raw_id is not None and str(raw_id).strip() else source_id(source)
    if doc_id in seen_ids:
        return _reject(source, path, "parse_jsonl", "duplicate_id",
                       f"line {number}: id {doc_id!r} already used earlier in this file", line, limits,
                       doc_id=doc_id)
    seen_ids.add(doc_id)
    if body_key == "text" and body.count("\n") >= limits.max_lines:
        return bad("too_many_lines", f"line {number}: more than {limits.max_lines} lines (--max_lines)")
    metadata = {
        k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
        for k, v in obj.items()
        if k not in ("text", "html", "id", *_STRING_FIELDS)
    }
    return Doc(
        id=doc_id,
        source=source,
        file=path,
        raw=line,
        input_format="text" if body_key == "text" else "html",
        text=body,
        url=obj.get("url") or None,
        title_hint=obj.get("title") or None,
        published=obj.get("published") or None,
        metadata=metadata,
    )


def _read_jsonl(path: str, stream, limits: ReadLimits) -> Iterator[Doc | Reject]:
    seen_ids: set[str] = set()
    number = 0
    while True:
        line = stream.readline(limits.max_doc_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > limits.max_doc_bytes and not line.endswith(b"\n"):
            head, size = line, len(line)
            while not line.endswith(b"\n"):  # skip the rest of the oversized line
                line = stream.readline(_CHUNK)
                if not line:
                    break
                size += len(line)
            yield _reject(f"{path}:{number}", path, "read", "document_too_large",
                          f"line {number}: {size} bytes, limit {limits.max_doc_bytes} (--max_doc_bytes)",
                          head, limits, raw_size=size)
            continue
        if not line.strip():
            continue
        yield _jsonl_doc(path, number, line.rstrip(b"\r\n"), seen_ids, limits)


def read_records(path: str, open_raw: Callable[[], BinaryIO], *, input_format: str = "auto",
                 limits: ReadLimits = ReadLimits()) -> Iterator[Doc | Reject]:
    """Documents (or rejects) of one input file, in file order."""
    by_extension, compression = split_extension(path)
    fmt = input_format if input_format != "auto" else by_extension
    if fmt == "warc":  # record by record, from the undecompressed file (offsets of gzip members)
        from transforms.ingest.warc import read_warc

        yield from read_warc(path, open_raw, limits)
        return
    try:
        stream = _open(path, open_raw, compression, limits)
        try:
            if fmt == "auto":
                head = stream.read(4096)
                fmt = sniff_format(head)
                if fmt == "warc":
                    stream.close()
                    from transforms.ingest.warc import read_warc

                    yield from read_warc(path, open_raw, limits)
                    return
                # Re-open so the reader sees the whole file from the start.
                stream.close()
                stream = _open(path, open_raw, compression, limits)
            if fmt == "jsonl":
                yield from _read_jsonl(path, stream, limits)
                return
            data = stream.read(limits.max_doc_bytes + 1)
            if len(data) > limits.max_doc_bytes:
                size = len(data)
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                yield _reject(path, path, "read", "document_too_large",
                              f"{size} bytes, limit {limits.max_doc_bytes} (--max_doc_bytes)", data, limits,
                              raw_size=size)
                return
        finally:
            stream.close()
    except LimitExceeded as exc:
        yield _reject(path, path, "read", exc.reason, str(exc), _read_head_raw(open_raw, limits), limits)
        return
    except (EOFError, OSError, zlib.error, ValueError) as exc:
        reason = "corrupt_compressed_input" if compression else "read_error"
        yield _reject(path, path, "read", reason, f"{type(exc).__name__}: {exc}", _read_head_raw(open_raw, limits),
                      limits)
        return
    if not data.strip():
        yield _reject(path, path, "read", "empty_input", "the file has no content", data, limits)
        return
    yield _text_doc(path, data, fmt, limits)
