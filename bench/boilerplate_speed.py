"""Per-page cost of the line classifier, against one langdetect call (a timing script, not a test).

    python -m bench.boilerplate_speed                  # DEV pages of ../shared/eval
    python -m bench.boilerplate_speed --repeat 5 --json bench/results/boilerplate-speed.json
    python -m bench.boilerplate_speed --ref c846d0c    # the classifier package and model of a git revision

Each DEV naive-text page runs through the cleaning chain up to the boilerplate
stage once; then the script times, in CPU seconds of this process
(``time.process_time``, so that other processes on a shared machine count
less), per page: the classifier's features (``page_features``), the scoring
(``line_scores``: both tree ensembles), the decision (``decide`` and
``removal_reasons``), the whole classifier (``classify_segments``: features,
scoring, decision, verdicts), the stage as the pipeline runs it
(``remove_boilerplate``: the classifier plus the audit records), and one
langdetect call on the sample the language stage uses (the
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


def package_at(rev: str) -> tuple[str, str]:
    """The boilerplate package and model.json of a git revision, written to a temporary directory as the
    package ``bp_ref`` (its absolute imports of itself rewritten); returns (its __init__.py, the model)."""
    import subprocess
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="bp_ref_"))
    (out / "bp_ref").mkdir()

    def show(path: str) -> str:
        return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout

    for name in ("__init__", "features", "model", "decision"):
        source = show(f"transforms/text/boilerplate/{name}.py").replace("transforms.text.boilerplate.", "bp_ref.")
        (out / "bp_ref" / f"{name}.py").write_text(source, encoding="utf-8")
    (out / "model.json").write_text(show("seeds/boilerplate/model.json"), encoding="utf-8")
    sys.path.insert(0, str(out))
    return str(out / "bp_ref" / "__init__.py"), str(out / "model.json")


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
    ap.add_argument("--ref", help="a git revision: time its transforms/text/boilerplate package and model "
                                  "(read with `git show`, imported from a temporary directory)")
    args = ap.parse_args(argv)
    mod = bp
    if args.ref:
        args.module, args.model = package_at(args.ref)
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
    # The parts on their own: features, scoring (both tree ensembles) and decision (region, lists, reasons),
    # each timed on the previous part's output computed beforehand.
    feats = {id(d): mod.page_features(d.segments, **kwargs(d)) for d in docs}
    scores = {id(d): mod.line_scores(feats[id(d)][0], bres) for d in docs}

    def decision(d):
        x, concepts = feats[id(d)]
        mod.decide(scores[id(d)], bres.params, mod.line_weights(x), x)
        mod.removal_reasons(x, concepts)

    result = {
        "pages": len(docs),
        "lines_per_page": round(statistics.mean(len(d.segments) for d in docs), 1),
        "features_ms": per_page_ms(lambda d: mod.page_features(d.segments, **kwargs(d)), docs, args.repeat),
        "scoring_ms": per_page_ms(lambda d: mod.line_scores(feats[id(d)][0], bres), docs, args.repeat),
        "decision_ms": per_page_ms(decision, docs, args.repeat),
        "classifier_ms": per_page_ms(lambda d: mod.classify_segments(d.segments, **kwargs(d)), docs, args.repeat),
        # The stage as the pipeline runs it: the classifier plus the audit records of the removed lines.
        "stage_ms": per_page_ms(lambda d: mod.remove_boilerplate(d, resources=bres), docs, args.repeat),
        "langdetect_ms": per_page_ms(lambda d: detector.detect(samples[id(d)]), docs, args.repeat),
    }
    result["classifier_vs_langdetect"] = round(result["classifier_ms"] / result["langdetect_ms"], 3)
    result["stage_vs_langdetect"] = round(result["stage_ms"] / result["langdetect_ms"], 3)
    for k in ("features_ms", "scoring_ms", "decision_ms", "classifier_ms", "stage_ms", "langdetect_ms"):
        result[k] = round(result[k], 3)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
