"""Stage 7, pure part: line/block boilerplate classifier for plain-text input.

Every segment gets a :class:`Verdict`.  Each line is described by ~80 numeric
features (length, punctuation, stop-word density for the page language, UI
phrase coverage from ``seeds/boilerplate/*.txt``, repetition inside the page,
runs of same-shaped short lines (list and table rows), similarity to the
title, position relative to the headline and to the lines earlier stages
removed as headline/subtitle/byline) plus the same cues of its
neighbours (context, as in jusText's context-sensitive pass).  Two small
gradient-boosted tree ensembles (``seeds/boilerplate/model.json``, trained by
``bench/train_boilerplate.py`` with leave-sites-out cross-validation) score
the lines: stage 1 from the features, stage 2 adding the stage-1 scores around
each line.  :func:`decide` then keeps the main text region (maximum-sum run of
lines) and drops the rest; a line ending in ':' at the edge of the kept text
also keeps the run of same-shaped short lines it introduces (a list or
table: dates, fixtures, prices).  Without a model a hand-set jusText-like rule is
used.  Runtime needs only the standard library, numpy and jusText's
stop-word lists.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from transforms.document import Counter, Doc, Removed, Segment, no_count
from transforms.patterns import SEEDS_DIR, fold, read_sections

BOILERPLATE_DIR = SEEDS_DIR / "boilerplate"

# ISO 639-1 (as langdetect reports it) -> jusText stop-list name.
ISO_TO_JUSTEXT = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "kn": "Kannada", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian_Bokmal", "pa": "Western_Panjabi",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese", "ms": "Malay", "eu": "Basque", "gl": "Galician", "is": "Icelandic",
    "sr": "Serbian", "bs": "Bosnian", "az": "Azerbaijani", "ka": "Georgian", "hy": "Armenian",
    "kk": "Kazakh", "be": "Belarusian",
}
# Languages written without spaces: function characters stand in for stop words.
CJK_LANGUAGES = ("ja", "zh-cn", "zh-tw", "zh")

# Concept file stem -> removal reason.
CONCEPT_REASON = {
    "share": "share_buttons",
    "navigation": "navigation",
    "related": "related_links",
    "ads": "advertisement",
    "legal": "copyright",
    "comments": "comment",
    "subscribe": "newsletter",
    "captions": "caption",
}
CAPTION_CONCEPT = "captions"

_WORD_RE = re.compile(r"\w+")
_SENT_END_RE = re.compile(r"[.!?。！？…](?:[\"'”’»)\]]*)(?=\s|$)")
_END_PUNCT = frozenset(".!?。！？\"'”’»)…:;")
_SEPARATORS_RE = re.compile(r"[|•·»«/›‹>]|\s-\s")
_DIGIT_RE = re.compile(r"\d")
_URL_RE = re.compile(r"https?://|www\.|\w@\w|\.(?:com|org|net)\b", re.IGNORECASE)
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|"
    "august|september|october|november|december|janeiro|fevereiro|março|abril|maio|junho|julho|agosto|"
    "setembro|outubro|novembro|dezembro|enero|febrero|marzo|mayo|junio|julio|septiembre|octubre|"
    "noviembre|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
    "décembre|januar|februar|märz|juni|juli|oktober|dezember|gennaio|febbraio|aprile|maggio|giugno|"
    "luglio|settembre|ottobre|dicembre|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
    "октября|ноября|декабря|januari|februari|maret|mei|agustus|desember"
)
_MONTH_WORDS = frozenset(_MONTHS.split("|"))
_DATE_RE = re.compile(
    r"\d:\d\d|\d[-./]\d{1,2}[-./]\d|\d{4}年|\d月\d{1,2}日|\d{4}년|\d{1,2}월"
)
_DATE_WORDS = frozenset({"ago", "updated", "published", "posted", "atualizado", "publicado", "actualizado",
                         "mis", "aktualisiert", "aggiornato", "обновлено", "diperbarui"})
# A lower-case letter or sentence end glued to a capitalised word: teaser "HeadlineSummary".
_GLUED_RE = re.compile(r"(?:[a-z]{2}|[.?!:])[A-Z][a-z]")
_COUNT_RE = re.compile(r"^\W*\d[\d,.kKmM]*\W*$|\b\d[\d,.]*\s*[kKmM]?\s+\w+$")


# Kana, CJK ideographs, Hangul syllables.
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LOWER_RE = re.compile(r"[^\W\d_]")  # any letter


@dataclass(frozen=True)
class Verdict:
    """Keep or drop one segment, with a short machine-readable cue."""

    keep: bool
    reason: str


@dataclass(frozen=True)
class TreeModel:
    """Gradient-boosted trees stored as complete binary trees of fixed depth (numpy arrays)."""

    feature: np.ndarray  # (T, 2**depth - 1) int, feature index of each inner node
    threshold: np.ndarray  # (T, 2**depth - 1) float, go left when x <= threshold
    leaf: np.ndarray  # (T, 2**depth) float, leaf values
    depth: int
    bias: float

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Raw additive score (log-odds) for each row of x."""
        n = x.shape[0]
        t, inner = self.feature.shape
        if n == 0:
            return np.zeros(0)
        feature = self.feature.ravel()
        threshold = self.threshold.ravel()
        offset = (np.arange(t) * inner)[:, None]
        column = np.arange(n)[None, :]
        values = np.ascontiguousarray(x.T, dtype=np.float64).ravel()
        node = np.zeros((t, n), dtype=np.intp)
        for _ in range(self.depth):
            k = offset + node
            node = 2 * node + 1 + (values[feature[k] * n + column] > threshold[k])
        leaves = self.leaf.shape[1]
        return self.bias + self.leaf.ravel()[(np.arange(t) * leaves)[:, None] + node - inner].sum(axis=0)


@dataclass(frozen=True)
class BoilerplateResources:
    """Stop-word lists, UI phrase patterns and model weights (picklable)."""

    stoplists: dict[str, frozenset[str]]
    function_chars: frozenset[str]
    line_phrases: dict[tuple[str, ...], str]  # word tuple -> concept; UI element when it is the whole line
    cue_phrases: dict[tuple[str, ...], str]  # word tuple -> concept; a cue anywhere in a short line
    cue_symbols: tuple[tuple[str, str], ...]  # (symbol, concept) matched as substrings: ©, (c)
    max_phrase_words: int
    phrase_starts: frozenset[str]  # first words of every phrase (fast skip)
    model: TreeModel | None = None  # stage 1: line features
    model2: TreeModel | None = None  # stage 2: line features + stage-1 scores around the line
    params: dict[str, float] = field(default_factory=dict)


def _tree_model(data: dict) -> TreeModel:
    return TreeModel(
        feature=np.asarray(data["feature"], dtype=np.intp),
        threshold=np.asarray(data["threshold"], dtype=np.float64),
        leaf=np.asarray(data["leaf"], dtype=np.float64),
        depth=int(data["depth"]),
        bias=float(data["bias"]),
    )


def _load_model(path: Path) -> tuple[TreeModel | None, TreeModel | None, dict[str, float]]:
    if not path.exists():
        return None, None, {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["feature_names"]) != FEATURE_NAMES:
        # A stale model must not stop the pipeline: warn and use the rule (tests check the shipped model).
        warnings.warn(f"{path}: model features do not match this code; using the fallback rule. "
                      "Retrain with bench/train_boilerplate.py --write", RuntimeWarning, stacklevel=2)
        return None, None, {}
    params = {k: float(v) for k, v in data.get("params", {}).items()}
    return _tree_model(data["stage1"]), _tree_model(data["stage2"]), params


def load_resources(
    seeds_dir: str | Path = SEEDS_DIR,
    *,
    languages: Sequence[str] | None = None,
    model_path: str | Path | None = None,
    use_model: bool = True,
) -> BoilerplateResources:
    """Read stop-word lists (jusText), ``seeds_dir/boilerplate/*.txt`` phrase lists and the model (if present)."""
    import justext  # only at graph-construction time

    seeds_dir = Path(seeds_dir) / "boilerplate"
    codes = list(ISO_TO_JUSTEXT) if languages is None else [c for c in languages if c in ISO_TO_JUSTEXT]
    available = set(justext.get_stoplists())
    stoplists = {
        code: frozenset(fold(w) for w in justext.get_stoplist(ISO_TO_JUSTEXT[code]))
        for code in codes
        if ISO_TO_JUSTEXT[code] in available
    }
    function_chars: frozenset[str] = frozenset()
    fc_path = seeds_dir / "cjk_function_chars.txt"
    if fc_path.exists():
        function_chars = frozenset("".join(read_sections(fc_path).get("", [])).replace(" ", ""))
    line_phrases: dict[tuple[str, ...], str] = {}
    cue_phrases: dict[tuple[str, ...], str] = {}
    cue_symbols: list[tuple[str, str]] = []
    for path in sorted(seeds_dir.glob("*.txt")):
        if path.name == "cjk_function_chars.txt":
            continue
        sections = read_sections(path)
        concept = path.stem
        for phrase in sections.get("line", []):
            key = tuple(_WORD_RE.findall(fold(phrase)))
            if key:
                line_phrases.setdefault(key, concept)
        for phrase in sections.get("cue", []):
            key = tuple(_WORD_RE.findall(fold(phrase)))
            if key and re.match(r"\w", phrase) and re.search(r"\w$", phrase):
                cue_phrases.setdefault(key, concept)
            else:
                cue_symbols.append((fold(phrase), concept))
    model, model2, params = (None, None, {})
    if use_model:
        model, model2, params = _load_model(Path(model_path) if model_path else seeds_dir / "model.json")
    return BoilerplateResources(
        stoplists=stoplists,
        function_chars=function_chars,
        line_phrases=line_phrases,
        cue_phrases=cue_phrases,
        cue_symbols=tuple(cue_symbols),
        max_phrase_words=max(map(len, [*line_phrases, *cue_phrases]), default=0),
        phrase_starts=frozenset(k[0] for k in [*line_phrases, *cue_phrases]),
        model=model,
        model2=model2,
        params=params,
    )


def _phrase_cover(words: list[str], phrases: dict[tuple[str, ...], str], max_n: int,
                  starts: frozenset[str]) -> tuple[int, dict[str, int]]:
    """Words covered by a greedy longest-first match of the phrases; covered words per concept."""
    covered = 0
    per_concept: dict[str, int] = {}
    i = 0
    n = len(words)
    while i < n:
        if words[i] not in starts:
            i += 1
            continue
        for k in range(min(max_n, n - i), 0, -1):
            concept = phrases.get(tuple(words[i:i + k]))
            if concept is not None:
                covered += k
                per_concept[concept] = per_concept.get(concept, 0) + k
                i += k
                break
        else:
            i += 1
    return covered, per_concept


def _first_cue(words: list[str], folded: str, res: "BoilerplateResources") -> str | None:
    """Concept of the first cue phrase or symbol found in the line."""
    for sym, concept in res.cue_symbols:
        if sym in folded:
            return concept
    n = len(words)
    phrases = res.cue_phrases
    starts = res.phrase_starts
    for i in range(n):
        if words[i] not in starts:
            continue
        for k in range(1, min(res.max_phrase_words, n - i) + 1):
            concept = phrases.get(tuple(words[i:i + k]))
            if concept is not None:
                return concept
    return None


_DEFAULT_RESOURCES: list[BoilerplateResources] = []


def _default_resources() -> BoilerplateResources:
    # Cache of immutable data, filled once per process.
    if not _DEFAULT_RESOURCES:
        _DEFAULT_RESOURCES.append(load_resources())
    return _DEFAULT_RESOURCES[0]


# ----------------------------------------------------------------------------- features

_LINE_FEATURES = (
    "log_chars", "log_words", "stop_density", "stop_count", "cjk_ratio", "ends_sentence",
    "ends_colon", "ends_ellipsis", "sentences", "comma_rate", "cap_ratio", "all_caps", "digit_ratio",
    "separators", "ui_cover", "ui_only", "cue", "date", "count_like", "url", "repeats",
    "title_sim", "starts_lower", "starts_bullet", "has_quote", "glued", "head_caps", "short", "caption_cue",
)
_CONTEXT_BASE = ("log_chars", "stop_density", "ends_sentence", "ui_cover", "digit_ratio", "short")
_PAGE_FEATURES = (
    "pos", "rel_head", "before_head", "no_head", "head_dist", "len_rank", "len_vs_max",
    "prose_before", "prose_after", "prose_dist", "n_lines", "anchor_dist", "after_anchors",
    "shape_run", "colon_list",
)


def _context_names() -> tuple[str, ...]:
    names = []
    for off in (-2, -1, 1, 2):
        for b in _CONTEXT_BASE:
            names.append(f"{b}@{off:+d}")
    for w in (3, 8):
        for b in _CONTEXT_BASE:
            names.append(f"{b}~{w}")
    return tuple(names)


FEATURE_NAMES: tuple[str, ...] = _LINE_FEATURES + _context_names() + _PAGE_FEATURES


_SHAPE_SEP_RE = re.compile(r"\s(?:--|[-–—|])\s|:\s")
_MAX_LIST_WORDS = 25


def _token_class(token: str) -> str:
    word = token.strip(".,;:()[]\"'“”«»").lower()
    if not word:
        return "P"
    if word in _MONTH_WORDS:
        return "M"
    if _DIGIT_RE.search(word):
        return "D"
    if word[:1].isalpha():
        return "C" if token.strip("\"'“”«»(")[:1].isupper() else "l"
    return "P"


def _shape(text: str) -> tuple:
    """Coarse shape of a line (list/table row signature): classes of its first two tokens, digits, separator."""
    toks = text.split()[:2]
    sep = _SHAPE_SEP_RE.search(text)
    kind = "" if sep is None else (":" if ":" in sep.group() else "|" if "|" in sep.group() else "-")
    return (tuple(_token_class(t) for t in toks), _DIGIT_RE.search(text) is not None, kind)


def _list_structure(texts: Sequence[str], short: np.ndarray, ui_only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Length of the run of same-shaped short lines around each line (log1p), and whether a line belongs
    to such a run (of >= 3 lines) that follows directly after a line ending in ':' (a list it introduces)."""
    n = len(texts)
    shapes = [_shape(t) for t in texts]
    run = np.ones(n)
    colon = np.zeros(n)
    i = 0
    while i < n:
        j = i + 1
        while j < n and shapes[j] == shapes[i] and short[j] and short[i] and not ui_only[j]:
            j += 1
        run[i:j] = j - i
        if j - i >= 3 and i > 0 and texts[i - 1].rstrip().endswith(":") and not ui_only[i]:
            colon[i:j] = 1.0
        i = j
    return np.log1p(run), colon


def _is_date_like(text: str, words: list[str]) -> bool:
    """A time, a numeric date, a month name next to a number, or a "published/ago" word."""
    if _DATE_RE.search(text):
        return True
    if not _DATE_WORDS.isdisjoint(words):
        return True
    return _DIGIT_RE.search(text) is not None and not _MONTH_WORDS.isdisjoint(words)


def _line_features(text: str, lang: str, res: BoilerplateResources, stop: frozenset[str] | None,
                   title_words: frozenset[str]) -> tuple[list[float], str | None]:
    """Features of one line alone, and the UI concept that covers it (if any)."""
    n_chars = len(text)
    folded = fold(text)
    words = _WORD_RE.findall(folded)
    n_words = len(words)
    cjk = len(_CJK_RE.findall(text)) / n_chars if n_chars else 0.0
    if stop is not None and n_words:
        stop_count = sum(1 for w in words if w in stop)
        stop_density = stop_count / n_words
    elif res.function_chars and (lang in CJK_LANGUAGES or cjk > 0.3):
        stop_count = sum(1 for ch in text if ch in res.function_chars)
        stop_density = 4.0 * stop_count / max(1, n_chars)
    else:
        stop_count, stop_density = 0, -1.0
    last = text[-1] if text else ""
    ends_sentence = 1.0 if last in _END_PUNCT and last != ":" else 0.0
    sentences = len(_SENT_END_RE.findall(text))
    alpha_words = [w for w in text.split() if w[:1].isalpha()]
    cap_ratio = sum(1 for w in alpha_words if w[0].isupper()) / len(alpha_words) if alpha_words else 0.0
    all_caps = 1.0 if n_chars >= 3 and text.isupper() and len(_LOWER_RE.findall(text)) >= 3 else 0.0
    # UI phrase coverage (digit-only words such as counts do not need covering).
    ui_cover = 0.0
    ui_only = 0.0
    concept = None
    if n_chars <= 200 and n_words:
        covered, per_concept = _phrase_cover(words, res.line_phrases, res.max_phrase_words, res.phrase_starts)
        if covered:
            digits = sum(1 for w in words if w.isdigit())
            ui_cover = covered / n_words
            if covered + digits >= n_words:
                ui_only = 1.0
                concept = max(sorted(per_concept), key=per_concept.__getitem__)
    cue = 0.0
    caption_cue = 0.0
    if n_chars <= 400:
        cue_concept = _first_cue(words, folded, res)
        if cue_concept is not None:
            if cue_concept == CAPTION_CONCEPT:
                caption_cue = 1.0
            else:
                cue = 1.0
            if concept is None:
                concept = cue_concept
    title_sim = (sum(1 for w in set(words) if w in title_words) / len(set(words))) if words and title_words else 0.0
    first = text[:1]
    feats = [
        math.log1p(n_chars),
        math.log1p(n_words),
        stop_density,
        float(stop_count),
        cjk,
        ends_sentence,
        1.0 if last == ":" else 0.0,
        1.0 if text.endswith(("...", "…", "..")) else 0.0,
        float(sentences),
        text.count(",") / max(1, n_words),
        cap_ratio,
        all_caps,
        len(_DIGIT_RE.findall(text)) / max(1, n_chars),
        float(len(_SEPARATORS_RE.findall(text))),
        ui_cover,
        ui_only,
        cue,
        1.0 if _is_date_like(text, words) else 0.0,
        1.0 if n_words <= 4 and _COUNT_RE.search(text) else 0.0,
        1.0 if _URL_RE.search(text) else 0.0,
        0.0,  # repeats, filled by the page pass
        title_sim,
        1.0 if first.islower() else 0.0,
        1.0 if first in "•·-–—*►▶»>+" else 0.0,
        1.0 if any(q in text for q in "\"“”«»„") else 0.0,
        float(len(_GLUED_RE.findall(text))),
        sum(1 for w in alpha_words[:6] if w[0].isupper()) / min(6, len(alpha_words)) if alpha_words else 0.0,
        1.0 if n_words <= 3 else 0.0,
        caption_cue,
    ]
    return feats, concept


def page_features(
    segments: Sequence[Segment],
    *,
    title: str | None = None,
    headline_line: int | None = None,
    language: str = "und",
    resources: BoilerplateResources | None = None,
    anchor_lines: Sequence[int] = (),
) -> tuple[np.ndarray, list[str | None]]:
    """Feature matrix (one row per segment, columns FEATURE_NAMES) and the UI concept of each line."""
    res = resources or _default_resources()
    n = len(segments)
    lang = (language or "und").lower()
    stop = res.stoplists.get(lang) or res.stoplists.get(lang.split("-")[0])
    title_words = frozenset(_WORD_RE.findall(fold(title))) if title else frozenset()
    rows = []
    concepts: list[str | None] = []
    keys = []
    for seg in segments:
        f, c = _line_features(seg.text, lang, res, stop, title_words)
        rows.append(f)
        concepts.append(c)
        keys.append(" ".join(_WORD_RE.findall(fold(seg.text))))
    nl = len(_LINE_FEATURES)
    base = np.asarray(rows, dtype=np.float64).reshape(n, nl)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES))), concepts
    # Repetition inside the page.
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    base[:, _LINE_FEATURES.index("repeats")] = [counts[k] if k else 0 for k in keys]
    # Context: neighbours and window means.
    cidx = [_LINE_FEATURES.index(b) for b in _CONTEXT_BASE]
    cb = base[:, cidx]
    ctx = []
    pad = np.full((2, len(cidx)), -1.0)
    padded = np.vstack([pad, cb, pad])
    for off in (-2, -1, 1, 2):
        ctx.append(padded[2 + off: 2 + off + n])
    csum = np.vstack([np.zeros((1, len(cidx))), np.cumsum(cb, axis=0)])
    idx = np.arange(n)
    for w in (3, 8):
        lo = np.maximum(0, idx - w)
        hi = np.minimum(n, idx + w + 1)
        ctx.append((csum[hi] - csum[lo]) / (hi - lo)[:, None])
    context = np.hstack(ctx)
    # Page-level position features.
    lines = np.asarray([s.line for s in segments])
    pos = idx / max(1, n - 1)
    if headline_line is not None:
        head_idx = int(np.searchsorted(lines, headline_line, side="right"))
        rel = (idx - head_idx) / max(1, n)
        before = (lines < headline_line).astype(float)
        no_head = np.zeros(n)
        head_dist = np.log1p(np.abs(idx - head_idx)) * np.where(before > 0, -1.0, 1.0)
    else:
        rel = np.zeros(n)
        before = np.zeros(n)
        no_head = np.ones(n)
        head_dist = np.zeros(n)
    log_chars = base[:, 0]
    order = np.argsort(-log_chars, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    len_rank = np.log1p(rank)
    len_vs_max = log_chars - log_chars.max()
    # "Prose" lines: long, sentence-like, with stop words; their mass before/after each line.
    sd = base[:, 2]
    prose = (log_chars >= math.log1p(80)) & (base[:, 5] > 0) & ((sd >= 0.15) | (sd < 0))
    pchars = np.where(prose, np.expm1(log_chars), 0.0)
    total = pchars.sum()
    cum = np.cumsum(pchars)
    if total > 0:
        prose_before = (cum - pchars) / total
        prose_after = (total - cum) / total
    else:
        prose_before = np.zeros(n)
        prose_after = np.zeros(n)
    pidx = np.flatnonzero(prose)
    if len(pidx):
        j = np.searchsorted(pidx, idx)
        d_next = np.where(j < len(pidx), pidx[np.minimum(j, len(pidx) - 1)] - idx, n)
        d_prev = np.where(j > 0, idx - pidx[np.maximum(j - 1, 0)], n)
        prose_dist = np.log1p(np.minimum(np.abs(d_next), np.abs(d_prev)))
    else:
        prose_dist = np.full(n, math.log1p(n))
    # Anchors: lines the earlier stages recognised as headline repeats, subtitle, bylines.
    anchors = np.asarray(sorted(set(anchor_lines) | ({headline_line} if headline_line is not None else set())))
    if len(anchors):
        k = np.searchsorted(anchors, lines, side="right")
        prev_anchor = np.where(k > 0, anchors[np.maximum(k - 1, 0)], -1)
        anchor_dist = np.where(k > 0, np.log1p(lines - prev_anchor), -1.0)
        after_anchors = (lines > anchors[-1]).astype(float)
    else:
        anchor_dist = np.full(n, -1.0)
        after_anchors = np.zeros(n)
    short_line = base[:, 1] <= math.log1p(_MAX_LIST_WORDS)
    shape_run, colon_list = _list_structure([s.text for s in segments], short_line,
                                            base[:, _LINE_FEATURES.index("ui_only")] > 0)
    page = np.column_stack([
        pos, rel, before, no_head, head_dist, len_rank, len_vs_max,
        prose_before, prose_after, prose_dist, np.full(n, math.log1p(n)), anchor_dist, after_anchors,
        shape_run, colon_list,
    ])
    return np.hstack([base, context, page]), concepts


# ----------------------------------------------------------------------------- decisions

_FEATURE_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


class _FeatureView:
    """Name access to one feature row."""

    __slots__ = ("x",)

    def __init__(self, x: np.ndarray) -> None:
        self.x = x

    def __getitem__(self, name: str) -> float:
        return self.x[_FEATURE_INDEX[name]]


def _reason(x: np.ndarray, concept: str | None) -> str:
    """The most telling cue for a removed line (for the audit trail)."""
    f = _FeatureView(x)
    if concept is not None and (f["ui_only"] or f["cue"] or f["caption_cue"]):
        return CONCEPT_REASON.get(concept, concept)
    if f["repeats"] >= 2:
        return "repeated_in_page"
    if f["before_head"]:
        return "before_headline"
    if f["count_like"] or (f["date"] and f["log_words"] <= math.log1p(8)):
        return "date_or_count"
    if f["log_words"] <= math.log1p(6) and not f["ends_sentence"]:
        return "short_link_like"
    if 0 <= f["stop_density"] < 0.2:
        return "low_stopword_density"
    if f["prose_dist"] > math.log1p(3):
        return "isolated_short" if f["log_words"] <= math.log1p(15) else "outside_main_text"
    return "low_score"


def _rule_scores(x: np.ndarray) -> np.ndarray:
    """Fallback without a model: jusText-like length/stop-word rule (log-odds-ish)."""
    col = {n: i for i, n in enumerate(FEATURE_NAMES)}
    words = np.expm1(x[:, col["log_words"]])
    sd = x[:, col["stop_density"]]
    sd = np.where(sd < 0, 0.3, sd)
    s = np.where(words >= 12, 1.0, -1.0) + np.where(sd >= 0.3, 1.0, -1.0) + x[:, col["ends_sentence"]]
    s -= 3 * x[:, col["ui_only"]] + x[:, col["cue"]] + 1.5 * x[:, col["before_head"]]
    s -= np.where(x[:, col["repeats"]] >= 2, 1.0, 0.0)
    return s - 0.5


def stage2_features(x: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """Line features plus the stage-1 scores of the line, its neighbours and its region."""
    n = len(s1)
    if n == 0:
        return np.zeros((0, x.shape[1] + len(STAGE2_EXTRA)))
    pad = np.concatenate([np.full(3, -6.0), s1, np.full(3, -6.0)])
    prob = 1.0 / (1.0 + np.exp(-s1))
    cols = [s1] + [pad[3 + off: 3 + off + n] for off in (-3, -2, -1, 1, 2, 3)]
    csum = np.concatenate([[0.0], np.cumsum(prob)])
    idx = np.arange(n)
    for w in (2, 5, 12):
        lo = np.maximum(0, idx - w)
        hi = np.minimum(n, idx + w + 1)
        cols.append((csum[hi] - csum[lo] - prob) / np.maximum(1, hi - lo - 1))
    wt = prob * np.sqrt(np.expm1(x[:, 0]))
    total = wt.sum()
    cum = np.cumsum(wt)
    cols.append((cum - wt) / total if total > 0 else np.zeros(n))
    cols.append((total - cum) / total if total > 0 else np.zeros(n))
    cols.append(s1 - s1.max())
    good = np.flatnonzero(s1 > 0)
    if len(good):
        cols.append(((idx >= good[0]) & (idx <= good[-1])).astype(float))
        j = np.searchsorted(good, idx)
        d_next = np.where(j < len(good), good[np.minimum(j, len(good) - 1)] - idx, n)
        d_prev = np.where(j > 0, idx - good[np.maximum(j - 1, 0)], n)
        cols.append(np.log1p(np.minimum(np.abs(d_next), np.abs(d_prev))))
    else:
        cols.append(np.zeros(n))
        cols.append(np.full(n, math.log1p(n)))
    return np.hstack([x, np.column_stack(cols)])


STAGE2_EXTRA = ("s1", "s1@-3", "s1@-2", "s1@-1", "s1@+1", "s1@+2", "s1@+3", "p1~2", "p1~5", "p1~12",
                "mass_before", "mass_after", "s1_vs_max", "inside_good_span", "good_dist")


def line_scores(x: np.ndarray, resources: BoilerplateResources) -> np.ndarray:
    """Log-odds that each line is article text (model if present, else the rule)."""
    if resources.model is None:
        return _rule_scores(x)
    s1 = resources.model.decision(x)
    if resources.model2 is None:
        return s1
    return resources.model2.decision(stage2_features(x, s1))


def _best_span(gain: np.ndarray) -> tuple[int, int]:
    """Maximum-sum contiguous run [a, b) of gain (Kadane); (0, 0) when every gain is negative."""
    best, best_a, best_b = 0.0, 0, 0
    run, start = 0.0, 0
    for i, g in enumerate(gain.tolist()):
        if run <= 0:
            run, start = 0.0, i
        run += g
        if run > best:
            best, best_a, best_b = run, start, i + 1
    return best_a, best_b


def decide(scores: np.ndarray, params: dict[str, float], weights: np.ndarray | None = None,
           x: np.ndarray | None = None) -> np.ndarray:
    """Keep mask from per-line log-odds.

    With ``region`` set: the main text is the contiguous run of lines with the
    largest weighted sum of (probability - region), grown over adjacent lines
    scoring above ``edge``; inside it lines above ``inside`` stay, outside it
    only lines above ``outside``.  If nothing passes, the same decision is taken
    relative to the page's best line.  Otherwise a plain threshold after
    optional neighbour smoothing.  With the feature matrix ``x``, lists
    introduced by kept text ending in ':' are kept whole (:func:`_keep_introduced_lists`).
    """
    n = len(scores)
    if n == 0:
        return np.zeros(0, dtype=bool)
    smooth = params.get("smooth", 0.0)
    if smooth > 0:
        padded = np.concatenate([[scores[0]], scores, [scores[-1]]])
        nb = (padded[:-2] + padded[2:]) / 2
        scores = (1 - smooth) * scores + smooth * nb
    if "region" not in params:
        return scores > params.get("threshold", 0.0)
    keep = _region_keep(scores, params, np.ones(n) if weights is None else weights)
    if not keep.any():
        # Every page has some article text: take the best lines relative to the page's best score.
        keep = _region_keep(scores - scores.max() + FALLBACK_TOP, params, np.ones(n) if weights is None else weights)
    if x is not None:
        keep = _keep_introduced_lists(keep, x)
    return keep


def _keep_introduced_lists(keep: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A line ending in ':' that is kept or directly follows a kept line keeps itself and the run of
    same-shaped short lines right after it (the list it introduces)."""
    colon = x[:, _FEATURE_INDEX["colon_list"]]
    ends_colon = x[:, _FEATURE_INDEX["ends_colon"]]
    ui = x[:, _FEATURE_INDEX["ui_only"]] + x[:, _FEATURE_INDEX["cue"]]
    keep = keep.copy()
    before = np.concatenate([[False], keep[:-1]])
    for i in np.flatnonzero((keep | before)[:-1] & (ends_colon[:-1] > 0) & (ui[:-1] == 0) & (colon[1:] > 0)):
        keep[i] = True
        j = i + 1
        while j < len(keep) and colon[j] > 0:
            keep[j] = True
            j += 1
    return keep


FALLBACK_TOP = 1.0  # log-odds given to the best line of a page where no line passed


def _region_keep(scores: np.ndarray, params: dict[str, float], w: np.ndarray) -> np.ndarray:
    prob = 1.0 / (1.0 + np.exp(-scores))
    a, b = _best_span((prob - params["region"]) * w)
    if b > a:
        # Grow the region over adjacent lines that are still more likely text than not.
        edge = params.get("edge", 99.0)
        while a > 0 and scores[a - 1] > edge:
            a -= 1
        while b < len(scores) and scores[b] > edge:
            b += 1
    keep = scores > params["outside"]
    keep[a:b] = scores[a:b] > params["inside"]
    return keep


def line_weights(x: np.ndarray) -> np.ndarray:
    """Weight of each line in the region search: square root of its length."""
    return np.sqrt(np.expm1(x[:, 0]))


def classify_segments(
    segments: Sequence[Segment],
    *,
    title: str | None = None,
    headline_line: int | None = None,
    language: str = "und",
    resources: BoilerplateResources | None = None,
    anchor_lines: Sequence[int] = (),
) -> list[Verdict]:
    """One verdict per segment, same order (anchor_lines: lines of removed headline repeats/subtitle/bylines)."""
    res = resources or _default_resources()
    if not segments:
        return []
    x, concepts = page_features(segments, title=title, headline_line=headline_line, language=language,
                                resources=res, anchor_lines=anchor_lines)
    keep = decide(line_scores(x, res), res.params, line_weights(x), x)
    return [
        Verdict(True, "article_text") if k else Verdict(False, _reason(x[i], concepts[i]))
        for i, k in enumerate(keep)
    ]


ANCHOR_KINDS = frozenset({"duplicate_headline", "subtitle", "byline"})


def anchor_lines(doc: Doc) -> list[int]:
    """Lines the earlier stages took out as headline repeats, subtitle or byline (article landmarks)."""
    return [r.line for r in doc.removed if r.kind in ANCHOR_KINDS and r.line is not None]


def remove_boilerplate(doc: Doc, count: Counter = no_count, resources: BoilerplateResources | None = None) -> Doc:
    """Keep the segments classified as article text; move the rest to doc.removed."""
    if not doc.segments:
        return doc
    verdicts = classify_segments(
        doc.segments, title=doc.title, headline_line=doc.headline_line, language=doc.language, resources=resources,
        anchor_lines=anchor_lines(doc),
    )
    kept: list[Segment] = []
    removed = list(doc.removed)
    for seg, v in zip(doc.segments, verdicts):
        if v.keep:
            kept.append(seg)
        else:
            removed.append(Removed(kind="boilerplate", text=seg.text, line=seg.line, detail=v.reason))
            count("boilerplate_" + v.reason)
    return doc.replace(segments=kept, removed=removed)
