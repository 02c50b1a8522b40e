"""Bytes to text: byte-order marks, UTF-8, a declared charset, then charset detection (pure).

The order, and why:

1. A byte-order mark decides (UTF-8/16/32); UTF-16 without a mark is recognised
   by its NUL bytes at every other position (ASCII-heavy text).
2. Strict UTF-8.
3. Text whose invalid UTF-8 bytes stand alone between ASCII characters (stray
   Windows-1252 bytes in a UTF-8 file, lines pasted from a Latin-1 file, or a
   whole Latin-1/Windows-1252 file): each invalid byte is read as
   Windows-1252 (``utf-8+cp1252``; ``cp1252`` when no valid multi-byte UTF-8
   sequence occurs at all).  Charset detection on such input guesses Cyrillic
   or Greek code pages and turns ``café`` into ``cafй``.
4. For HTML, the ``<meta charset>`` the page declares.
5. charset-normalizer on a sample (Shift-JIS, GBK, Windows-1251, ...).

Undecodable or binary input raises :class:`DecodeError` with a short reason
(``binary_content``, ``undecodable``); the reader turns it into a reject record.

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
_UTF16_SAMPLE = 4096


class DecodeError(ValueError):
    """The bytes are not text we can read; ``reason`` is machine-readable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# C0 controls other than \t \n \v \f \r, C1 controls and the replacement character: one class, so the
# count is a regex scan, not a Python loop over every character (1 ms for a 10 KB page).
_BAD_CHAR_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = len(sample) - len(_BAD_CHAR_RE.sub("", sample))
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


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit at every other byte (ASCII-heavy UTF-16), else None."""
    sample = raw[:_UTF16_SAMPLE]
    if len(sample) < 16 or len(raw) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


# Invalid UTF-8 bytes come out of ``surrogateescape`` as U+DC80..U+DCFF; read them as Windows-1252.
_ESCAPED_AS_CP1252 = {
    0xDC00 + b: ("\ufffd" if b in b"\x81\x8d\x8f\x90\x9d" else bytes([b]).decode("cp1252")) for b in range(0x80, 0x100)
}
_ESCAPED_RE = re.compile("[\udc80-\udcff]")
_ISOLATED_ESCAPED_RE = re.compile("(?<![^\x00-\x7f])[\udc80-\udcff](?![^\x00-\x7f])")
MIN_ISOLATED_SHARE = 0.8  # of invalid bytes, for the UTF-8/cp1252 reading


def _utf8_with_cp1252_fallback(raw: bytes, *, isolated_only: bool = True) -> tuple[str, str] | None:
    """UTF-8 where valid, each invalid byte as Windows-1252 (by default only when the invalid bytes stand alone).

    In text written in a Western code page (or pasted from one into UTF-8) a
    non-ASCII byte sits between ASCII letters (``caf\\xe9 au lait``); in
    Shift-JIS, GBK or Windows-1251 they come in runs and detection decides.
    Returns ``(text, encoding)`` or None.  Linear time.
    """
    escaped = raw.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for _ in _ESCAPED_RE.finditer(escaped))
    if not invalid:
        return None
    if isolated_only and sum(1 for _ in _ISOLATED_ESCAPED_RE.finditer(escaped)) < MIN_ISOLATED_SHARE * invalid:
        return None
    non_ascii = len(escaped) - len(escaped.encode("ascii", "ignore"))
    return escaped.translate(_ESCAPED_AS_CP1252), "utf-8+cp1252" if non_ascii > invalid else "cp1252"


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
    utf16 = _utf16_without_bom(raw) if b"\x00" in raw[:_UTF16_SAMPLE] else None
    if utf16:
        try:
            return _checked(raw.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    try:
        return _checked(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:DETECT_SAMPLE_BYTES]:
        raise DecodeError("binary_content", "NUL bytes in input that is not UTF-16/32 with a byte-order mark")
    declared = _declared_charset(raw) if html else None
    if declared and codecs.lookup(declared).name == "utf-8":
        declared = None  # the page says UTF-8 but is not: read it like undeclared text
    fallback = None if declared else _utf8_with_cp1252_fallback(raw)
    if fallback:
        return _checked(*fallback)
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
        # Valid UTF-8 sequences among the bytes stay UTF-8 (a UTF-8 file with broken bytes).
        fallback = _utf8_with_cp1252_fallback(raw, isolated_only=False)
        if fallback:
            return _checked(*fallback)
    try:
        return _checked(raw.decode(encoding), encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError("undecodable",
                          f"detected {best.encoding} on a sample but the whole input fails: {exc}") from None
