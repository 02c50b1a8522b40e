"""``python -m pipeline explain FILE``: every input line with the decision and the reason.

Runs the same pure stages as the pipeline on one file (each document of a
JSONL file, or ``--line N`` only) and prints, per line of the normalised text
(for HTML: of the text trafilatura extracted), ``KEEP`` or the kind of removal
with its detail.  For debugging cleaning quality::

    python -m pipeline explain seeds/samples/000_83adebb5c520ffc7.txt
    python -m pipeline explain --only-removed data/page.html
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from typing import TextIO

from transforms.clean import clean_doc, default_detector, default_resources
from transforms.document import Doc, Reject
from transforms.ingest.readers import FORMATS, read_records


def explain_doc(doc: Doc, out: TextIO, *, only_removed: bool = False, width: int = 100) -> int:
    """Print one cleaned document line by line; returns the number of lines listed as removed.

    Line numbers are 1-based, the same numbers as the Parquet ``removed.line``.
    """
    by_line: dict[int, str] = {}
    for seg in doc.segments:
        by_line[seg.line] = "KEEP"
    for removed in doc.removed:
        if removed.line is not None:
            by_line[removed.line] = f"{removed.kind}" + (f" ({removed.detail})" if removed.detail else "")
    rows: list[tuple[str, str, str]] = []  # (line number, decision, text)
    for number, line in enumerate(doc.text.split("\n")):
        if line:
            rows.append((str(number + 1), by_line.get(number, "?"), line))
    for removed in doc.removed:
        if removed.line is None:  # HTML: page text outside the extracted main content
            decision = f"{removed.kind}" + (f" ({removed.detail})" if removed.detail else "")
            rows.append(("-", decision, removed.text))
    kept = sum(1 for _, decision, _ in rows if decision == "KEEP")
    removed_count = sum(1 for _, decision, _ in rows if decision not in ("KEEP", "?"))
    out.write(f"# {doc.source}  id={doc.id}  language={doc.language} ({doc.language_score})\n")
    out.write(f"# title: {doc.title!r}\n# subtitle: {doc.subtitle!r}\n")
    out.write(f"# authors: {doc.authors}  contributors: {doc.contributors}\n")
    for cap in doc.captions:
        out.write(f"# caption: {cap.text!r}  credit: {cap.credit!r}\n")
    out.write(f"# {kept} lines kept, {removed_count} removed\n")
    for number, decision, text in rows:
        if only_removed and decision == "KEEP":
            continue
        out.write(f"{number:>5}  {decision:<44}  {_cut(text, width)}\n")
    return removed_count


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def explain_file(path: str, out: TextIO, *, input_format: str = "auto", line: int | None = None,
                 only_removed: bool = False, boilerplate_mode: str = "auto", side: dict | None = None) -> int:
    """Explain every document of ``path``; returns the number of documents rejected.

    ``side``: corpus side inputs (``--corpus``: the per-site line counts), else none."""
    resources, detector = default_resources(), default_detector()
    rejected = 0
    for item in read_records(path, lambda: open(path, "rb"), input_format=input_format):
        if line is not None and not item.source.endswith(f":{line}"):
            continue
        if isinstance(item, Reject):
            out.write(f"# {item.source}: REJECTED at {item.stage}: {item.reason} - {item.error}\n")
            rejected += 1
            continue
        try:
            doc = clean_doc(item, resources, detector, boilerplate_mode=boilerplate_mode, side=side)
        except Exception as exc:  # noqa: BLE001 - explain what the pipeline would reject
            out.write(f"# {item.source}: REJECTED: {type(exc).__name__}: {exc}\n")
            rejected += 1
            continue
        explain_doc(doc, out, only_removed=only_removed)
        if not doc.segments:
            out.write("# -> REJECTED at finish: empty_after_cleaning\n")
        out.write("\n")
    return rejected


def input_files(target: str) -> list[str]:
    """The files ``target`` names: a file, every file under a directory, or every file a glob matches.

    Raises :class:`ExplainError` (one line for the user) when there is none.
    """
    if any(ch in target for ch in "*?["):
        files = sorted(p for p in glob.glob(target, recursive=True) if os.path.isfile(p))
        if not files:
            raise ExplainError(f"{target!r} matches no file")
        return files
    if os.path.isdir(target):
        files = sorted(os.path.join(root, name) for root, _, names in os.walk(target) for name in names)
        if not files:
            raise ExplainError(f"{target!r} is a directory with no files")
        return files
    if not os.path.exists(target):
        raise ExplainError(f"{target!r}: no such file")
    return [target]


class ExplainError(Exception):
    """A problem with explain's input, printed as one line."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline explain", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="a local input file (.txt, .jsonl, .html, also .gz/.bz2); a directory or a "
                                     "glob explains every file in it, one after the other")
    parser.add_argument("--input_format", default="auto", choices=FORMATS)
    parser.add_argument("--line", type=int, help="JSONL: only the document on this line")
    parser.add_argument("--only-removed", action="store_true", help="print removed lines only")
    parser.add_argument("--boilerplate", default="auto", choices=("auto", "on", "off"))
    parser.add_argument("--corpus", metavar="GLOB",
                        help="learn per-site boilerplate from these files first (as the pipeline does over its "
                             "inputs), so lines the FILE's site repeats show as site_boilerplate")
    parser.add_argument("--site_min_docs", type=int, default=3, help="with --corpus: as in the pipeline")
    parser.add_argument("--site_min_fraction", type=float, default=0.3, help="with --corpus: as in the pipeline")
    args = parser.parse_args(argv)
    try:
        side = None
        if args.corpus:
            from transforms.corpus.learn import corpus_files, learn_corpus_side
            from transforms.corpus.site_lines import SiteSettings

            files = corpus_files(args.corpus)
            if not files:
                raise ExplainError(f"--corpus {args.corpus!r} matches no file")
            side = learn_corpus_side(files, default_resources(), default_detector(),
                                     boilerplate_mode=args.boilerplate, input_format=args.input_format,
                                     settings=SiteSettings(args.site_min_docs, args.site_min_fraction))
        for path in input_files(args.file):
            explain_file(path, sys.stdout, input_format=args.input_format, line=args.line,
                         only_removed=args.only_removed, boilerplate_mode=args.boilerplate, side=side)
    except BrokenPipeError:  # output piped into head/less that closed early
        sys.stderr.close()
    except (ExplainError, OSError) as exc:
        print(f"explain: error: {exc}", file=sys.stderr)
        return 2
    return 0
