"""Cross-window dedup decisions for the stream (pure, no Beam import).

The Beam side (``transforms.beam.streaming``) keeps one :class:`Seen` per key
in keyed state: per content key (exact duplicates) and per MinHash band key
(near duplicates).  These functions decide, for a document arriving with
event time ``ts`` (seconds), whether it repeats the kept one; the state
forgets a kept document ``ttl`` seconds after it was seen (a timer clears it,
and an expired entry is never matched even before the timer fires), so
state stays bounded and a copy arriving later than the TTL is kept.

Reasons match the batch corpus dedup: stage ``dedup``, reason ``duplicate``
(same content key) or ``near_duplicate`` (MinHash estimate over the
threshold), with ``duplicate_of`` naming the kept id.

>>> seen = Seen("a", 100.0)
>>> exact_verdict(seen, "b", 150.0, ttl=60)
'a'
>>> exact_verdict(seen, "b", 161.0, ttl=60) is None   # after the TTL: kept
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transforms.document import Doc, Reject

STAGE = "dedup"
EXACT_REASON = "duplicate"
NEAR_REASON = "near_duplicate"
DEFAULT_NEAR_THRESHOLD = 0.8


@dataclass(frozen=True)
class Seen:
    """The kept document of one key: its id, event time (seconds) and, for band keys, its signature."""

    kept_id: str
    ts: float
    signature: Any = None  # numpy uint32 array (near dedup only)


def expired(seen: Seen | None, ts: float, ttl: float) -> bool:
    """Whether ``seen`` no longer counts for a document at ``ts`` (or there is nothing seen)."""
    return seen is None or ts >= seen.ts + ttl


def exact_verdict(seen: Seen | None, doc_id: str, ts: float, ttl: float) -> str | None:
    """The kept id this document duplicates, or None when it is to be kept (and remembered).

    The same id again (Pub/Sub redelivers at least once; a file published twice) is a duplicate of itself.
    """
    if expired(seen, ts, ttl):
        return None
    return seen.kept_id


def near_verdict(seen: Seen | None, doc_id: str, signature: Any, ts: float, ttl: float,
                 threshold: float = DEFAULT_NEAR_THRESHOLD) -> str | None:
    """Like :func:`exact_verdict` for one band key, confirmed by the MinHash estimate >= ``threshold``."""
    from transforms.corpus.minhash import estimated_jaccard

    if expired(seen, ts, ttl):
        return None
    return seen.kept_id if estimated_jaccard(seen.signature, signature) >= threshold else None


def first_duplicate(verdicts: list[str | None]) -> str | None:
    """One document's band verdicts -> the kept id it duplicates (the smallest, for a stable answer)."""
    kept = sorted(v for v in verdicts if v)
    return kept[0] if kept else None


def duplicate_reject(doc: Doc, kept_id: str, reason: str) -> Reject:
    """The reject record of a later copy, pointing at the kept one."""
    what = "the same text as" if reason == EXACT_REASON else "nearly the same text as"
    return Reject(doc.id, doc.source, doc.file, STAGE, reason, f"{what} {kept_id}, kept earlier in the stream",
                  doc.raw, len(doc.raw), duplicate_of=kept_id)
