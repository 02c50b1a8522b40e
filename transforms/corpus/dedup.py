"""Exact and near-duplicate articles: which copy is kept and what the others become (pure, no Beam).

* **Exact**: documents with the same ``Doc.content_key`` (hash of the text key of the cleaned
  body, after every cleaning stage including per-site boilerplate) are one article.
* **Near**: MinHash signatures of the bodies' word shingles (``transforms.corpus.minhash``),
  LSH band keys, every pair sharing a band key verified by its estimated Jaccard
  (``>= threshold``), clusters = connected components of the verified pairs.

In each group or cluster the kept copy is the one with the smallest :func:`rank`: the
earliest ``published`` (documents without a date after all dated ones), then the smallest
id, then the smallest source (ids may repeat across input files).  The rank depends only on
the documents, never on their order, so every runner and every run keeps the same copy.
The others become rejects: stage ``dedup``, reason ``duplicate`` / ``near_duplicate``,
``duplicate_of`` = the kept id.

The Beam transforms (``transforms.beam.corpus``) group by the same keys; :func:`dedup_exact`
and :func:`dedup_near` here do the same in one process (bench, tests, explain).

>>> a = Doc(id="b", source="f:1", file="f", raw=b"", input_format="text", published="2024-01-02")
>>> b = Doc(id="a", source="f:2", file="f", raw=b"", input_format="text", published="2024-01-02")
>>> c = Doc(id="0", source="f:3", file="f", raw=b"", input_format="text")
>>> [d.id for d in sorted([a, b, c], key=rank)]
['a', 'b', '0']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from transforms.corpus import minhash
from transforms.document import Doc, Reject
from transforms.keys import segment_keys

STAGE = "dedup"
DUPLICATE = "duplicate"
NEAR_DUPLICATE = "near_duplicate"
DEDUP_MODES = ("near", "exact", "off")
_NO_DATE = "~"  # sorts after every ISO date

Rank = tuple[str, str, str]  # (published UTC ISO or "~", id, source)


@dataclass(frozen=True)
class DedupSettings:
    """``--dedup``, ``--near_dup_threshold`` and the LSH parameters derived from them."""

    mode: str = "near"
    threshold: float = 0.8
    num_perm: int = minhash.DEFAULT_NUM_PERM
    shingle: int = minhash.DEFAULT_SHINGLE
    max_group: int = 200  # band groups larger than this are compared against their first anchors only
    anchors: int = 16
    bands: int = 0  # LSH bands and rows; 0: chosen by minhash.lsh_params(threshold, num_perm)
    rows: int = 0

    def __post_init__(self) -> None:
        if self.mode not in DEDUP_MODES:
            raise ValueError(f"--dedup must be one of {DEDUP_MODES}, got {self.mode!r}")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"--near_dup_threshold must be in (0, 1), got {self.threshold}")

    @property
    def bands_rows(self) -> tuple[int, int]:
        if self.bands and self.rows:
            return self.bands, self.rows
        return minhash.lsh_params(self.threshold, self.num_perm)


def _published_key(published: str | None) -> str:
    if not published:
        return _NO_DATE
    from transforms.clean import parse_published  # the one date parser of the article rows

    parsed = parse_published(published)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.%f") if parsed is not None else _NO_DATE


def rank(doc: Doc) -> Rank:
    """Order of preference among copies: earliest published, then smallest id, then source."""
    return (_published_key(doc.published), doc.id, doc.source)


def body_text(doc: Doc) -> str:
    """The cleaned body the keys are computed from."""
    return "\n\n".join(doc.paragraphs)


def dedup_reject(doc: Doc, kept_id: str, reason: str, detail: str) -> Reject:
    """The reject of a copy that was not kept (``raw`` as the document holds it: the rejects
    writer re-reads it from ``source`` when empty)."""
    return Reject(doc.id, doc.source, doc.file, STAGE, reason, detail, doc.raw, len(doc.raw), duplicate_of=kept_id)


def split_exact_group(docs: Iterable[Doc]) -> Iterator[Doc | Reject]:
    """One group of documents with the same ``content_key``: the kept one, then rejects."""
    group = sorted(docs, key=rank)
    kept = group[0]
    yield kept
    for doc in group[1:]:
        yield exact_reject(doc, rank(kept))


def exact_reject(doc: Doc, kept: Rank) -> Reject:
    """The reject of a document whose cleaned body is that of the kept copy (its rank)."""
    return dedup_reject(doc, kept[1], DUPLICATE, f"same cleaned body as {kept[1]} ({kept[2]})")


# --- near duplicates -------------------------------------------------------------------------

Member = tuple[Rank, bytes]  # (rank, signature as little-endian uint32 bytes)


def signature_bytes(doc: Doc, settings: DedupSettings) -> bytes:
    """The MinHash signature of the document's cleaned body, as little-endian uint32 bytes.

    = ``minhash.signature(body_text(doc))``: the body's text key is its lines' keys joined by
    one space (``keys.segments_content_key``), so the words come from the segments' keys."""
    words = " ".join(filter(None, segment_keys(doc.segments))).split()
    return minhash.words_signature(words, settings.num_perm, k=settings.shingle).astype("<u4").tobytes()


def band_keys_of(sig: bytes, settings: DedupSettings) -> list[str]:
    """The LSH band keys of a signature in its byte form (none for an empty body)."""
    bands, rows = settings.bands_rows
    return minhash.band_keys(np.frombuffer(sig, dtype="<u4"), bands, rows)


def member(doc: Doc, settings: DedupSettings) -> tuple[Member, list[str]]:
    """A document's ``(rank, signature bytes)`` and its band keys."""
    sig = signature_bytes(doc, settings)
    return (rank(doc), sig), band_keys_of(sig, settings)


def _matrix(members: Sequence[Member]) -> np.ndarray:
    return np.stack([np.frombuffer(sig, dtype="<u4") for _, sig in members])


def candidate_count(n: int, settings: DedupSettings) -> int:
    """How many pairs of a band group of ``n`` bodies get compared (:func:`group_pairs`).

    All pairs when the group has at most ``max_group`` members; a larger group (e.g. thousands
    of bodies that are one boilerplate line) pairs each member with its ``anchors``
    best-ranked members only: O(n * anchors) instead of O(n^2), at the cost of pairs between
    two non-anchor members, which are found only through an anchor or another band."""
    return n * (n - 1) // 2 if n <= settings.max_group else (n - 1) * settings.anchors


def group_pairs(members: Iterable[Member], settings: DedupSettings, count=None) -> list[tuple[Rank, Rank, float]]:
    """Verified pairs of one band group: ``(rank_a, rank_b, estimated Jaccard)``, rank_a < rank_b
    (of the pairs :func:`candidate_count` counts, those whose estimate is ``>= threshold``).

    In-process version; the Beam transform shuffles only ranks per band and verifies each
    distinct candidate pair once."""
    group = sorted(set(members))
    n = len(group)
    if n < 2:
        return []
    mat = _matrix(group)
    width = mat.shape[1]
    limit = n if n <= settings.max_group else settings.anchors
    if n > settings.max_group and count is not None:
        count("near_dup_groups_capped")
    pairs = []
    for i in range(min(limit, n - 1)):
        sims = np.count_nonzero(mat[i + 1:] == mat[i], axis=1) / width
        for j in np.nonzero(sims >= settings.threshold)[0]:
            pairs.append((group[i][0], group[i + 1 + int(j)][0], float(sims[j])))
    return pairs


def find(parent: dict, x):
    """The root of ``x`` in the union-find forest ``parent`` (path halving; adds ``x`` if new)."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def union(parent: dict, a, b) -> None:
    """Join the components of ``a`` and ``b``; the root is always the smaller node, so the
    forest's roots do not depend on the order the pairs come in (the Beam combine merges
    partial forests in any order)."""
    ra, rb = find(parent, a), find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


def roots(parent: dict) -> dict:
    """Every node of the forest -> the smallest node of its component."""
    return {x: find(parent, x) for x in list(parent)}


def components(pairs: Iterable[tuple[Rank, Rank]]) -> dict[Rank, Rank]:
    """Node -> smallest node of its connected component (union-find; in-process version)."""
    parent: dict[Rank, Rank] = {}
    for a, b in pairs:
        union(parent, a, b)
    return roots(parent)


def near_reject(doc: Doc, kept: Rank) -> Reject:
    return dedup_reject(doc, kept[1], NEAR_DUPLICATE,
                        f"near-duplicate body (MinHash) of {kept[1]} ({kept[2]})")


def dedup_exact(docs: Iterable[Doc]) -> tuple[list[Doc], list[Reject]]:
    """Exact dedup in one process: ``(kept, rejects)``; documents without a content_key are kept."""
    groups: dict[str, list[Doc]] = {}
    kept: list[Doc] = []
    for doc in docs:
        if doc.content_key:
            groups.setdefault(doc.content_key, []).append(doc)
        else:
            kept.append(doc)
    rejects: list[Reject] = []
    for group in groups.values():
        for item in split_exact_group(group):
            (rejects if isinstance(item, Reject) else kept).append(item)
    return kept, rejects


def near_pairs(docs: Iterable[Doc], settings: DedupSettings) -> tuple[list[tuple[Rank, Rank, float]], int]:
    """Verified near-duplicate pairs of ``docs`` (in one process) and the number of candidate pairs."""
    by_band: dict[str, list[Member]] = {}
    for doc in docs:
        m, keys = member(doc, settings)
        for key in keys:
            by_band.setdefault(key, []).append(m)
    pairs: set[tuple[Rank, Rank, float]] = set()
    candidates = 0
    for group in by_band.values():
        n = len(group)
        candidates += candidate_count(n, settings)
        pairs.update(group_pairs(group, settings))
    return sorted(pairs), candidates


def dedup_near(docs: Sequence[Doc], settings: DedupSettings) -> tuple[list[Doc], list[Reject]]:
    """Near dedup in one process (same rule as the Beam transform): ``(kept, rejects)``."""
    pairs, _ = near_pairs(docs, settings)
    label = components((a, b) for a, b, _ in pairs)
    kept: list[Doc] = []
    rejects: list[Reject] = []
    for doc in docs:
        r = rank(doc)
        root = label.get(r, r)
        if root == r:
            kept.append(doc)
        else:
            rejects.append(near_reject(doc, root))
    return kept, rejects


def dedup_docs(docs: Sequence[Doc], settings: DedupSettings) -> tuple[list[Doc], list[Reject]]:
    """``--dedup`` in one process: exact, then (mode ``near``) near on the survivors."""
    if settings.mode == "off":
        return list(docs), []
    kept, rejects = dedup_exact(docs)
    if settings.mode == "near":
        kept, near = dedup_near(kept, settings)
        rejects += near
    return kept, rejects
