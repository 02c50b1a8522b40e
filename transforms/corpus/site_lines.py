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

Lines are counted by a 64-bit hash of their text key (:func:`line_hash`): the counts of a
large corpus hold one small integer per distinct line, not its text (a collision between two
distinct lines of one site is a 1 in 2**64 event per pair).

The side input the stage reads maps a domain to the lines over the threshold:
``{domain: [(line_hash, n_docs, domain_docs), ...]}`` (a list per domain, as Beam's
``AsMultiMap`` gives it; repeated entries are harmless).

>>> a = ["Read more at Example News", "Story one line", "Other text"]
>>> docs = [("ex.com", a), ("ex.com", ["Read more at Example News", "Story two"]),
...         ("ex.com", ["read more at example news!", "Story three"]), ("ex.com", ["Story four"])]
>>> learn_site_lines(docs, min_docs=3, min_fraction=0.3) == {"ex.com": [(line_hash("read more at example news"), 3, 4)]}
True
"""

from __future__ import annotations

import hashlib
import struct
from collections import Counter as Tally
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from transforms.document import Counter, Doc, Removed, no_count
from transforms.keys import domain_for, segment_keys, text_key

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


def line_hash(key: str) -> int:
    """A line's 64-bit id: the first 8 bytes of the BLAKE2b hash of its text key (the same in
    every process, unlike ``hash()``)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def line_keys(lines: Iterable[str]) -> set[int]:
    """The distinct line hashes of a document's lines (lines with an empty text key left out)."""
    return key_hashes(text_key(line) for line in lines)


def key_hashes(keys: Iterable[str]) -> set[int]:
    """The distinct hashes of the non-empty text keys (:func:`line_keys` from the keys themselves)."""
    return {line_hash(key) for key in keys if len(key) >= MIN_KEY_CHARS}


def pack_hashes(hashes: Iterable[int]) -> bytes:
    """Sorted line hashes as little-endian uint64 bytes (8 bytes a line on the wire and in memory)."""
    ordered = sorted(hashes)
    return struct.pack(f"<{len(ordered)}Q", *ordered)


def unpack_hashes(data: bytes) -> tuple[int, ...]:
    """The hashes :func:`pack_hashes` packed."""
    return struct.unpack(f"<{len(data) // 8}Q", data)


def body_signature(keys: Iterable[int]) -> str:
    """A hash of a document's set of line hashes: equal bodies count once per domain."""
    return hashlib.sha256(pack_hashes(keys)).hexdigest()[:32]


def doc_lines(doc: Doc) -> tuple[str, str, bytes]:
    """``(domain, body signature, packed sorted line hashes)``: what one document adds to the counts."""
    keys = key_hashes(segment_keys(doc.segments))  # the keys normalize stored on the segments
    return doc_domain(doc), body_signature(keys), pack_hashes(keys)


def is_site_boilerplate(n_docs: int, domain_docs: int, settings: SiteSettings) -> bool:
    """The threshold: in >= min_docs documents and >= min_fraction of the domain's documents."""
    return n_docs >= settings.min_docs and n_docs >= settings.min_fraction * domain_docs


def over_threshold(domain: str, domain_docs: int, line_counts: Iterable[tuple[int, int]],
                   settings: SiteSettings) -> Iterator[tuple[str, tuple[int, int, int]]]:
    """``(domain, (line_hash, n, domain_docs))`` for each line of the domain over the threshold."""
    for key, n in line_counts:
        if is_site_boilerplate(n, domain_docs, settings):
            yield domain, (key, n, domain_docs)


def learn_site_lines(docs: Iterable[tuple[str, Iterable[str]]], min_docs: int = 3, min_fraction: float = 0.3
                     ) -> dict[str, list[tuple[int, int, int]]]:
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
    by_domain: dict[str, list[tuple[int, int]]] = {}
    for (domain, key), n in per_line.items():
        by_domain.setdefault(domain, []).append((key, n))
    out: dict[str, list[tuple[int, int, int]]] = {}
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
    for seg, key in zip(doc.segments, segment_keys(doc.segments)):
        hit = known.get(line_hash(key))
        if hit is None:
            kept.append(seg)
            continue
        count(KIND)
        removed.append(Removed(KIND, seg.text, seg.line, f"{hit[0]} of {hit[1]} documents"))
    if len(kept) == len(doc.segments):
        return doc.replace(domain=domain or None)
    return doc.replace(domain=domain or None, segments=kept, removed=removed)
