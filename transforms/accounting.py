"""Run accounting (pure): what was read, written, rejected and removed, per file and in all.

The invariant every run must keep: for each input file, documents read =
articles written + rejects written.

Where the numbers come from (no global combine, nothing written by a worker
that a driver rewrites later):

* **Totals** are Beam counters (namespace ``presswash``): the reader counts
  ``documents_read``, the writers count the tallies below (``articles_written``,
  ``rejects_written``, ``rejected:<stage>/<reason>``, ``removed:<kind>``,
  ``language:<code>``, ``format:<fmt>``).  They work on every runner, in batch
  and in streaming, and Dataflow shows them live.
* **Per-key rows** (per input file in batch, per window and file in
  streaming): a keyed combine of the same tallies, one row
  ``{file, read, articles, rejects, balanced}`` per key, written by a normal
  file sink (``accounting-SSSSS-of-NNNNN.jsonl``); each row also counts
  ``files_balanced`` or ``files_unbalanced``.
* **run-summary.json** is written by the driver alone, when it waits for the
  run: :func:`build_summary` over the counters it queries plus the rows it
  reads back, and the facts only it knows (elapsed time, runner).

>>> totals = merge([read_tally(None), reject_tally_of("read", "empty_input")])
>>> file_row("a.txt", totals)["balanced"]
True
"""

from __future__ import annotations

from collections import Counter as Tally
from typing import Any, Iterable, Mapping

MAX_FILES_LISTED = 1000  # per-file rows in the summary; larger runs list only the unbalanced files

# Counter names (Beam metrics in the ``presswash`` namespace) that make up the totals.
READ = "documents_read"
ARTICLES = "articles_written"
REJECTS = "rejects_written"
FILES_READ = "files_read"
FILES_BALANCED = "files_balanced"
FILES_UNBALANCED = "files_unbalanced"


def read_tally(item: Any) -> Tally:
    """What reading one item (a Doc or a read Reject) adds to the totals."""
    return Tally({READ: 1})


def article_tally(doc: Any) -> Tally:
    """What writing one article adds: the count, its language, its format, its removed segments by kind."""
    tally = Tally({ARTICLES: 1, f"language:{doc.language}": 1, f"format:{doc.input_format}": 1})
    for removed in doc.removed:
        tally[f"removed:{removed.kind}"] += 1
    return tally


def reject_tally_of(stage: str, reason: str) -> Tally:
    return Tally({REJECTS: 1, f"rejected:{stage}/{reason}": 1})


def reject_tally(reject: Any) -> Tally:
    """What writing one reject adds: the count and its ``stage/reason``."""
    return reject_tally_of(reject.stage, reject.reason)


def merge(tallies: Iterable[Mapping[str, int]]) -> Tally:
    total: Tally = Tally()
    for tally in tallies:
        total.update(tally)
    return total


def balance_tally(tally: Mapping[str, int]) -> Tally:
    """Only the three numbers of the balance check (what the per-key combine keeps)."""
    return Tally({name: tally.get(name, 0) for name in (READ, ARTICLES, REJECTS)})


def file_row(file: Any, tally: Mapping[str, int]) -> dict[str, Any]:
    """One accounting row: ``read = articles + rejects`` checked for one key (an input file)."""
    read, written, rejected = tally.get(READ, 0), tally.get(ARTICLES, 0), tally.get(REJECTS, 0)
    return {"file": file, "read": read, "articles": written, "rejects": rejected,
            "balanced": read == written + rejected}


def totals_from_rows(rows: Iterable[Mapping[str, Any]]) -> Tally:
    """Read/article/reject totals summed from accounting rows (when a runner reports no counters)."""
    total: Tally = Tally()
    for row in rows:
        total[READ] += row["read"]
        total[ARTICLES] += row["articles"]
        total[REJECTS] += row["rejects"]
    return total


class RowDigest:
    """Streams accounting rows into what the summary lists: how many, the first few, the unbalanced ones."""

    def __init__(self, limit: int = MAX_FILES_LISTED) -> None:
        self.limit, self.count, self.listed, self.unbalanced = limit, 0, [], []
        self.totals: Tally = Tally()

    def add(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        self.totals.update(totals_from_rows([row]))
        if len(self.listed) <= self.limit:
            self.listed.append(dict(row))
        if not row["balanced"]:
            self.unbalanced.append(dict(row))

    def files(self) -> list[dict[str, Any]]:
        return sorted(self.listed, key=lambda r: str(r["file"])) if self.count <= self.limit else []


def build_summary(counters: Mapping[str, int] | None, rows: RowDigest) -> dict[str, Any]:
    """The run summary: totals from the Beam counters, per-file balance from the accounting rows.

    ``counters`` is None when the runner reports no metrics; the three totals
    then come from the rows (and ``counters_available`` says so).
    """
    available = bool(counters)
    totals: Mapping[str, int] = counters if available else rows.totals

    def prefixed(prefix: str) -> dict[str, int]:
        return dict(sorted((k[len(prefix):], v) for k, v in totals.items() if k.startswith(prefix)))

    read, written, rejected = totals.get(READ, 0), totals.get(ARTICLES, 0), totals.get(REJECTS, 0)
    rows_agree = (rows.totals[READ], rows.totals[ARTICLES], rows.totals[REJECTS]) == (read, written, rejected)
    return {
        "documents_read": read,
        "articles_written": written,
        "rejects_written": rejected,
        "balanced": read == written + rejected and not rows.unbalanced and rows_agree,
        "rejected_by_reason": prefixed("rejected:"),
        "removed_by_kind": prefixed("removed:"),
        "languages": prefixed("language:"),
        "input_formats": prefixed("format:"),
        "files_read": totals.get(FILES_READ, rows.count) if available else rows.count,
        "files_accounted": rows.count,
        "unbalanced_files": rows.unbalanced,
        "files": rows.files(),
        "counters_available": available,
        "counters": dict(sorted(counters.items())) if available else {},
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
