"""Cleaning quality on the external evaluation set, through the real pipeline.

Runs ``python -m pipeline`` over the eval pages (the naive scraped ``.txt`` in
text mode, the ``.html.gz`` in HTML mode), reads every body back from the
articles Parquet by source file name (a rejected page counts as an empty
prediction), and scores it with the evaluation set's own ``score.py``::

    python -m bench.quality --split dev --mode text
    python -m bench.quality --split dev --mode html
    python -m bench.quality --mode both --json bench/results/quality-dev.json

Prints the mean-over-pages sh4 table, one row per language (language of the
gold text by the project's langdetect wrapper), the worst pages and per-class
counts.  What a mode learned from DEV is quoted by its leave-sites-out CV,
which the report runs by default (text: ``bench/train_boilerplate.py``, with a
bootstrap interval over sites; html: ``bench/html_cv.py``; ``--no-cv`` skips
them).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
MODES = {"text": ".txt", "html": ".html.gz"}


def load_scorer(eval_dir: Path):
    sys.path.insert(0, str(eval_dir))
    import score  # the evaluation set's scorer, unchanged

    return score


def page_ids(eval_dir: Path, split: str) -> list[str]:
    ids_file = eval_dir / f"{split}_ids.txt"
    if ids_file.exists():
        return [line.strip() for line in ids_file.read_text().splitlines() if line.strip()]
    return sorted(p.name[: -len(".gold.txt")] for p in (eval_dir / split).glob("*.gold.txt"))


def run_pipeline(ids: list[str], eval_dir: Path, split: str, mode: str, workdir: Path,
                 extra_args: list[str]) -> tuple[dict[str, str], dict[str, str], float]:
    """Bodies by page id (from Parquet), reject reasons by page id, and the run's wall time."""
    inputs = workdir / f"input-{mode}"
    out = workdir / f"output-{mode}"
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir(parents=True)
    suffix = MODES[mode]
    for page in ids:
        os.symlink((eval_dir / split / f"{page}{suffix}").resolve(), inputs / f"{page}{suffix}")
    cmd = [sys.executable, "-m", "pipeline", "--input", str(inputs / "*"), "--output", str(out), "--overwrite",
           *extra_args]
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"pipeline failed ({result.returncode}):\n{result.stderr[-4000:]}")
    bodies: dict[str, str] = {}
    for f in sorted(glob.glob(str(out / "articles-*.parquet"))):
        for row in pq.read_table(f, columns=["source", "body"]).to_pylist():
            bodies[Path(row["source"]).name[: -len(suffix)]] = row["body"]
    rejected: dict[str, str] = {}
    for f in sorted(glob.glob(str(out / "rejects-*.parquet"))):
        for row in pq.read_table(f, columns=["source", "stage", "reason"]).to_pylist():
            rejected[Path(row["source"]).name[: -len(suffix)]] = f"{row['stage']}/{row['reason']}"
    return bodies, rejected, elapsed


def gold_languages(ids: list[str], eval_dir: Path, split: str) -> dict[str, str]:
    from transforms.text.language import LanguageDetector, language_sample

    detector = LanguageDetector()
    out = {}
    for page in ids:
        gold = (eval_dir / split / f"{page}.gold.txt").read_text(encoding="utf-8")
        out[page] = detector.detect(language_sample(gold.splitlines()))[0]
    return out


def evaluate(mode: str, ids: list[str], eval_dir: Path, split: str, workdir: Path, extra_args: list[str],
             scorer, languages: dict[str, str]) -> dict:
    bodies, rejected, elapsed = run_pipeline(ids, eval_dir, split, mode, workdir, extra_args)
    per_page = {}
    for page in ids:
        gold = (eval_dir / split / f"{page}.gold.txt").read_text(encoding="utf-8")
        per_page[page] = scorer.score_pair(gold, bodies.get(page, ""))
        per_page[page]["rejected"] = rejected.get(page)
        per_page[page]["language"] = languages[page]
    by_language = defaultdict(list)
    for row in per_page.values():
        by_language[row["language"]].append(row)
    aggregate = scorer.aggregate(list(per_page.values()))
    aggregate["errors"] = sum(1 for r in per_page.values() if r["rejected"])
    return {
        "mode": mode,
        "pages": len(ids),
        "seconds": round(elapsed, 1),
        "aggregate": aggregate,
        "by_language": {lang: scorer.aggregate(rows) for lang, rows in sorted(by_language.items())},
        "per_page": per_page,
    }


def report(result: dict, scorer, worst: int) -> str:
    mode = result["mode"]
    rows = [(f"presswash {mode}", result["aggregate"])]
    rows += [(f"  {lang} ({agg['n']} pages)", agg) for lang, agg in result["by_language"].items()]
    lines = [f"## {mode} mode: {result['pages']} pages, pipeline run {result['seconds']} s", "",
             scorer.format_table(rows), "", f"Worst {worst} pages (sh4 F1):", ""]
    ranked = sorted(result["per_page"].items(), key=lambda kv: kv[1]["sh4_F1"])[:worst]
    lines.append("| page | lang | sh4 P | sh4 R | sh4 F1 | pred tokens | gold tokens | rejected |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for page, row in ranked:
        lines.append(f"| {page[:12]} | {row['language']} | {row['sh4_P']:.3f} | {row['sh4_R']:.3f} | "
                     f"{row['sh4_F1']:.3f} | {row['pred_tokens']} | {row['gold_tokens']} | {row['rejected'] or ''} |")
    return "\n".join(lines)


def html_class_counts(workdir: Path, ids: list[str], eval_dir: Path, split: str) -> str:
    """HTML mode, per-class counts from the run's articles: mid-sentence paragraph breaks (a break
    where the gold has one line), standfirsts, comments, captions, fallbacks, removed kinds."""
    from bench.html_cv import mid_sentence_breaks

    suffix = MODES["html"]
    counts: dict[str, int] = defaultdict(int)
    removed: dict[str, int] = defaultdict(int)
    cols = ["source", "body", "subtitle", "comments", "captions", "removed", "metadata"]
    for f in sorted(glob.glob(str(workdir / "output-html" / "articles-*.parquet"))):
        for row in pq.read_table(f, columns=cols).to_pylist():
            page = Path(row["source"]).name[: -len(suffix)]
            gold = (eval_dir / split / f"{page}.gold.txt").read_text(encoding="utf-8")
            counts["mid-sentence paragraph breaks"] += mid_sentence_breaks(row["body"] or "", gold)
            counts["pages with a subtitle (standfirst)"] += bool(row["subtitle"])
            counts["reader comments extracted"] += len(row["comments"] or [])
            counts["captions"] += len(row["captions"] or [])
            meta = dict(row["metadata"] or [])
            if meta.get("extractor", "trafilatura") != "trafilatura":
                counts[f"pages from the fallback ({meta['extractor']})"] += 1
            for r in row["removed"] or []:
                removed[r["kind"]] += 1
    lines = ["HTML per-class counts:", ""]
    lines += [f"  {name}: {n}" for name, n in counts.items()]
    lines.append("  removed segments by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(removed.items())))
    return "\n".join(lines)


def text_class_counts(workdir: Path) -> str:
    """Text mode, per-class counts from the run's articles: what left the bodies and where it went
    (``removed`` by kind, the line classifier's removals by reason, comments and captions moved)."""
    counts: dict[str, int] = defaultdict(int)
    removed: dict[str, int] = defaultdict(int)
    for f in sorted(glob.glob(str(workdir / "output-text" / "articles-*.parquet"))):
        for row in pq.read_table(f, columns=["comments", "captions", "removed"]).to_pylist():
            counts["pages with reader comments"] += bool(row["comments"])
            counts["reader comments extracted"] += len(row["comments"] or [])
            counts["captions"] += len(row["captions"] or [])
            for r in row["removed"] or []:
                removed[r["kind"] if r["kind"] != "boilerplate" else f"boilerplate/{r['detail']}"] += 1
                counts["lone photo captions"] += r["detail"] == "lone_caption"
    lines = ["Text per-class counts:", ""]
    lines += [f"  {name}: {n}" for name, n in counts.items()]
    lines.append("  removed segments by kind (classifier: by reason): "
                 + ", ".join(f"{k} {v}" for k, v in sorted(removed.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--mode", default="both", choices=["text", "html", "both"])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--workdir", type=Path, help="where inputs and outputs go (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write per-page scores and aggregates here")
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--cv", action=argparse.BooleanOptionalAction, default=True,
                        help="also print the leave-sites-out CV scores (text: the line model; html: bench/html_cv.py); "
                             "default on, --no-cv skips them (they take minutes)")
    parser.add_argument("pipeline_args", nargs="*", help="extra pipeline options after --")
    args = parser.parse_args(argv)

    scorer = load_scorer(args.eval_dir)
    ids = page_ids(args.eval_dir, args.split)
    languages = gold_languages(ids, args.eval_dir, args.split)
    modes = ["text", "html"] if args.mode == "both" else [args.mode]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="presswash-quality-"))
    results = {}
    for mode in modes:
        results[mode] = evaluate(mode, ids, args.eval_dir, args.split, workdir, args.pipeline_args, scorer, languages)
        print(report(results[mode], scorer, args.worst))
        print()
        if mode == "html":
            print(html_class_counts(workdir, ids, args.eval_dir, args.split))
            print()
        if mode == "text":
            print(text_class_counts(workdir))
            print()
    if args.cv and "html" in modes:
        # HTML mode: leave-sites-out CV of the extraction choices (bench/html_cv.py)
        cmd = [sys.executable, "-m", "bench.html_cv", "--eval-dir", str(args.eval_dir), "--split", args.split]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"html_cv failed:\n{result.stderr[-3000:]}")
        print(result.stdout)
    if args.cv and "text" in modes:
        # The line classifier is learned from DEV: its honest figure is leave-sites-out CV
        # (with a bootstrap interval over sites).
        cmd = [sys.executable, str(ROOT / "bench" / "train_boilerplate.py")]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"train_boilerplate failed:\n{result.stderr[-3000:]}")
        print(result.stdout)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True, default=str))
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
