"""HTML mode: a learned filter on the extracted blocks, from DOM and text-shape features (pure).

Each block of the extracted text is found again in the page tree (by its text)
and described by features of its element and its surroundings: the kind of
block, its position, its size and shape (sentence punctuation, digits, upper
case, link share), the tags on its ancestor path (``aside``, ``footer``,
``nav``, ``article``, ...) and cue words in the class/id tokens of its element
and ancestors (``related``, ``share``, ``promo``, ``comment``, ``content``, ...).
A logistic model (trained on DEV with sites held out by
``bench/train_html_blocks.py``, stored as JSON in ``seeds/html/block_model.json``
and evaluated with numpy here) gives each block the probability that it is
article text; blocks below the model's threshold leave the text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from transforms.html.parse import class_tokens
from transforms.html.serialise import Block
from transforms.keys import text_key

KINDS = ("p", "head", "item", "row", "quote", "code")
ANCESTOR_TAGS = ("article", "main", "aside", "footer", "header", "nav", "section", "form", "table", "li", "figure",
                 "blockquote")
ELEMENT_TAGS = ("p", "div", "li", "h", "td", "span")
# class/id cue groups: a token containing one of the words
CUES = {
    "related": ("related", "recommend", "more", "read", "next", "prev", "popular", "trending", "also", "teaser"),
    "share": ("share", "social", "follow", "twitter", "facebook"),
    "promo": ("promo", "newsletter", "subscribe", "signup", "sign-up", "cta", "offer", "deal", "donate"),
    "ad": ("ad", "ads", "advert", "sponsor", "dfp", "banner"),
    "tags": ("tag", "tags", "topic", "keyword", "categor"),
    "comment": ("comment", "disqus", "reply", "respond"),
    "footer": ("footer", "copyright", "legal", "disclaimer"),
    "side": ("sidebar", "aside", "widget", "rail", "module"),
    "author": ("author", "byline", "bio", "contributor"),
    "caption": ("caption", "credit", "photo", "image", "media"),
    "meta": ("meta", "date", "time", "timestamp", "info"),
    "nav": ("nav", "menu", "breadcrumb", "pagination", "skip"),
    "body": ("body", "content", "article", "story", "entry", "text", "post", "main"),
}
_CUE_WORDS = [(group, word) for group, words in CUES.items() for word in words]
_LEAF_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote", "pre", "figcaption")
_WORD_RE = re.compile(r"\w+")
MAX_INDEX = 5000

FEATURE_NAMES = (
    [f"kind_{k}" for k in KINDS]
    + ["pos", "first", "last", "log_words", "log_chars", "sentence_end", "colon_end", "starts_upper", "digit_share",
       "upper_share", "link_share", "has_url_or_at", "has_copyright", "title_overlap", "found"]
    + [f"anc_{t}" for t in ANCESTOR_TAGS]
    + [f"el_{t}" for t in ELEMENT_TAGS]
    + [f"cue_el_{g}" for g in CUES]
    + [f"cue_anc_{g}" for g in CUES]
)


def dom_index(tree) -> dict[str, object]:
    """The first element of each leaf-block text in the page (key: first 60 characters of its text key)."""
    index: dict[str, object] = {}
    for n, el in enumerate(tree.iter(*_LEAF_TAGS)):
        if n >= MAX_INDEX:
            break
        key = text_key(el.text_content())[:60]
        if len(key) >= 3 and key not in index:
            index[key] = el
    return index


def _cues(tokens: list[str]) -> set[str]:
    found = set()
    for token in tokens:
        parts = set(re.split(r"[-_]", token)) | {token}
        for group, word in _CUE_WORDS:
            if group not in found and (word in parts or (len(word) > 4 and word in token)):
                found.add(group)
    return found


def features(blocks: list[Block], index: dict[str, object], title: str | None) -> list[list[float]]:
    """One feature row (:data:`FEATURE_NAMES`) per block."""
    title_words = set(_WORD_RE.findall((title or "").casefold()))
    n = len(blocks)
    rows = []
    for i, b in enumerate(blocks):
        text = b.text
        words = _WORD_RE.findall(text)
        chars = len(text.replace(" ", "")) or 1
        el = index.get(text_key(text)[:60])
        row = [1.0 if b.kind == k else 0.0 for k in KINDS]
        row += [
            i / (n - 1) if n > 1 else 0.0, float(i == 0), float(i == n - 1),
            math.log1p(len(words)), math.log1p(chars),
            float(bool(re.search(r"[.!?…。][\"'”’»)]?$", text))), float(text.endswith(":")),
            float(text[:1].isupper()), sum(c.isdigit() for c in text) / chars,
            sum(c.isupper() for c in text) / chars, min(1.0, b.link_chars / chars),
            float("@" in text or "http" in text or "www." in text), float("©" in text),
            len(title_words & {w.casefold() for w in words}) / (len(title_words) or 1),
            float(el is not None),
        ]
        anc_tags: set[str] = set()
        anc_tokens: list[str] = []
        el_tag = ""
        el_tokens: list[str] = []
        if el is not None:
            el_tag = "h" if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else el.tag
            el_tokens = class_tokens(el)
            for depth, anc in enumerate(el.iterancestors()):
                if depth >= 8:
                    break
                anc_tags.add(anc.tag)
                if depth < 4:
                    anc_tokens.extend(class_tokens(anc))
        row += [float(t in anc_tags) for t in ANCESTOR_TAGS]
        row += [float(el_tag == t) for t in ELEMENT_TAGS]
        el_cues, anc_cues = _cues(el_tokens), _cues(anc_tokens)
        row += [float(g in el_cues) for g in CUES]
        row += [float(g in anc_cues) for g in CUES]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class BlockModel:
    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]
    threshold: float

    def probabilities(self, rows: list[list[float]]):
        import numpy as np

        if not rows:
            return np.zeros(0)
        x = (np.asarray(rows, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)
        z = x @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-z))


def load_model(path: str | Path) -> BlockModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("feature_names") != FEATURE_NAMES:
        raise ValueError(f"{path}: the model's features do not match this code; retrain it")
    return BlockModel(data["weights"], data["bias"], data["mean"], data["scale"], data["threshold"])


def filter_blocks(blocks: list[Block], tree, title: str | None, model: BlockModel | None) -> list[Block]:
    """The blocks the model keeps (all of them without a model)."""
    if model is None or not blocks:
        return blocks
    probs = model.probabilities(features(blocks, dom_index(tree), title))
    return [b for b, p in zip(blocks, probs) if p >= model.threshold]
