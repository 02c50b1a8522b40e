"""The keys documents are compared and grouped by (pure, no Beam import).

* :func:`text_key`: the one comparison key for a piece of text (headlines,
  captions, lines a site repeats, HTML blocks): NFKC, case-folded, word
  characters only, single spaces.
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
from urllib.parse import urlsplit

_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)


def text_key(text: str) -> str:
    """Comparison key: NFKC, case-folded, runs of non-word characters as one space."""
    if text.isascii():
        return _NON_WORD_RE.sub(" ", text.lower()).strip()
    return _NON_WORD_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_key(body: str) -> str:
    """Hash of the body's :func:`text_key` (exact-duplicate key): 64 hex characters."""
    return hashlib.sha256(text_key(body).encode("utf-8")).hexdigest()


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
