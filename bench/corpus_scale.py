"""Scaling of the corpus stages: time and peak memory at N documents (DirectRunner, one process).

The corpus stages are what ``transforms.beam.corpus.CleanCorpus`` adds after the per-document
stages: learning per-site boilerplate (``LearnSiteBoilerplate``), the ``site_boilerplate`` and
``keys`` stages with the learned side input, exact dedup and near dedup (MinHash/LSH,
min-label propagation).  The per-document stages are left out (``bench/speed.py`` measures
them): documents are generated already segmented, inside the pipeline, from the DEV gold
bodies of ``../shared/eval``:

* 50 sites; every document of a site carries the site's notice line and a "Most read" line
  (what site boilerplate must learn and remove);
* the body: 6 paragraphs drawn from the pool of all DEV gold paragraphs with 10% of the words
  replaced (so documents are distinct);
* 5% exact copies of an earlier document on another site (syndication: equal after site
  boilerplate), 5% edited copies (1% of the words changed: true Jaccard ~0.9, near duplicates).

Each size runs twice in its own process: generating and counting only, then generating plus
the corpus stages; the difference is the corpus stages' time.  Peak RSS is the process's
``ru_maxrss``::

    python -m bench.corpus_scale --docs 10000 50000 --json bench/results/corpus_scale.json
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
SITES = 50
EXACT_RATE = 0.05
NEAR_RATE = 0.05


@lru_cache(maxsize=1)
def paragraph_pool(eval_dir: str) -> tuple[str, ...]:
    paras = []
    for path in sorted((Path(eval_dir) / "dev").glob("*.gold.txt")):
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            if len(para.split()) >= 12:
                paras.append(" ".join(para.split()))
    return tuple(paras)


def _mutate(text: str, rate: float, rng: random.Random) -> str:
    words = text.split()
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = f"w{rng.randrange(10**7)}"
    return " ".join(words)


def _body(i: int, eval_dir: str) -> list[str]:
    rng = random.Random(i)
    pool = paragraph_pool(eval_dir)
    return [_mutate(rng.choice(pool), 0.10, rng) for _ in range(6)]


def make_doc(i: int, eval_dir: str):
    """Document ``i`` (deterministic): its site's lines plus a generated or copied body."""
    from transforms.document import Doc, Segment

    rng = random.Random(10**9 + i)
    site = i % SITES
    roll = rng.random()
    if i >= 100 and roll < EXACT_RATE:
        source = rng.randrange(i // 2)
        body = _body(source, eval_dir)
        site = (source % SITES + 1 + rng.randrange(SITES - 1)) % SITES  # syndicated on another site
    elif i >= 100 and roll < EXACT_RATE + NEAR_RATE:
        body = [_mutate(p, 0.01, rng) for p in _body(rng.randrange(i // 2), eval_dir)]
    else:
        body = _body(i, eval_dir)
    lines = [f"Site {site} newsroom notice: our offices at {site} Harbour Road are open on weekdays."] + body + [
        f"Most read on site {site} this week"]
    day = 1 + rng.randrange(28)
    return Doc(id=f"doc{i:07d}", source=f"bench/{site}.jsonl:{i}", file=f"bench/{site}.jsonl", raw=b"",
               input_format="text", url=f"https://site{site}.example/{i}", published=f"2024-02-{day:02d}",
               segments=[Segment(text, n, n) for n, text in enumerate(lines)])


def run_one(n: int, eval_dir: str, stages: bool) -> dict:
    """One pipeline in this process: generate ``n`` documents (and, with ``stages``, run the corpus stages)."""
    import apache_beam as beam
    from apache_beam.metrics.metric import MetricsFilter
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.beam.corpus import Dedup, LearnSiteBoilerplate, split_stages
    from transforms.beam.stages import ApplyStage
    from transforms.corpus.dedup import DedupSettings
    from transforms.corpus.site_lines import SiteSettings

    started = time.perf_counter()
    options = PipelineOptions(["--runner=DirectRunner", "--direct_num_workers=1"])
    with beam.Pipeline(options=options) as p:
        docs = (p | beam.Create(range(n)) | "Generate" >> beam.Map(make_doc, eval_dir))
        if stages:
            site = docs | LearnSiteBoilerplate(SiteSettings())
            _, after = split_stages()
            for spec in after:
                if spec.name == "finish":
                    continue
                docs, _ = docs | spec.label >> ApplyStage(spec, {}, {"site_lines": beam.pvalue.AsMultiMap(site)})
            docs, rejects = docs | Dedup(DedupSettings())
            rejects | "CountRejects" >> beam.Map(lambda r: beam.metrics.Metrics.counter("bench", r.reason).inc())
        docs | "CountKept" >> beam.Map(lambda d: beam.metrics.Metrics.counter("bench", "kept").inc())
    elapsed = time.perf_counter() - started
    counters = {}
    result = p.result
    for c in result.metrics().query(MetricsFilter())["counters"]:
        counters[c.key.metric.name] = counters.get(c.key.metric.name, 0) + (c.committed or c.attempted or 0)
    return {"docs": n, "stages": stages, "seconds": round(elapsed, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "kept": counters.get("kept", 0), "duplicate": counters.get("duplicate", 0),
            "near_duplicate": counters.get("near_duplicate", 0),
            "site_boilerplate_removed": counters.get("site_boilerplate", 0),
            "candidate_pairs": counters.get("near_dup_candidate_pairs", 0),
            "verified_pairs": counters.get("near_dup_verified_pairs", 0),
            "capped_groups": counters.get("near_dup_groups_capped", 0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--eval", default=str(DEFAULT_EVAL))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one", nargs=2, metavar=("N", "STAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.eval, args.one[1] == "1")))
        return 0
    rows = []
    for n in args.docs:
        pair = {}
        for stages in (False, True):
            out = subprocess.run([sys.executable, "-m", "bench.corpus_scale", "--eval", args.eval,
                                  "--one", str(n), "1" if stages else "0"], cwd=ROOT, capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            pair[stages] = json.loads(out.stdout.strip().splitlines()[-1])
        row = {**pair[True], "generate_seconds": pair[False]["seconds"],
               "generate_peak_rss_mb": pair[False]["peak_rss_mb"],
               "corpus_stage_seconds": round(pair[True]["seconds"] - pair[False]["seconds"], 1)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        growth = {"docs": round(b["docs"] / a["docs"], 2),
                  "corpus_stage_seconds": round(b["corpus_stage_seconds"] / max(a["corpus_stage_seconds"], 0.1), 2),
                  "peak_rss_mb": round(b["peak_rss_mb"] / a["peak_rss_mb"], 2),
                  "candidate_pairs": round(b["candidate_pairs"] / max(a["candidate_pairs"], 1), 2)}
        print("growth", json.dumps(growth))
        rows.append({"growth": growth})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
