"""Boilerplate learned per site: lines that recur across many documents of one domain (pure, no Beam).

Two passes, as keyed aggregation (the Beam version is ``transforms.beam.corpus.LearnSiteBoilerplate``):

1. Each document contributes, once per distinct line, the key ``(domain, text_key(line))``;
   the counts per key are the numbers of distinct documents holding the line.  A domain's
   documents with the same body (``content_key`` of the lines) count once, so a site that
   publishes one story three times does not teach itself that the story is boilerplate
   (exact dedup handles those copies).
2. A line is boilerplate on its domain when it is in at least ``min_docs`` documents AND
   in at least ``min_fraction`` of the domain's documents.  Those lines leave the body
   with kind ``site_boilerplate`` and detail ``"<n> of <total> documents"``.

Only widespread repetition counts: a quotation that two articles of a site share is in
2 documents (< ``min_docs``), and a line in 3 of 20 documents is in 15% (< 30%).

The side input the stage reads maps a domain to the lines over the threshold:
``{domain: [(line_key, n_docs, domain_docs), ...]}`` (a list per domain, as Beam's
``AsMultiMap`` gives it; repeated entries are harmless).

>>> a = ["Read more at Example News", "Story one line", "Other text"]
>>> docs = [("ex.com", a), ("ex.com", ["Read more at Example News", "Story two"]),
...         ("ex.com", ["read more at example news!", "Story three"]), ("ex.com", ["Story four"])]
>>> learn_site_lines(docs, min_docs=3, min_fraction=0.3)
{'ex.com': [('read more at example news', 3, 4)]}
"""

from __future__ import annotations

import hashlib
from collections import Counter as Tally
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from transforms.document import Counter, Doc, Removed, no_count
from transforms.keys import domain_for, text_key

KIND = "site_boilerplate"
MIN_KEY_CHARS = 1  # a line whose text key is empty (only punctuation) is never counted


@dataclass(frozen=True)
class SiteSettings:
    """When a line is boilerplate on its site."""

    min_docs: int = 3
    min_fraction: float = 0.3
    enabled: bool = True  # --site_boilerplate off: learn nothing, remove nothing

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ValueError(f"site_min_docs must be >= 2 (one document is no repetition), got {self.min_docs}")
        if not 0.0 < self.min_fraction <= 1.0:
            raise ValueError(f"site_min_fraction must be in (0, 1], got {self.min_fraction}")


def doc_domain(doc: Doc) -> str:
    """The document's site (``Doc.domain`` if set, else from its URL or file); ``""`` if none."""
    return doc.domain or domain_for(doc.url, doc.file) or ""


def line_keys(lines: Iterable[str]) -> set[str]:
    """The distinct text keys of a document's lines (empty keys left out)."""
    keys = set()
    for line in lines:
        key = text_key(line)
        if len(key) >= MIN_KEY_CHARS:
            keys.add(key)
    return keys


def body_signature(keys: Iterable[str]) -> str:
    """A hash of a document's set of line keys: equal bodies count once per domain."""
    h = hashlib.sha256()
    for key in sorted(keys):
        h.update(key.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:32]


def doc_lines(doc: Doc) -> tuple[str, str, tuple[str, ...]]:
    """``(domain, body signature, sorted line keys)``: what one document adds to the counts."""
    keys = line_keys(seg.text for seg in doc.segments)
    return doc_domain(doc), body_signature(keys), tuple(sorted(keys))


def is_site_boilerplate(n_docs: int, domain_docs: int, settings: SiteSettings) -> bool:
    """The threshold: in >= min_docs documents and >= min_fraction of the domain's documents."""
    return n_docs >= settings.min_docs and n_docs >= settings.min_fraction * domain_docs


def over_threshold(domain: str, domain_docs: int, line_counts: Iterable[tuple[str, int]],
                   settings: SiteSettings) -> Iterator[tuple[str, tuple[str, int, int]]]:
    """``(domain, (line_key, n, domain_docs))`` for each line of the domain over the threshold."""
    for key, n in line_counts:
        if is_site_boilerplate(n, domain_docs, settings):
            yield domain, (key, n, domain_docs)


def learn_site_lines(docs: Iterable[tuple[str, Iterable[str]]], min_docs: int = 3, min_fraction: float = 0.3
                     ) -> dict[str, list[tuple[str, int, int]]]:
    """In-process version of the two passes (``explain --corpus``, tests): ``(domain, lines)`` pairs in,
    the side input out.  Same rule as the Beam transform."""
    settings = SiteSettings(min_docs, min_fraction)
    seen: set[tuple[str, str]] = set()
    per_line: Tally = Tally()
    per_domain: Tally = Tally()
    for domain, lines in docs:
        keys = line_keys(lines)
        sig = (domain, body_signature(keys))
        if sig in seen:
            continue
        seen.add(sig)
        per_domain[domain] += 1
        for key in keys:
            per_line[(domain, key)] += 1
    by_domain: dict[str, list[tuple[str, int]]] = {}
    for (domain, key), n in per_line.items():
        by_domain.setdefault(domain, []).append((key, n))
    out: dict[str, list[tuple[str, int, int]]] = {}
    for domain in sorted(by_domain):
        lines = sorted(value for _, value in over_threshold(domain, per_domain[domain], by_domain[domain], settings))
        if lines:
            out[domain] = lines
    return out


def remove_site_boilerplate(doc: Doc, count: Counter = no_count, *,
                            site_lines: Mapping[str, Any] | None = None) -> Doc:
    """Move the lines its site repeats widely (per ``site_lines``) from the body to ``removed``.

    Also fills ``Doc.domain`` (the key the corpus stages group by)."""
    domain = doc_domain(doc)
    try:  # a dict, or Beam's AsMultiMap view (no .get(); [] for a missing key)
        entries = site_lines[domain] if site_lines is not None else ()
    except KeyError:
        entries = ()
    if not entries:
        return doc.replace(domain=domain or None)
    known = {key: (n, total) for key, n, total in entries}
    kept, removed = [], list(doc.removed)
    for seg in doc.segments:
        hit = known.get(text_key(seg.text))
        if hit is None:
            kept.append(seg)
            continue
        count(KIND)
        removed.append(Removed(KIND, seg.text, seg.line, f"{hit[0]} of {hit[1]} documents"))
    if len(kept) == len(doc.segments):
        return doc.replace(domain=domain or None)
    return doc.replace(domain=domain or None, segments=kept, removed=removed)
