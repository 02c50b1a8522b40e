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
import sys
from typing import TextIO

from transforms.clean import clean_doc, default_detector, default_resources
from transforms.document import Doc, Reject
from transforms.ingest.readers import FORMATS, read_records


def explain_doc(doc: Doc, out: TextIO, *, only_removed: bool = False, width: int = 100) -> None:
    """Print one cleaned document line by line."""
    by_line: dict[int, str] = {}
    for seg in doc.segments:
        by_line[seg.line] = "KEEP"
    for removed in doc.removed:
        if removed.line is not None:
            by_line[removed.line] = f"{removed.kind}" + (f" ({removed.detail})" if removed.detail else "")
    out.write(f"# {doc.source}  id={doc.id}  language={doc.language} ({doc.language_score})\n")
    out.write(f"# title: {doc.title!r}\n# subtitle: {doc.subtitle!r}\n")
    out.write(f"# authors: {doc.authors}  contributors: {doc.contributors}\n")
    for cap in doc.captions:
        out.write(f"# caption: {cap.text!r}  credit: {cap.credit!r}\n")
    kept = len(doc.segments)
    out.write(f"# {kept} lines kept, {sum(1 for r in doc.removed if r.line is not None)} removed\n")
    for number, line in enumerate(doc.text.split("\n")):
        if not line:
            continue
        decision = by_line.get(number, "?")
        if only_removed and decision == "KEEP":
            continue
        out.write(f"{number + 1:>5}  {decision:<44}  {_cut(line, width)}\n")
    for removed in doc.removed:
        if removed.line is None:  # HTML: page text outside the extracted main content
            decision = f"{removed.kind}" + (f" ({removed.detail})" if removed.detail else "")
            out.write(f"{'-':>5}  {decision:<44}  {_cut(removed.text, width)}\n")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def explain_file(path: str, out: TextIO, *, input_format: str = "auto", line: int | None = None,
                 only_removed: bool = False, boilerplate_mode: str = "auto") -> int:
    """Explain every document of ``path``; returns the number of documents rejected."""
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
            doc = clean_doc(item, resources, detector, boilerplate_mode=boilerplate_mode)
        except Exception as exc:  # noqa: BLE001 - explain what the pipeline would reject
            out.write(f"# {item.source}: REJECTED: {type(exc).__name__}: {exc}\n")
            rejected += 1
            continue
        explain_doc(doc, out, only_removed=only_removed)
        if not doc.segments:
            out.write("# -> REJECTED at finish: empty_after_cleaning\n")
        out.write("\n")
    return rejected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline explain", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="a local input file (.txt, .jsonl, .html, also .gz/.bz2)")
    parser.add_argument("--input_format", default="auto", choices=FORMATS)
    parser.add_argument("--line", type=int, help="JSONL: only the document on this line")
    parser.add_argument("--only-removed", action="store_true", help="print removed lines only")
    parser.add_argument("--boilerplate", default="auto", choices=("auto", "on", "off"))
    args = parser.parse_args(argv)
    try:
        explain_file(args.file, sys.stdout, input_format=args.input_format, line=args.line,
                     only_removed=args.only_removed, boilerplate_mode=args.boilerplate)
    except BrokenPipeError:  # output piped into head/less that closed early
        sys.stderr.close()
    return 0
