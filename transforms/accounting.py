"""Run accounting (pure): what was read, written, rejected and removed, per file and in all.

The invariant every run must keep: for each input file, documents read =
articles written + rejects written.
"""

from __future__ import annotations

from collections import Counter as Tally
from typing import Any, Iterable

from transforms.document import Doc, Reject

MAX_FILES_LISTED = 1000  # per-file rows in the summary; larger runs list only the unbalanced files


def read_tally(item: Doc | Reject) -> Tally:
    """What reading one item adds to the totals."""
    return Tally({"documents_read": 1})


def article_tally(doc: Doc) -> Tally:
    tally = Tally({"articles_written": 1, f"language:{doc.language}": 1, f"format:{doc.input_format}": 1})
    for removed in doc.removed:
        tally[f"removed:{removed.kind}"] += 1
    return tally


def reject_tally(reject: Reject) -> Tally:
    return Tally({"rejects_written": 1, f"rejected:{reject.stage}/{reject.reason}": 1})


def merge(tallies: Iterable[Tally]) -> Tally:
    total: Tally = Tally()
    for tally in tallies:
        total.update(tally)
    return total


def file_row(file: str, tally: Tally) -> dict[str, Any]:
    read, written, rejected = tally["documents_read"], tally["articles_written"], tally["rejects_written"]
    return {"file": file, "read": read, "articles": written, "rejects": rejected,
            "balanced": read == written + rejected}


def build_summary(totals: Tally, files: list[dict[str, Any]], file_count: int) -> dict[str, Any]:
    """The run summary written to ``run-summary.json``."""

    def prefixed(prefix: str) -> dict[str, int]:
        return dict(sorted((k[len(prefix):], v) for k, v in totals.items() if k.startswith(prefix)))

    read, written, rejected = totals["documents_read"], totals["articles_written"], totals["rejects_written"]
    unbalanced = [row for row in files if not row["balanced"]]
    return {
        "documents_read": read,
        "articles_written": written,
        "rejects_written": rejected,
        "balanced": read == written + rejected and not unbalanced,
        "rejected_by_reason": prefixed("rejected:"),
        "removed_by_kind": prefixed("removed:"),
        "languages": prefixed("language:"),
        "input_formats": prefixed("format:"),
        "files_read": file_count,
        "unbalanced_files": unbalanced,
        "files": files if file_count <= MAX_FILES_LISTED else [],
    }


def format_summary(summary: dict[str, Any]) -> str:
    """A short table for the terminal."""
    width = max([32] + [len(k) + 12 for key in ("rejected_by_reason", "removed_by_kind") for k in summary[key]])
    lines = [
        f"{'documents read':<{width}}{summary['documents_read']:>10}",
        f"{'articles written':<{width}}{summary['articles_written']:>10}",
        f"{'rejects written':<{width}}{summary['rejects_written']:>10}",
        f"{'read = written + rejected':<{width}}{'yes' if summary['balanced'] else 'NO':>10}",
    ]
    if summary.get("elapsed_seconds") is not None:
        lines.append(f"{'elapsed seconds':<{width}}{summary['elapsed_seconds']:>10.1f}")
    for title, key in (("rejected", "rejected_by_reason"), ("removed", "removed_by_kind")):
        for name, value in summary[key].items():
            lines.append(f"  {title + ' ' + name:<{width - 2}}{value:>10}")
    return "\n".join(lines)
