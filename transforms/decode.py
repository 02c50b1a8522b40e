"""Bytes to text: UTF-8 first, then byte-order marks, then charset detection (pure).

Undecodable or binary input raises :class:`DecodeError` with a short reason;
the reader turns it into a reject record.

>>> decode_bytes("café".encode("cp1252") * 20)[1]
'cp1252'
"""

from __future__ import annotations

import codecs
import re

# Magic numbers of common binary formats that scrapers save by mistake.
_BINARY_MAGIC = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"RIFF", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"\x7fELF", b"MZ", b"\xfd7zXZ", b"7z\xbc\xaf",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
MAX_CONTROL_RATIO = 0.05  # above this share of control characters the text is binary
DETECT_SAMPLE_BYTES = 256 * 1024


class DecodeError(ValueError):
    """The bytes are not text we can read; ``reason`` is machine-readable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) < 0xA0 or ch == "\ufffd")
    return bad / len(sample)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    if _control_ratio(text) > MAX_CONTROL_RATIO:
        raise DecodeError("binary_content", f"decoded as {encoding} but mostly control characters")
    return text, encoding


def _declared_charset(raw: bytes) -> str | None:
    m = _META_CHARSET_RE.search(raw[:4096])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None


_NON_LATIN_SINGLE_BYTE = {"cp1251", "cp1253", "cp1255", "cp1256", "cp874", "iso8859_5", "iso8859_6",
                          "iso8859_7", "iso8859_8", "iso8859_11", "koi8_r", "koi8_u", "mac_cyrillic",
                          "mac_greek", "cp866", "cp855", "tis_620"}


def _is_latin_single_byte(encoding: str) -> bool:
    name = codecs.lookup(encoding).name.replace("-", "_")
    single = name.startswith(("cp12", "iso8859", "mac_", "latin", "cp77", "cp85", "cp437", "hp_roman"))
    return single and name not in _NON_LATIN_SINGLE_BYTE


def decode_bytes(raw: bytes, *, html: bool = False) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`DecodeError` for binary or undecodable bytes."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError("undecodable", f"byte-order mark says {encoding}: {exc}") from None
    if raw.startswith(_BINARY_MAGIC):
        raise DecodeError("binary_content", "starts with the signature of a binary file format")
    try:
        return _checked(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:DETECT_SAMPLE_BYTES]:
        raise DecodeError("binary_content", "NUL bytes in input that is not UTF-16/32 with a byte-order mark")
    declared = _declared_charset(raw) if html else None
    if declared:
        try:
            return _checked(raw.decode(declared), declared)
        except (UnicodeDecodeError, LookupError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:DETECT_SAMPLE_BYTES]).best()
    if best is None or best.encoding is None:
        raise DecodeError("undecodable", "not UTF-8 and no other encoding fits")
    encoding = best.encoding
    if _is_latin_single_byte(encoding):
        # Detection cannot tell Latin code pages apart on short text; Windows-1252
        # is by far the most common on the web (browsers read ISO-8859-1 as it too).
        try:
            return _checked(raw.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    try:
        return _checked(raw.decode(encoding), encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError("undecodable", f"detected {best.encoding} on a sample but the whole input fails: {exc}") from None
