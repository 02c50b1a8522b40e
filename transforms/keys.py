"""The keys documents are compared and grouped by (pure, no Beam import).

* :func:`text_key`: the one comparison key for a piece of text (headlines,
  captions, lines a site repeats, HTML blocks): NFKC, case-folded, word
  characters only, single spaces.
* :func:`line_keys` / :func:`segment_keys`: the same key for every line of a
  document at once (a few passes over the whole text instead of a regex call
  per line); ``normalize`` stores each line's key on its
  :class:`~transforms.document.Segment`, and the stages after it read it there
  instead of folding the same line again.
* :func:`content_key`: the hash of a cleaned body's text key, the key of exact
  corpus dedup (the same for bodies that differ only in case, white space and
  punctuation).
* :func:`source_id`: a document id derived from where the document came from
  (file URI, plus ``:<line>`` for JSONL or ``@<offset>`` for a WARC record),
  stable across runs and distinct for two identical files.
* :func:`domain_of` / :func:`domain_for`: the site a document belongs to.

>>> text_key("“Hello,  World!” — it's")
'hello world it s'
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from typing import Any, Sequence
from urllib.parse import urlsplit

_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)


def text_key(text: str) -> str:
    """Comparison key: NFKC, case-folded, runs of non-word characters as one space."""
    if text.isascii():
        return _NON_WORD_RE.sub(" ", text.lower()).strip()
    return _NON_WORD_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


# --- the same key for every line of a text at once -------------------------------------------------
# ``[\W_]`` tested by the regex engine costs a Unicode category look-up per character (~10 ns); on the
# UTF-8 bytes, a 256-byte table turns every non-word ASCII character into a space in one
# ``bytes.translate``, and the few distinct non-ASCII characters of a page are sorted out on their own.
_ASCII_BYTES = bytes(range(128))
_ASCII_NON_WORD = bytes(  # non-word ASCII (all but letters and digits, "_" included) -> space; "\n" stays
    32 if i < 128 and chr(i) != "\n" and _NON_WORD_RE.fullmatch(chr(i)) else i for i in range(256)
)
_NON_WORD_CHAR_RE = re.compile(r"[\W_]")


def _nfkc_lines(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalising only the lines that need it.

    Normalising a whole text re-composes all of it once one character needs it
    (an ellipsis, a full-width sign: a third of the DEV pages); line by line is
    the same result (nothing composes with a line break).  The ellipsis, the most
    common such character, is replaced by its decomposition first (NFKC decomposes
    it to the same three dots).
    """
    if "…" in text:
        text = text.replace("…", "...")
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
                     for line in text.split("\n"))


def line_keys(text: str) -> list[str]:
    """``[text_key(line) for line in text.split("\\n")]``, computed on the whole text at once.

    The same key by the same steps, on the whole text: NFKC and case folding work
    character by character around a line break (no character composes with it),
    and every non-word run stops at the break.

    >>> line_keys("“Hello,  World!”\\n\\n— it's_here")
    ['hello world', '', 'it s here']
    """
    if text.isascii():
        data = text.lower().encode("ascii")
    else:
        folded = _nfkc_lines(text).casefold()
        rest = folded.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)  # the non-ASCII characters
        for char in set(_NON_WORD_CHAR_RE.findall(rest.decode("utf-8", "surrogatepass"))):
            folded = folded.replace(char, " ")  # one character by one: str.replace's fast path
        data = folded.encode("utf-8", "surrogatepass")
    lines = data.translate(_ASCII_NON_WORD).decode("utf-8", "surrogatepass").split("\n")
    # every non-word character is now a space (and white space is non-word): a line's words joined
    # by one space (str.split() drops the runs and the ends)
    return list(map(" ".join, map(str.split, lines)))


def text_keys(texts: Sequence[str]) -> list[str]:
    """``[text_key(t) for t in texts]``, in a few passes over the joined texts."""
    if not texts:
        return []
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a text with a line break of its own: one at a time
        return [text_key(t) for t in texts]
    return line_keys(joined)


def segment_keys(segments: Sequence[Any]) -> list[str]:
    """The :func:`text_key` of every segment's text: its stored ``key``, computed for those without one.

    Segments made by ``normalize`` carry their key; segments made elsewhere (tests,
    or after unpickling: the key is not pickled) get it computed here, all at once.
    """
    keys = [seg.key for seg in segments]
    if None in keys:
        missing = [i for i, key in enumerate(keys) if key is None]
        for i, key in zip(missing, text_keys([segments[i].text for i in missing])):
            keys[i] = key
    return keys


def content_key(body: str) -> str:
    """Hash of the body's :func:`text_key` (exact-duplicate key): 64 hex characters."""
    return hashlib.sha256(text_key(body).encode("utf-8")).hexdigest()


def segments_content_key(segments: Sequence[Any]) -> str:
    """``content_key("\\n\\n".join(seg.text for seg in segments))`` from the segments' stored keys.

    The text key of the joined body is the keys of its paragraphs joined by one
    space (the paragraph break is a run of non-word characters like any other;
    empty keys add nothing): no second pass over the body.
    """
    return hashlib.sha256(" ".join(filter(None, segment_keys(segments))).encode("utf-8")).hexdigest()


def source_id(source: str) -> str:
    """Stable document id from the document's source reference (URI[:line|@offset])."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:20]


def domain_of(url: str | None) -> str | None:
    """Host of a URL, lower-cased, without a leading ``www.``."""
    if not url:
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return None
    return (host[4:] if host.startswith("www.") else host) or None


def domain_for(url: str | None, file: str | None) -> str | None:
    """The document's site: the URL's host, else the name of the input file's parent folder."""
    domain = domain_of(url)
    if domain or not file:
        return domain
    path = urlsplit(file).path if "://" in file else file
    parent = posixpath.basename(posixpath.dirname(path.replace("\\", "/")))
    return parent.lower() or None
