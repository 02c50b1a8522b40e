"""Train and cross-validate the HTML block filter (transforms/html/block_model.py) on DEV.

Every block of the extracted text (after the rule-based clean-ups) is labelled
by the gold body: article text if at least half of its 4-token shingles (or,
for a short block, its whole token sequence) occur in the gold.  A logistic
regression on the block's DOM and text-shape features is trained with sites
held out: for each DEV site, a model is fitted on the other sites (its
threshold chosen on those sites too), and the held-out site's pages are run
through the real chain with that model.  The mean over pages is compared with
the same chain without the model::

    python bench/train_html_blocks.py                 # CV only (~2 minutes)
    python bench/train_html_blocks.py --save          # also fit on all of DEV -> seeds/html/block_model.json

scikit-learn is needed for training only (the ``bench`` extra); the pipeline
evaluates the exported weights with numpy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.html_cv import DEFAULT_EVAL, bootstrap, load_pages, mean  # noqa: E402

MODEL_PATH = ROOT / "seeds" / "html" / "block_model.json"
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)


def _shingles(text: str) -> list[str]:
    words = re.findall(r"\w+", text)
    return [" ".join(words[i:i + 4]) for i in range(len(words) - 3)]


def label(block_text: str, gold: str, gold_shingles: set[str], gold_tokens: str) -> int:
    sh = _shingles(block_text)
    if sh:
        return int(sum(s in gold_shingles for s in sh) >= 0.5 * len(sh))
    tokens = " ".join(re.findall(r"\w+", block_text))
    return int(bool(tokens) and f" {tokens} " in gold_tokens)


def collect(pages: list[dict]) -> dict[str, dict]:
    """Per page: the blocks reaching the filter, their feature rows and labels."""
    import transforms.html.block_model as bm
    from transforms.clean import clean_text

    real = bm.filter_blocks
    out: dict[str, dict] = {}
    current: dict = {}

    def recorder(blocks, tree, title, model):
        current["texts"] = [b.text for b in blocks]
        current["rows"] = bm.features(blocks, bm.dom_index(tree), title)
        return blocks

    bm.filter_blocks = recorder
    try:
        for page in pages:
            current.clear()
            try:
                clean_text(page["html"].decode("utf-8"), html=True)
            except Exception:  # noqa: BLE001 - a rejected page has no blocks to learn from
                pass
            gold = page["gold"]
            gs = set(_shingles(gold))
            gt = " " + " ".join(re.findall(r"\w+", gold)) + " "
            texts = current.get("texts", [])
            out[page["id"]] = {"texts": texts, "rows": current.get("rows", []),
                               "labels": [label(t, gold, gs, gt) for t in texts]}
    finally:
        bm.filter_blocks = real
    return out


def fit(data: dict[str, dict], ids: list[str]):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([r for i in ids for r in data[i]["rows"]], dtype=float)
    y = np.asarray([lab for i in ids for lab in data[i]["labels"]])
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    clf = LogisticRegression(C=0.5, max_iter=2000)
    clf.fit((x - mu) / sd, y)
    return clf.coef_[0].tolist(), float(clf.intercept_[0]), mu.tolist(), sd.tolist()


def choose_threshold(data, ids, pages_by_id, weights, bias, mu, sd, scorer) -> float:
    """The threshold that maximises the mean F1 of the kept blocks on ``ids`` (no threshold: 0)."""
    from transforms.html.block_model import BlockModel

    best, best_f1 = 0.0, -1.0
    for thr in (0.0,) + THRESHOLDS:
        model = BlockModel(weights, bias, mu, sd, thr)
        f1s = []
        for i in ids:
            texts = data[i]["texts"]
            probs = model.probabilities(data[i]["rows"]) if texts else []
            kept = "\n\n".join(t for t, p in zip(texts, probs) if p >= thr)
            f1s.append(scorer.score_pair(pages_by_id[i]["gold"], kept)["sh4_F1"])
        f1 = mean(f1s)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = thr, f1
    return best


def chain_f1(page: dict, model, scorer) -> float:
    import transforms.html.extract as extract
    from transforms.clean import EmptyArticle, clean_text, finish_article
    from transforms.html.parse import ExtractionError

    real = extract.extract_html

    def with_model(html, *, url=None, block_model=None):
        return real(html, url=url, block_model=model)

    extract.extract_html = with_model
    try:
        doc = clean_text(page["html"].decode("utf-8"), html=True)
        finish_article(doc)
        body = "\n\n".join(doc.paragraphs)
    except (ExtractionError, EmptyArticle):
        body = ""
    finally:
        extract.extract_html = real
    return scorer.score_pair(page["gold"], body)["sh4_F1"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--save", action="store_true", help=f"fit on all DEV pages and write {MODEL_PATH}")
    parser.add_argument("--instead", action="store_true",
                        help="the model instead of the rule-based block clean-ups (link blocks, datelines, URL "
                             "blocks, leading heads, title blocks), compared with the rules")
    args = parser.parse_args(argv)
    if args.instead:
        import dataclasses

        import transforms.html.extract as extract

        rules_on = extract.DEFAULT_OPTIONS
        extract.DEFAULT_OPTIONS = dataclasses.replace(
            rules_on, drop_link_blocks=False, drop_datelines=False, drop_url_blocks=False,
            drop_leading_heads=False, drop_title_blocks=False)
    sys.path.insert(0, str(args.eval_dir))
    import score

    from transforms.html.block_model import FEATURE_NAMES, BlockModel

    pages = load_pages(args.eval_dir)
    by_id = {p["id"]: p for p in pages}
    data = collect(pages)
    n_blocks = sum(len(d["labels"]) for d in data.values())
    n_pos = sum(sum(d["labels"]) for d in data.values())
    print(f"{len(pages)} pages, {n_blocks} blocks reach the filter, {n_blocks - n_pos} of them not in the gold")
    sites = sorted({p["site"] for p in pages})
    held_model: dict[str, float] = {}
    held_plain: dict[str, float] = {}
    thresholds = []
    for site in sites:
        train = [p["id"] for p in pages if p["site"] != site and data[p["id"]]["rows"]]
        w, b, mu, sd = fit(data, train)
        thr = choose_threshold(data, train, by_id, w, b, mu, sd, score)
        thresholds.append(thr)
        model = BlockModel(w, b, mu, sd, thr) if thr > 0 else None
        for p in pages:
            if p["site"] == site:
                held_model[p["id"]] = chain_f1(p, model, score)
                if args.instead:  # the comparison: the rules, no model
                    rules_off, extract.DEFAULT_OPTIONS = extract.DEFAULT_OPTIONS, rules_on
                    held_plain[p["id"]] = chain_f1(p, None, score)
                    extract.DEFAULT_OPTIONS = rules_off
                else:
                    held_plain[p["id"]] = chain_f1(p, None, score)
    cv, plain = mean(held_model.values()), mean(held_plain.values())
    lo, hi = bootstrap(pages, held_model)
    diff = {i: held_model[i] - held_plain[i] for i in held_model}
    dlo, dhi = bootstrap(pages, diff)
    print(f"leave-one-site-out CV sh4 F1 with the block filter {cv:.4f} ({lo:.4f}-{hi:.4f}); "
          f"without {plain:.4f}; difference {cv - plain:+.4f} (95% over sites {dlo:+.4f} to {dhi:+.4f})")
    print(f"thresholds chosen in the folds: {dict(sorted(defaultdict(int, {t: thresholds.count(t) for t in thresholds}).items()))}")
    changed = sorted(((d, i) for i, d in diff.items() if abs(d) > 0.001))
    print("pages changed (held out): " + ", ".join(f"{i[:8]} {d:+.3f}" for d, i in changed))
    if args.save:
        ids = [p["id"] for p in pages if data[p["id"]]["rows"]]
        w, b, mu, sd = fit(data, ids)
        thr = choose_threshold(data, ids, by_id, w, b, mu, sd, score)
        MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
        MODEL_PATH.write_text(json.dumps({
            "comment": "HTML block filter: logistic regression on DOM/text-shape features, trained on DEV by "
                       "bench/train_html_blocks.py; evaluated with numpy by transforms/html/block_model.py",
            "feature_names": FEATURE_NAMES, "weights": w, "bias": b, "mean": mu, "scale": sd, "threshold": thr,
            "cv_f1": cv, "cv_f1_without": plain,
        }, indent=1))
        print(f"wrote {MODEL_PATH} (threshold {thr})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
