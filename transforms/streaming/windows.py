"""Per-window accounting of the stream (pure, no Beam import).

One summary per window (and per late pane of a window): what was read in it,
what became articles, what became rejects and why.  ``balanced`` checks
``read = articles + rejects`` inside the window: every message's documents
land in the window of the message's event time, rejects included.

>>> from collections import Counter
>>> window_summary(Counter({"documents_read": 3, "articles_written": 2, "rejects_written": 1,
...                         "rejected:dedup/duplicate": 1}), "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z")
... # doctest: +NORMALIZE_WHITESPACE
{'window_start': '2026-01-01T00:00:00Z', 'window_end': '2026-01-01T00:01:00Z', 'pane': 0, 'documents_read': 3,
 'articles_written': 2, 'rejects_written': 1, 'balanced': True, 'rejected_by_reason': {'dedup/duplicate': 1},
 'removed_by_kind': {}, 'languages': {}}
"""

from __future__ import annotations

from typing import Any, Mapping


def window_summary(totals: Mapping[str, int], start: str | None, end: str | None, pane: int = 0) -> dict[str, Any]:
    """The summary row of one window (pane) from its merged tallies (``transforms.accounting``)."""

    def prefixed(prefix: str) -> dict[str, int]:
        return dict(sorted((k[len(prefix):], v) for k, v in totals.items() if k.startswith(prefix)))

    read = totals.get("documents_read", 0)
    articles, rejects = totals.get("articles_written", 0), totals.get("rejects_written", 0)
    return {
        "window_start": start,
        "window_end": end,
        "pane": pane,
        "documents_read": read,
        "articles_written": articles,
        "rejects_written": rejects,
        "balanced": read == articles + rejects,
        "rejected_by_reason": prefixed("rejected:"),
        "removed_by_kind": prefixed("removed:"),
        "languages": prefixed("language:"),
    }
