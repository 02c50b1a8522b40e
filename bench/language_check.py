"""Language agreement on the DEV pages: the pipeline's bounded sample against the whole gold body.

For every DEV page (naive text and HTML input), the cleaning chain runs up to the
language stage; the language langdetect finds on the stage's sample
(:func:`transforms.text.language.language_sample`) is compared with the language
it finds on the page's whole gold body (up to 20,000 characters).  The earlier
sample (the longest lines, up to 1,500 characters) is scored the same way, with
the time per langdetect call of each::

    python -m bench.language_check
    python -m bench.language_check --json bench/results/language-dev.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
GOLD_CHARS = 20_000


def longest_lines_sample(texts: list[str], limit: int = 1500) -> str:
    """The sample before issue 11: the longest lines up to ``limit`` characters, in input order."""
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i))
    chosen, total = [], 0
    for i in order:
        if total >= limit:
            break
        chosen.append(i)
        total += len(texts[i]) + 1
    return "\n".join(texts[i] for i in sorted(chosen))[:limit]


def check(eval_dir: Path, split: str = "dev") -> dict:
    from transforms.clean import clean_doc, default_detector, default_resources
    from transforms.document import Doc
    from transforms.text.language import SAMPLE_CHARS, language_sample

    resources, detector = default_resources(), default_detector()
    ids = [line.strip() for line in (eval_dir / f"{split}_ids.txt").read_text().splitlines() if line.strip()]
    samplers = {f"current (<= {SAMPLE_CHARS} chars, spread)": language_sample,
                "before (<= 1500 chars, longest lines)": longest_lines_sample}
    result: dict = {"pages": len(ids), "samplers": {}}
    rows = {name: {"text": [0, 0], "html": [0, 0], "seconds": 0.0, "calls": 0, "disagree": []} for name in samplers}
    for page in ids:
        gold = (eval_dir / split / f"{page}.gold.txt").read_text(encoding="utf-8")
        reference = detector.detect(gold[:GOLD_CHARS])[0]
        inputs = {
            "text": (eval_dir / split / f"{page}.txt").read_text(encoding="utf-8"),
            "html": gzip.decompress((eval_dir / split / f"{page}.html.gz").read_bytes()).decode("utf-8", "replace"),
        }
        for fmt, text in inputs.items():
            doc = Doc(id=page, source=page, file=page, raw=b"", input_format=fmt, text=text)
            try:
                doc = clean_doc(doc, resources, detector, until="language")
            except Exception:  # noqa: BLE001 - a page the chain rejects has no language to compare
                continue
            texts = [s.text for s in doc.segments] or ([doc.title] if doc.title else [])
            for name, sampler in samplers.items():
                sample = sampler(texts)
                started = time.process_time()
                language = detector.detect(sample)[0]
                row = rows[name]
                row["seconds"] += time.process_time() - started
                row["calls"] += 1
                row[fmt][1] += 1
                if language == reference:
                    row[fmt][0] += 1
                else:
                    row["disagree"].append({"page": page[:12], "input": fmt, "sample": language, "gold": reference})
    for name, row in rows.items():
        result["samplers"][name] = {
            "text_agree": f"{row['text'][0]}/{row['text'][1]}",
            "html_agree": f"{row['html'][0]}/{row['html'][1]}",
            "ms_per_call": round(1000 * row["seconds"] / max(row["calls"], 1), 2),
            "disagree": row["disagree"],
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = check(args.eval_dir, args.split)
    print(f"language agreement with langdetect on the whole gold body, {result['pages']} {args.split} pages")
    print()
    print("| sample | text input | HTML input | ms per langdetect call (CPU) |")
    print("|---|---|---|---|")
    for name, row in result["samplers"].items():
        print(f"| {name} | {row['text_agree']} | {row['html_agree']} | {row['ms_per_call']} |")
    for name, row in result["samplers"].items():
        for d in row["disagree"]:
            print(f"  {name}: {d['page']} ({d['input']}) sample={d['sample']} gold={d['gold']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
