"""Per-page cost of the line classifier, against one langdetect call (a timing script, not a test).

    python -m bench.boilerplate_speed                  # DEV pages of ../shared/eval
    python -m bench.boilerplate_speed --repeat 5 --json bench/results/boilerplate-speed.json

Each DEV naive-text page runs through the cleaning chain up to the boilerplate
stage once; then the script times, in CPU seconds of this process
(``time.process_time``, so that other processes on a shared machine count
less), per page: the classifier's features (``page_features``), the whole
classifier (``classify_segments``: features, both tree ensembles, decision,
verdicts), and one langdetect call on the sample the language stage uses (the
yardstick of issue 11: our own cleaning code should cost at most one
langdetect call per page).  Reports the median of ``--repeat`` runs.
Without the evaluation data it falls back to the project's sample article.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms import clean  # noqa: E402
from transforms.document import Doc  # noqa: E402
from transforms.text import boilerplate as bp  # noqa: E402
from transforms.text.language import language_sample  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def pages() -> list[str]:
    ids_file = EVAL / "dev_ids.txt"
    if ids_file.exists():
        return [(EVAL / "dev" / f"{i}.txt").read_text(encoding="utf-8") for i in ids_file.read_text().split()]
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds" / "samples").glob("*.txt"))]


def per_page_ms(fn, docs, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        for d in docs:
            fn(d)
        runs.append((time.process_time() - start) / len(docs) * 1000)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--module", help="a boilerplate module file to time instead (before/after comparisons)")
    ap.add_argument("--model", help="the model.json that module uses")
    ap.add_argument("--seeds", help="the seeds/ directory that module reads (default: the project's)")
    args = ap.parse_args(argv)
    mod = bp
    if args.module:
        spec = importlib.util.spec_from_file_location("bp_under_test", args.module)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["bp_under_test"] = mod
        spec.loader.exec_module(mod)
    res = clean.default_resources()
    detector = clean.default_detector()
    if args.module:
        seeds = [args.seeds] if args.seeds else []
        bres = mod.load_resources(*seeds, model_path=args.model)
    else:
        bres = res.boilerplate
    docs = []
    for text in pages():
        doc = Doc(id="", source="<bench>", file="<bench>", raw=b"", input_format="text", text=text)
        docs.append(clean.clean_doc(doc, res, detector, boilerplate_mode="on", until="boilerplate"))

    def kwargs(d):
        return dict(title=d.title, headline_line=d.headline_line, language=d.language, resources=bres,
                    anchor_lines=bp.anchor_lines(d))

    samples = {id(d): language_sample([s.text for s in d.segments]) for d in docs}
    for d in docs:  # warm-up: character tables, caches
        mod.classify_segments(d.segments, **kwargs(d))
    result = {
        "pages": len(docs),
        "lines_per_page": round(statistics.mean(len(d.segments) for d in docs), 1),
        "features_ms": per_page_ms(lambda d: mod.page_features(d.segments, **kwargs(d)), docs, args.repeat),
        "classifier_ms": per_page_ms(lambda d: mod.classify_segments(d.segments, **kwargs(d)), docs, args.repeat),
        "langdetect_ms": per_page_ms(lambda d: detector.detect(samples[id(d)]), docs, args.repeat),
    }
    result["classifier_vs_langdetect"] = round(result["classifier_ms"] / result["langdetect_ms"], 3)
    for k in ("features_ms", "classifier_ms", "langdetect_ms"):
        result[k] = round(result[k], 3)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
