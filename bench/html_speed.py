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
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"


def load_html(eval_dir: Path, split: str) -> list[tuple[str, str]]:
    ids = [line.strip() for line in (eval_dir / f"{split}_ids.txt").read_text().splitlines() if line.strip()]
    return [(i, gzip.decompress((eval_dir / split / f"{i}.html.gz").read_bytes()).decode("utf-8", errors="replace"))
            for i in ids]


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
    args = parser.parse_args(argv)

    pages = load_html(args.eval_dir, args.split)
    if args.limit:
        pages = pages[:args.limit]
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
