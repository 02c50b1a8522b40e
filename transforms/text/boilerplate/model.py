"""The boilerplate classifier's data and scores: resources, tree ensembles, line log-odds (pure, no Beam).

:func:`load_resources` runs on the driver: it reads jusText's stop-word
lists, the phrase concepts in ``seeds/phrases/`` and the learned model
``seeds/boilerplate/model.json`` into one picklable
:class:`BoilerplateResources` handed to the stage.  Workers never read files.

Two gradient-boosted tree ensembles (trained by ``bench/train_boilerplate.py``
with leave-sites-out cross-validation) score the lines: stage 1 from the
features of :mod:`.features`, stage 2 adding the stage-1 scores around each
line (:func:`stage2_features`).
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

from transforms.patterns import (
    BOILERPLATE_CONCEPTS,
    BOILERPLATE_SECTIONS,
    SEEDS_DIR,
    fold,
    load_concepts,
    read_sections,
)
from transforms.text.boilerplate.features import (
    COL,
    FEATURE_NAMES,
    PhraseTable,
    function_char_codes,
    phrase_tables,
)

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
_WORD_RE = re.compile(r"\w+")


def _code_table(leaf: np.ndarray, depth: int) -> np.ndarray:
    """For complete binary trees of ``depth``: the leaf value each pattern of inner-node test bits reaches
    (bit k set = inner node k, in level order, sends the line right), one row per tree."""
    inner = 2 ** depth - 1
    codes = np.arange(2 ** inner)
    node = np.zeros(len(codes), dtype=np.intp)
    for _ in range(depth):
        node = 2 * node + 1 + ((codes >> node) & 1)
    return np.ascontiguousarray(np.asarray(leaf, dtype=np.float64)[:, node - inner])


_BIT_SHIFTS = np.arange(8, dtype=np.uint64)


@dataclass(frozen=True)
class TreeModel:
    """Gradient-boosted trees stored as complete binary trees of fixed depth (numpy arrays)."""

    feature: np.ndarray  # (T, 2**depth - 1) int, feature index of each inner node
    threshold: np.ndarray  # (T, 2**depth - 1) float, go left when x <= threshold
    leaf: np.ndarray  # (T, 2**depth) float, leaf values
    depth: int
    bias: float
    # Derived in __post_init__ for trees of depth <= 3 (at most 8 inner nodes), not stored in model.json:
    # the distinct (feature, threshold) tests, each node's test, and the leaf reached by each bit pattern.
    test_feature: np.ndarray | None = field(default=None, compare=False, repr=False)
    test_threshold: np.ndarray | None = field(default=None, compare=False, repr=False)
    node_test: np.ndarray | None = field(default=None, compare=False, repr=False)
    code_table: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.code_table is not None or self.depth > 3 or self.feature.size == 0:
            return
        pairs = np.stack([self.feature.ravel().astype(np.float64), self.threshold.ravel()], axis=1)
        unique, node_test = np.unique(pairs, axis=0, return_inverse=True)
        object.__setattr__(self, "test_feature", unique[:, 0].astype(np.intp))
        object.__setattr__(self, "test_threshold", np.ascontiguousarray(unique[:, 1:2]))
        object.__setattr__(self, "node_test", node_test.reshape(self.feature.shape).astype(np.intp))
        object.__setattr__(self, "code_table", _code_table(self.leaf, self.depth))

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Raw additive score (log-odds) for each row of x.

        Trees of depth <= 3: every distinct (feature, threshold) test of the ensemble is one
        comparison over all lines (a tests x lines byte matrix, lines padded to a multiple of 8);
        the rows of each tree's nodes are gathered, and, read as uint64 words that hold 8 lines
        each, shifted and or-ed into one byte per (tree, line) whose bit k is node k's test; that
        byte indexes the tree's table of the leaf each bit pattern reaches.  The values are summed
        over the trees in tree order (the same sum as the walk below).  Deeper trees walk down one
        level at a time by a flat index.
        """
        n = x.shape[0]
        t, inner = self.feature.shape
        if n == 0:
            return np.zeros(0)
        xt = np.ascontiguousarray(np.asarray(x, dtype=np.float64).T)
        if self.code_table is not None:
            n8 = -(-n // 8) * 8
            tests = np.zeros((len(self.test_feature), n8), dtype=np.uint8)
            np.greater(xt.take(self.test_feature, axis=0), self.test_threshold, out=tests[:, :n].view(bool))
            words = tests.take(self.node_test, axis=0).view(np.uint64)  # (t, inner, n8 / 8)
            code = np.bitwise_or.reduce(words << _BIT_SHIFTS[:inner, None], axis=1).view(np.uint8)[:, :n]
            rows = (np.arange(t, dtype=np.intp) * self.code_table.shape[1])[:, None]
            return self.bias + self.code_table.take(code + rows).sum(axis=0)
        go_right = (xt[self.feature.ravel()] > self.threshold.ravel()[:, None]).ravel()  # (t * inner, n)
        offset = (np.arange(t, dtype=np.intp) * inner)[:, None]
        column = np.arange(n, dtype=np.intp)[None, :]
        node = np.zeros((t, n), dtype=np.intp)
        for _ in range(self.depth):
            node = 2 * node + 1 + go_right[(offset + node) * n + column]
        leaves = self.leaf.shape[1]
        return self.bias + self.leaf.ravel()[(np.arange(t) * leaves)[:, None] + node - inner].sum(axis=0)


class Stoplists(dict):
    """Language code -> its folded jusText stop words, read from jusText the first time a page of
    that language asks (``get``), in the process that asks.

    Pickles as its list of language codes: the folded lists of all 61 languages are ~2.3 MB pickled, which Beam
    would compress (bz2), ship and decompress in every step that carries the resources, and
    ~18 MB once loaded, while a corpus uses a few languages.  jusText is installed wherever the
    pipeline runs (trafilatura depends on it), so every process reads the same lists.
    """

    def __init__(self, codes=()) -> None:
        super().__init__()
        self.codes = tuple(codes)

    def get(self, code, default=None):
        if code in self:
            return self[code]
        if code not in self.codes:
            return default
        import justext

        words = self[code] = frozenset(fold(w) for w in justext.get_stoplist(ISO_TO_JUSTEXT[code]))
        return words

    def __eq__(self, other) -> bool:  # the same languages (whichever were read so far)
        return self.codes == other.codes if isinstance(other, Stoplists) else NotImplemented

    __hash__ = None

    def __reduce__(self):
        return Stoplists, (self.codes,)


@dataclass(frozen=True)
class BoilerplateResources:
    """Stop-word lists, UI phrase patterns and model weights (picklable; built on the driver)."""

    stoplists: Stoplists  # language -> stop words, read on first use
    function_chars: frozenset[str]
    line_phrases: dict[tuple[str, ...], str]  # word tuple -> concept; UI element when it is the whole line
    cue_phrases: dict[tuple[str, ...], str]  # word tuple -> concept; a cue anywhere in a short line
    cue_symbols: tuple[tuple[str, str], ...]  # (symbol, concept) matched as substrings: ©, (c)
    max_phrase_words: int
    phrase_starts: frozenset[str]  # first words of every phrase (fast skip)
    line_starts: frozenset[str] = frozenset()  # first words of the [line] phrases
    cue_starts: frozenset[str] = frozenset()  # first words of the [cue] phrases
    model: TreeModel | None = None  # stage 1: line features
    model2: TreeModel | None = None  # stage 2: line features + stage-1 scores around the line
    params: dict[str, float] = field(default_factory=dict)
    function_char_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    # Derived from line_phrases / cue_phrases in __post_init__ (features.phrase_tables).
    phrase_vocab: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    line_table: PhraseTable | None = field(default=None, compare=False, repr=False)
    cue_table: PhraseTable | None = field(default=None, compare=False, repr=False)
    lexicons: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, repr=False)  # features._lexicon

    def __post_init__(self) -> None:
        if self.line_table is None:
            vocab, line_table, cue_table = phrase_tables(self.line_phrases, self.cue_phrases)
            object.__setattr__(self, "phrase_vocab", vocab)
            object.__setattr__(self, "line_table", line_table)
            object.__setattr__(self, "cue_table", cue_table)


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
                      "Retrain with bench/train_boilerplate.py --write", RuntimeWarning, stacklevel=3)
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
    """Read stop-word lists (jusText), the classifier's phrase concepts (``seeds/phrases/``, through
    :func:`transforms.patterns.load_concepts`) and the model ``seeds/boilerplate/model.json`` (if present)."""
    import justext  # the names of its stop lists here; the lists where a page asks (Stoplists)

    model_dir = Path(seeds_dir) / "boilerplate"
    codes = list(ISO_TO_JUSTEXT) if languages is None else [c for c in languages if c in ISO_TO_JUSTEXT]
    available = set(justext.get_stoplists())
    stoplists = Stoplists(code for code in codes if ISO_TO_JUSTEXT[code] in available)
    function_chars: frozenset[str] = frozenset()
    fc_path = model_dir / "cjk_function_chars.txt"
    if fc_path.exists():
        function_chars = frozenset("".join(read_sections(fc_path).get("", [])).replace(" ", ""))
    line_phrases: dict[tuple[str, ...], str] = {}
    cue_phrases: dict[tuple[str, ...], str] = {}
    cue_symbols: list[tuple[str, str]] = []
    concepts = load_concepts(BOILERPLATE_CONCEPTS, BOILERPLATE_SECTIONS, seeds_dir)
    for concept in sorted(concepts):
        sections = concepts[concept]
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
        model, model2, params = _load_model(Path(model_path) if model_path else model_dir / "model.json")
    return BoilerplateResources(
        stoplists=stoplists,
        function_chars=function_chars,
        line_phrases=line_phrases,
        cue_phrases=cue_phrases,
        cue_symbols=tuple(cue_symbols),
        max_phrase_words=max(map(len, [*line_phrases, *cue_phrases]), default=0),
        phrase_starts=frozenset(k[0] for k in [*line_phrases, *cue_phrases]),
        line_starts=frozenset(k[0] for k in line_phrases),
        cue_starts=frozenset(k[0] for k in cue_phrases),
        model=model,
        model2=model2,
        params=params,
        function_char_codes=function_char_codes(function_chars),
    )


def rule_scores(x: np.ndarray) -> np.ndarray:
    """Fallback without a model: jusText-like length/stop-word rule (log-odds-ish)."""
    words = np.expm1(x[:, COL["log_words"]])
    sd = x[:, COL["stop_density"]]
    sd = np.where(sd < 0, 0.3, sd)
    s = np.where(words >= 12, 1.0, -1.0) + np.where(sd >= 0.3, 1.0, -1.0) + x[:, COL["ends_sentence"]]
    s -= 3 * x[:, COL["ui_only"]] + x[:, COL["cue"]] + 1.5 * x[:, COL["before_head"]]
    s -= np.where(x[:, COL["repeats"]] >= 2, 1.0, 0.0)
    return s - 0.5


STAGE2_EXTRA = ("s1", "s1@-3", "s1@-2", "s1@-1", "s1@+1", "s1@+2", "s1@+3", "p1~2", "p1~5", "p1~12",
                "mass_before", "mass_after", "s1_vs_max", "inside_good_span", "good_dist")


def stage2_features(x: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """Line features plus the stage-1 scores of the line, its neighbours and its region (STAGE2_EXTRA)."""
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
    wt = prob * np.sqrt(np.expm1(x[:, COL["log_chars"]]))
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


def line_scores(x: np.ndarray, resources: BoilerplateResources) -> np.ndarray:
    """Log-odds that each line is article text (model if present, else the rule)."""
    if resources.model is None:
        return rule_scores(x)
    s1 = resources.model.decision(x)
    if resources.model2 is None:
        return s1
    return resources.model2.decision(stage2_features(x, s1))
