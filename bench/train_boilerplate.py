"""Train the boilerplate line classifier on DEV and report its leave-sites-out CV score.

Usage (from the repository root, with the eval data at /work/shared/eval)::

    python bench/train_boilerplate.py            # CV report only
    python bench/train_boilerplate.py --write    # CV report, then write seeds/boilerplate/model.json

Each DEV page runs through the real cleaning chain up to (not including) the
boilerplate stage (``transforms.clean.clean_doc`` with the boilerplate stage
replaced by a recorder).  Line labels: a line is article text when its token
sequence occurs in the gold body (lines under 4 tokens only when they are a
whole gold paragraph).  Model: sklearn GradientBoostingClassifier, fixed
seeds; the CV number is a 5-fold GroupKFold over sites (manifest ``group``),
folds fixed by sorted site order, decision threshold and smoothing chosen
inside each training fold only.  Deterministic.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms import boilerplate as bp  # noqa: E402
from transforms.document import Doc  # noqa: E402

EVAL = Path("/work/shared/eval")
TREE_PARAMS = dict(n_estimators=120, max_depth=3, learning_rate=0.1, subsample=1.0, random_state=0)
THRESHOLDS = np.round(np.arange(-1.5, 1.51, 0.25), 2)
SMOOTHS = (0.0, 0.3)
REGIONS = (0.3, 0.5, 0.7)
INSIDES = (-2.0, -1.0, -0.5, 0.0)
OUTSIDES = (0.0, 1.0, 2.0, 3.0, 99.0)


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def prefix_doc(text: str, chain: str) -> Doc:
    """The document as the boilerplate stage receives it."""
    from transforms import clean

    captured: list[Doc] = []

    def recorder(doc, count=None, resources=None):
        captured.append(doc)
        return doc

    if chain == "real":
        original = bp.remove_boilerplate
        bp.remove_boilerplate = recorder
        try:
            clean.clean_text(text, boilerplate_mode="on")
        finally:
            bp.remove_boilerplate = original
        return captured[0]
    # "lite": the chain without the editorial-appeal stage.
    from transforms.captions import extract_captions
    from transforms.credits import extract_credits
    from transforms.headline import dedup_headline
    from transforms.language import detect_language
    from transforms.normalize import normalize_doc

    res = clean.default_resources()
    doc = Doc(id="", source="<text>", file="<text>", raw=b"", input_format="text", text=text)
    doc = normalize_doc(doc)
    doc = dedup_headline(doc)
    doc = extract_captions(doc, res.captions)
    doc = extract_credits(doc, res.credits)
    return detect_language(doc, clean.default_detector())


def line_labels(texts: list[str], gold: str) -> np.ndarray:
    """1 where the line's tokens, alone or joined with neighbours to >= 4 tokens, occur in the gold.

    Short lines count only inside such a run (table cells, short headings);
    a short line alone counts only when it is a whole gold paragraph.
    """
    g = " " + " ".join(tokens(gold)) + " "
    paras = {" ".join(tokens(p)) for p in gold.split("\n")}
    toks = [tokens(t) for t in texts]
    n = len(texts)
    out = np.zeros(n, dtype=int)
    for j in range(n):
        if not toks[j]:
            continue
        if len(toks[j]) >= 4:
            out[j] = (" " + " ".join(toks[j]) + " ") in g
            continue
        if " ".join(toks[j]) in paras:
            out[j] = 1
            continue
        for start in range(max(0, j - 4), j + 1):
            run: list[str] = []
            for end in range(start, min(n, start + 8)):
                run += toks[end]
                if end >= j and len(run) >= 4:
                    if (" " + " ".join(run) + " ") in g:
                        out[j] = 1
                    break
            if out[j]:
                break
    return out


def load_pages(chain: str):
    manifest = json.loads((EVAL / "manifest.json").read_text())["pages"]
    ids = [i.strip() for i in (EVAL / "dev_ids.txt").read_text().split() if i.strip()]
    res = bp.load_resources(use_model=False)
    pages = []
    for i in ids:
        text = (EVAL / "dev" / f"{i}.txt").read_text(encoding="utf-8")
        gold = (EVAL / "dev" / f"{i}.gold.txt").read_text(encoding="utf-8")
        doc = prefix_doc(text, chain)
        x, _ = bp.page_features(doc.segments, title=doc.title, headline_line=doc.headline_line,
                                language=doc.language, resources=res,
                                anchor_lines=bp.anchor_lines(doc))
        texts = [s.text for s in doc.segments]
        pages.append(dict(id=i, group=manifest[i]["group"], x=x, y=line_labels(texts, gold), texts=texts,
                          gold=gold, lang=doc.language,
                          w=np.array([1.0 + np.log1p(len(tokens(t))) for t in texts])))
    return pages


def export(clf, depth: int) -> bp.TreeModel:
    """sklearn trees -> complete binary trees of fixed depth."""
    inner = 2**depth - 1
    feats, thrs, leaves = [], [], []
    for est in clf.estimators_[:, 0]:
        tree = est.tree_
        f = np.zeros(inner, dtype=np.intp)
        t = np.full(inner, np.inf)
        leaf = np.zeros(2**depth)

        def fill(node, pos, level):
            if level == depth:
                leaf[pos - inner] = tree.value[node][0][0] * clf.learning_rate
                return
            if tree.children_left[node] == -1:  # leaf early: route everything left
                f[pos] = 0
                t[pos] = np.inf
                fill(node, 2 * pos + 1, level + 1)
                fill(node, 2 * pos + 2, level + 1)
                return
            f[pos] = tree.feature[node]
            t[pos] = tree.threshold[node]
            fill(tree.children_left[node], 2 * pos + 1, level + 1)
            fill(tree.children_right[node], 2 * pos + 2, level + 1)

        fill(0, 0, 0)
        feats.append(f)
        thrs.append(t)
        leaves.append(leaf)
    prior = clf.init_.class_prior_[1]
    bias = float(np.log(prior / (1 - prior)))
    return bp.TreeModel(np.array(feats), np.array(thrs), np.array(leaves), depth, bias, bp.FEATURE_NAMES)


def fit(pages):
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.vstack([p["x"] for p in pages])
    y = np.concatenate([p["y"] for p in pages])
    w = np.concatenate([p["w"] for p in pages])
    clf = GradientBoostingClassifier(**TREE_PARAMS)
    clf.fit(x, y, sample_weight=w)
    return export(clf, TREE_PARAMS["max_depth"])


def page_score(page, keep) -> float:
    sys.path.insert(0, str(EVAL))
    from score import score_pair

    pred = "\n\n".join(t for t, k in zip(page["texts"], keep) if k)
    return score_pair(page["gold"], pred)["sh4_F1"]


def param_grid():
    for smooth in SMOOTHS:
        for thr in THRESHOLDS:
            yield {"threshold": float(thr), "smooth": float(smooth)}
    for region in REGIONS:
        for inside in INSIDES:
            for outside in OUTSIDES:
                yield {"region": region, "inside": inside, "outside": outside}


def choose_params(model, pages) -> dict[str, float]:
    """Decision parameters with the best mean sh4 F1 on the given (training) pages."""
    scores = [model.decision(p["x"]) for p in pages]
    weights = [bp.line_weights(p["x"]) for p in pages]
    best = None
    for params in param_grid():
        f = statistics.mean(page_score(p, bp.decide(s, params, w)) for p, s, w in zip(pages, scores, weights))
        if best is None or f > best[0] + 1e-9:
            best = (f, params)
    return best[1]


def folds(pages, k: int = 5):
    groups = sorted({p["group"] for p in pages})
    return [[j for j, p in enumerate(pages) if groups.index(p["group"]) % k == f] for f in range(k)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--chain", choices=("real", "lite"), default="real")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", help="per-page CV scores to this file")
    args = ap.parse_args(argv)
    pages = load_pages(args.chain)
    cv = {}
    for test in folds(pages, args.folds):
        train = [p for j, p in enumerate(pages) if j not in test]
        model = fit(train)
        params = choose_params(model, train)
        for j in test:
            p = pages[j]
            keep = bp.decide(model.decision(p["x"]), params, bp.line_weights(p["x"]))
            cv[p["id"]] = (page_score(p, keep), p["lang"], params)
    for _, _, params in cv.values():
        print("  fold params:", params)
    mean = statistics.mean(v[0] for v in cv.values())
    print(f"leave-sites-out {args.folds}-fold CV sh4 F1 (mean over {len(cv)} pages): {mean:.4f}")
    by_lang: dict[str, list[float]] = {}
    for f, lang, _ in cv.values():
        by_lang.setdefault(lang, []).append(f)
    for lang, fs in sorted(by_lang.items()):
        print(f"  {lang}: {statistics.mean(fs):.4f} ({len(fs)} pages)")
    if args.json:
        Path(args.json).write_text(json.dumps({k: v[0] for k, v in cv.items()}, indent=1))
    if args.write:
        model = fit(pages)
        params = choose_params(model, pages)
        out = {
            "comment": "gradient-boosted trees over transforms/boilerplate.py features; "
                       "regenerate with: python bench/train_boilerplate.py --write",
            "tree_params": TREE_PARAMS,
            "params": params,
            "feature_names": list(bp.FEATURE_NAMES),
            "depth": model.depth,
            "bias": model.bias,
            "feature": model.feature.tolist(),
            "threshold": [[float(v) if np.isfinite(v) else 1e300 for v in row] for row in model.threshold],
            "leaf": model.leaf.tolist(),
        }
        path = ROOT / "seeds" / "boilerplate" / "model.json"
        path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
        print(f"wrote {path} (params {params})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
