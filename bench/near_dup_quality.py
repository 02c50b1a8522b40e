"""Near-duplicate detection quality and cost: recall/precision on generated edited copies, per LSH setting.

For every DEV gold body in ``../shared/eval/dev`` (74 articles) the script makes edited copies
whose true Jaccard similarity of 5-word shingles (exact, computed on the shingle sets) is
about 0.9, 0.8 and 0.7 (words replaced, deleted or inserted at random until the target is
reached), then runs the near-duplicate detection of the pipeline (``transforms.corpus.dedup``:
MinHash signatures, band keys, verification at ``--near_dup_threshold``) on all originals and
copies together, and reports per true-Jaccard level the share of (original, copy) pairs found,
overall precision (found pairs whose true Jaccard >= threshold) and the number of candidate
pairs (what a band group shuffles/compares).  One row per (bands, rows) setting::

    python -m bench.near_dup_quality                       # threshold 0.8, default and other settings
    python -m bench.near_dup_quality --copies 3 --json bench/results/near_dup_quality.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms.corpus import minhash  # noqa: E402
from transforms.corpus.dedup import DedupSettings, near_pairs  # noqa: E402
from transforms.document import Doc, Segment  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
LEVELS = (0.9, 0.8, 0.7)


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def edited_copy(text: str, target: float, rng: random.Random, tolerance: float = 0.02) -> tuple[str, float]:
    """Words replaced/deleted/inserted at random until the shingle Jaccard with ``text`` is ~``target``."""
    original = minhash.shingles(text)
    words = text.split()
    current = 1.0
    while current > target + tolerance and len(words) > 10:
        step = max(1, int(len(words) * (current - target) / 12))
        for _ in range(step):
            i = rng.randrange(len(words))
            op = rng.random()
            if op < 0.6:
                words[i] = f"w{rng.randrange(10**6)}"
            elif op < 0.8:
                del words[i]
            else:
                words.insert(i, f"w{rng.randrange(10**6)}")
        current = jaccard(original, minhash.shingles(" ".join(words)))
    return " ".join(words), current


def make_set(eval_dir: Path, copies: int, seed: int) -> tuple[list[Doc], dict[str, tuple[str, float]]]:
    rng = random.Random(seed)
    docs, truth = [], {}
    for path in sorted((eval_dir / "dev").glob("*.gold.txt")):
        text = path.read_text(encoding="utf-8")
        if len(text.split()) < 60:
            continue
        base = path.name.split(".")[0][:12]
        docs.append(_doc(base, text))
        for level in LEVELS:
            for k in range(copies):
                copy, true = edited_copy(text, level, rng)
                doc_id = f"{base}-{level}-{k}"
                docs.append(_doc(doc_id, copy))
                truth[doc_id] = (base, true)
    return docs, truth


def _doc(doc_id: str, text: str) -> Doc:
    return Doc(id=doc_id, source=doc_id, file="bench", raw=b"", input_format="text",
               segments=[Segment(text, 0, 0)])


def evaluate(docs, truth, settings: DedupSettings) -> dict:
    started = time.perf_counter()
    pairs, candidates = near_pairs(docs, settings)
    elapsed = time.perf_counter() - started
    found = {(a[1], b[1]) for a, b, _ in pairs} | {(b[1], a[1]) for a, b, _ in pairs}
    by_level: dict[float, list[bool]] = {level: [] for level in LEVELS}
    for doc_id, (base, _true) in truth.items():
        level = float(doc_id.split("-")[1])
        by_level[level].append((base, doc_id) in found)
    # precision over every reported pair, with its exact shingle Jaccard
    text = {d.id: d.paragraphs[0] for d in docs}
    shingle_sets = {}
    correct = 0
    for a, b, _ in pairs:
        for x in (a[1], b[1]):
            if x not in shingle_sets:
                shingle_sets[x] = minhash.shingles(text[x])
        correct += jaccard(shingle_sets[a[1]], shingle_sets[b[1]]) >= settings.threshold
    bands, rows = settings.bands_rows
    return {
        "bands": bands, "rows": rows, "threshold": settings.threshold,
        "found_share": {str(level): round(sum(v) / len(v), 3) for level, v in by_level.items()},
        "true_jaccard_mean": {str(level): round(sum(truth[d][1] for d in truth if d.split("-")[1] == str(level))
                                                / max(1, len(by_level[level])), 3) for level in LEVELS},
        "reported_pairs": len(pairs),
        "precision": round(correct / len(pairs), 3) if pairs else None,
        "candidate_pairs": candidates,
        "docs": len(docs),
        "seconds": round(elapsed, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--copies", type=int, default=2, help="edited copies per article and level")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    docs, truth = make_set(args.eval, args.copies, args.seed)
    default = DedupSettings(threshold=args.threshold).bands_rows
    rows = []
    settings = [default] + [br for br in ((5, 25), (9, 13), (11, 11), (12, 10), (14, 9), (16, 8), (32, 4))
                            if br != default]
    for bands, band_rows in settings:
        row = evaluate(docs, truth, DedupSettings(threshold=args.threshold, bands=bands, rows=band_rows))
        rows.append(row)
    print(f"{len(docs)} documents ({len(truth)} edited copies), threshold {args.threshold}, "
          f"true Jaccard of the copies: {rows[0]['true_jaccard_mean']}")
    print(f"{'bands x rows':>12}  {'found@0.9':>9} {'found@0.8':>9} {'found@0.7':>9}  {'precision':>9}  "
          f"{'candidates':>10}  {'seconds':>7}")
    for row in rows:
        share = row["found_share"]
        mark = "  (default)" if (row["bands"], row["rows"]) == default else ""
        print(f"{row['bands']:>5} x {row['rows']:<4}  {share['0.9']:>9} {share['0.8']:>9} {share['0.7']:>9}  "
              f"{row['precision']!s:>9}  {row['candidate_pairs']:>10}  {row['seconds']:>7}{mark}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
