"""HTML mode: CPU cost of our extraction against ``trafilatura.extract`` alone, same pages, same process.

Issue 11 asks that HTML mode cost at most 1.25 x ``trafilatura.extract`` on the
same pages (our pre-pass, audit and stages add at most 25 %; the page is parsed
once).  This prints, for the DEV HTML pages of ``../shared/eval``::

    extract_html CPU / trafilatura.extract CPU

and the same for the whole HTML step of the chain (``extract_html_doc``: the
extraction plus the audit of what was not kept) and for the whole pure cleaning
chain on the page (``clean_text(html, html=True)``: every stage, language
detection included).  Every page is timed with
``time.process_time`` (CPU time: a busy machine inflates it less than wall
time), the three calls interleaved page by page so that a load change hits all
of them alike; the figure is the median over ``--repeat`` passes of the
per-pass ratio of sums::

    python -m bench.html_speed                  # 74 DEV pages, 3 passes
    python -m bench.html_speed --repeat 5 --json bench/results/html-speed.json

``trafilatura.extract`` is called as ``bench.speed``'s ``html_trafilatura`` run
calls it: its defaults, on the page decoded as UTF-8.

``--cold`` measures what a fresh worker process pays instead: each call runs
alone in a new Python process (pages read before the clock starts), which
reports the CPU of its imports, of the first ``--first`` pages (60) and of all
pages, so one-off costs (lazy imports, resource loads, compiled patterns,
dateparser's locale tables) show up as they do in each Beam worker.  The runs
alternate call by call, ``--repeat`` times, and the median is reported.
``--html-dir`` takes the pages from a directory of ``*.html`` files instead,
e.g. the corpus ``bench.speed`` runs on::

    python -m bench.html_speed --cold                           # DEV pages, fresh processes
    python -m bench.corpus --docs 300 --formats html --out /tmp/corpus
    python -m bench.html_speed --cold --html-dir /tmp/corpus/html
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"


def load_html(eval_dir: Path, split: str) -> list[tuple[str, str]]:
    ids = [line.strip() for line in (eval_dir / f"{split}_ids.txt").read_text().splitlines() if line.strip()]
    return [(i, gzip.decompress((eval_dir / split / f"{i}.html.gz").read_bytes()).decode("utf-8", errors="replace"))
            for i in ids]


def load_dir(html_dir: Path) -> list[tuple[str, str]]:
    """The ``*.html`` files of a directory, in name order, decoded as UTF-8 (as ``bench.speed`` reads them)."""
    return [(path.stem, path.read_bytes().decode("utf-8", errors="replace"))
            for path in sorted(html_dir.glob("*.html"))]


COLD_CALLS = ("trafilatura_extract", "extract_html", "chain")


def cold_run(call: str, pages: list[tuple[str, str]], first: int) -> dict:
    """CPU seconds of one call over the pages in this (fresh) process: imports, the first pages, all pages."""
    clock = time.process_time
    started = clock()
    if call == "trafilatura_extract":
        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.ERROR)

        def run(html: str) -> None:
            trafilatura.extract(html)
    elif call == "extract_html":
        from transforms.html.extract import ExtractionError, extract_html

        logging.getLogger("trafilatura").setLevel(logging.ERROR)

        def run(html: str) -> None:
            try:
                extract_html(html)
            except ExtractionError:
                pass
    else:
        from transforms.clean import clean_text

        logging.getLogger("trafilatura").setLevel(logging.ERROR)

        def run(html: str) -> None:
            try:
                clean_text(html, html=True)
            except ValueError:  # a reject, timed all the same
                pass
    imported = clock()
    at_first = None
    for i, (_page_id, html) in enumerate(pages, 1):
        run(html)
        if i == first:
            at_first = clock() - imported
    done = clock() - imported
    return {"import_s": imported - started, "first_s": at_first if at_first is not None else done,
            "all_s": done, "pages": len(pages), "first": min(first, len(pages))}


def measure_cold(source: list[str], repeat: int, first: int) -> dict:
    """Every call in a fresh process, alternating, ``repeat`` times; medians of the CPU seconds."""
    runs: dict[str, list[dict]] = {call: [] for call in COLD_CALLS}
    for _ in range(repeat):
        for call in COLD_CALLS:
            out = subprocess.run([sys.executable, "-m", "bench.html_speed", "--_cold-run", call, "--first", str(first),
                                  *source], cwd=ROOT, check=True, capture_output=True, text=True)
            runs[call].append(json.loads(out.stdout.strip().splitlines()[-1]))
    result: dict = {"repeat": repeat}
    for call, found in runs.items():
        result[call] = {key: round(statistics.median(r[key] for r in found), 3)
                        for key in ("import_s", "first_s", "all_s")}
        result[call].update(pages=found[0]["pages"], first=found[0]["first"], runs=found)
    return result


def print_cold(r: dict, label: str) -> None:
    base = r["trafilatura_extract"]
    n, first = base["pages"], base["first"]
    print(f"## HTML extraction CPU in a fresh process, {label}, median of {r['repeat']} runs (process_time)")
    print()
    print(f"| call | imports s | first {first} pages s | all {n} pages s | ms/page (all) | / trafilatura.extract "
          f"(imports + first {first}) | / trafilatura.extract (imports + all) |")
    print("|---|---|---|---|---|---|---|")
    for call, name in (("trafilatura_extract", "trafilatura.extract (defaults)"), ("extract_html", "extract_html"),
                       ("chain", "the pure chain (clean_text, html=True)")):
        c = r[call]
        ratio_first = (c["import_s"] + c["first_s"]) / (base["import_s"] + base["first_s"])
        ratio_all = (c["import_s"] + c["all_s"]) / (base["import_s"] + base["all_s"])
        print(f"| {name} | {c['import_s']:.2f} | {c['first_s']:.2f} | {c['all_s']:.2f} | "
              f"{1000 * c['all_s'] / n:.1f} | {ratio_first:.2f} | {ratio_all:.2f} |")
    print()
    print("(imports: the modules imported before the first page; what a call imports lazily counts in its pages)")


def measure(pages: list[tuple[str, str]], repeat: int) -> dict:
    import trafilatura

    from transforms.clean import clean_text, extract_html_doc
    from transforms.document import Doc
    from transforms.html.extract import ExtractionError, extract_html

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    clock = time.process_time
    passes = []
    for _ in range(repeat):
        t_traf = t_ours = t_step = t_chain = 0.0
        for page_id, html in pages:
            started = clock()
            trafilatura.extract(html)
            t_traf += clock() - started
            started = clock()
            try:
                extract_html(html)
            except ExtractionError:
                pass
            t_ours += clock() - started
            doc = Doc(id=page_id, source=page_id, file=page_id, raw=b"", input_format="html", text=html)
            started = clock()
            try:
                extract_html_doc(doc)
            except ExtractionError:
                pass
            t_step += clock() - started
            started = clock()
            try:
                clean_text(html, html=True)
            except ValueError:  # ExtractionError, or no article text left: a reject, timed all the same
                pass
            t_chain += clock() - started
        n = len(pages)
        passes.append({"trafilatura_extract_ms": 1000 * t_traf / n, "extract_html_ms": 1000 * t_ours / n,
                       "extract_html_doc_ms": 1000 * t_step / n,
                       "chain_ms": 1000 * t_chain / n,
                       "ratio_extract_html": t_ours / t_traf, "ratio_extract_html_doc": t_step / t_traf,
                       "ratio_chain": t_chain / t_traf})
    result = {key: round(statistics.median(p[key] for p in passes), 3) for key in passes[0]}
    result.update(pages=len(pages), repeat=repeat, passes=passes)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--cold", action="store_true", help="each call in a fresh process: the per-process cost")
    parser.add_argument("--first", type=int, default=60, help="--cold: also report the CPU of the first N pages")
    parser.add_argument("--html-dir", type=Path, help="the *.html files of this directory instead of the split")
    parser.add_argument("--_cold-run", choices=COLD_CALLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    pages = load_dir(args.html_dir) if args.html_dir else load_html(args.eval_dir, args.split)
    if args.limit:
        pages = pages[:args.limit]
    if args._cold_run:
        print(json.dumps(cold_run(args._cold_run, pages, args.first)))
        return 0
    if args.cold:
        source = ["--limit", str(args.limit)] + (["--html-dir", str(args.html_dir)] if args.html_dir else
                                                 ["--split", args.split, "--eval-dir", str(args.eval_dir)])
        r = measure_cold(source, args.repeat, args.first)
        label = f"{r['trafilatura_extract']['pages']} pages of {args.html_dir or args.split}"
        print_cold(r, label)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(r, indent=1, sort_keys=True))
        return 0
    measure(pages[:5], 1)  # warm-up: lazy imports, compiled patterns, trafilatura's caches
    r = measure(pages, args.repeat)
    print(f"## HTML extraction CPU, {r['pages']} {args.split} pages, median of {r['repeat']} passes (process_time)")
    print()
    print("| call | ms/page | / trafilatura.extract |")
    print("|---|---|---|")
    print(f"| trafilatura.extract (defaults) | {r['trafilatura_extract_ms']:.2f} | 1.00 |")
    print(f"| extract_html | {r['extract_html_ms']:.2f} | {r['ratio_extract_html']:.3f} |")
    print(f"| extract_html_doc (extraction + audit) | {r['extract_html_doc_ms']:.2f} | "
          f"{r['ratio_extract_html_doc']:.3f} |")
    print(f"| the pure chain (clean_text, html=True) | {r['chain_ms']:.2f} | {r['ratio_chain']:.3f} |")
    print()
    print(f"extract_html CPU / trafilatura.extract CPU = {r['ratio_extract_html']:.3f} (target <= 1.25)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(r, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
