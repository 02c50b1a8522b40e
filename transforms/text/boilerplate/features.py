"""Line features of the boilerplate classifier, computed per page with numpy (pure, no Beam import).

:func:`page_features` describes every line of a page by the columns of
:data:`FEATURE_NAMES` (read them by name with :data:`COL`): the line's own
shape (length, punctuation, stop-word density for the page language, UI
phrase coverage), its neighbours' (context, as in jusText's
context-sensitive pass) and its place in the page (position relative to the
headline, to the prose mass and to the lines earlier stages removed).

The page is handled as one string: the text is encoded once as code points,
character classes come from per-code-point lookup tables, every regex
concept is one compiled pattern run once over the whole page, and each line
is folded once.  Only phrase lookups (UI phrases, cues) look at single lines,
and only at the lines that contain a phrase's first word.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from itertools import chain
from typing import TYPE_CHECKING, Sequence

import numpy as np

from transforms.document import Segment
from transforms.patterns import fold

if TYPE_CHECKING:  # pragma: no cover
    from transforms.text.boilerplate.model import BoilerplateResources

# Languages written without spaces: function characters stand in for stop words.
CJK_LANGUAGES = ("ja", "zh-cn", "zh-tw", "zh")
CAPTION_CONCEPT = "captions"

_WORD_RE = re.compile(r"\w+")
# One pattern per concept, run over the whole page (lines joined by "\n"); none crosses a line break.
_SENT_END_RE = re.compile(r"[.!?。！？…](?:[\"'”’»)\]]*)(?=\s|$)")
_SEPARATOR_CHARS = "|•·»«/›‹>"  # and " - "
# Every alternative starts with the same character class, so the scan skips ahead by it (~8x faster).
# A time, a numeric date, or a CJK/Korean date: 12:30, 3/4/2019, 2019年, 3月4日, 2019년, 3월.
_DATE_RE = re.compile(r"\d(?::\d\d|[-./]\d{1,2}[-./]\d|\d{3}年|月\d{1,2}日|\d{3}년|\d?월)")
# http(s)://, www., name@host, .com/.org/.net
_URL_RE = re.compile(r"[hw@.](?:(?<=h)ttps?://|(?<=w)ww\.|(?<=\w@)\w|(?<=\.)(?:com|org|net)\b)", re.IGNORECASE)
_COUNT_RE = re.compile(r"^\W*\d[\d,.kKmM]*\W*$|\b\d[\d,.]*\s*[kKmM]?\s+\w+$")
_SHAPE_SEP_RE = re.compile(r"\s(?:--|[-–—|])\s|:\s")
_SHAPE_SEP_PAGE_RE = re.compile(r"[^\S\n](?:--|[-–—|])[^\S\n]|:[^\S\n]")  # the same inside one line
_DIGIT_RE = re.compile(r"\d")

_END_PUNCT = ".!?。！？\"'”’»)…;"  # a line ending in one of these ends a sentence (':' is its own feature)
_QUOTES = "\"“”«»„"
_BULLETS = "•·-–—*►▶»>+"
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
_DATE_WORDS = frozenset({"ago", "updated", "published", "posted", "atualizado", "publicado", "actualizado",
                         "mis", "aktualisiert", "aggiornato", "обновлено", "diperbarui"})
MAX_LIST_WORDS = 25
MAX_TABLE_PERIOD = 8  # cells per table row written one per line
MIN_TABLE_LINES = 6
# An embedded post's attribution line: "— Name (@handle) November 19, 2019", "A post shared by X (@handle)".
_EMBED_ATTRIB_RE = re.compile(r"\(@\w{1,40}\)(?:\s|$)|^(?:a post shared by|ein beitrag geteilt von|"
                              r"uma publicação compartilhada por|una publicación compartida por)\b",
                              re.IGNORECASE | re.MULTILINE)
# A link only embedded posts carry in their text.
_EMBED_LINK_KEYS = ("pic.twitter.com/", "t.co/", "instagram.com/p/")  # cheap test before the regex
_EMBED_LINK_RE = re.compile(r"pic\.twitter\.com/|\bt\.co/\w|instagram\.com/p/", re.IGNORECASE)

# ----------------------------------------------------------------------------- names

LINE_FEATURES = (
    "log_chars", "log_words", "stop_density", "stop_count", "cjk_ratio", "ends_sentence",
    "ends_colon", "ends_ellipsis", "sentences", "comma_rate", "cap_ratio", "all_caps", "digit_ratio",
    "separators", "ui_cover", "ui_only", "cue", "date", "count_like", "url", "repeats",
    "title_sim", "starts_lower", "starts_bullet", "has_quote", "glued", "head_caps", "short", "caption_cue",
)
CONTEXT_BASE = ("log_chars", "stop_density", "ends_sentence", "ui_cover", "digit_ratio", "short")
CONTEXT_OFFSETS = (-2, -1, 1, 2)
CONTEXT_WINDOWS = (3, 8)
PAGE_FEATURES = (
    "pos", "rel_head", "before_head", "no_head", "head_dist", "len_rank", "len_vs_max",
    "prose_before", "prose_after", "prose_dist", "n_lines", "anchor_dist", "after_anchors",
    "shape_run", "colon_list", "colon_table", "embed_attrib", "embed_body",
)
CONTEXT_FEATURES = tuple(f"{b}@{off:+d}" for off in CONTEXT_OFFSETS for b in CONTEXT_BASE) + tuple(
    f"{b}~{w}" for w in CONTEXT_WINDOWS for b in CONTEXT_BASE)
FEATURE_NAMES: tuple[str, ...] = LINE_FEATURES + CONTEXT_FEATURES + PAGE_FEATURES
COL: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}  # column of each feature


def column(x: np.ndarray, name: str) -> np.ndarray:
    """One named feature column of a feature matrix (or the value of a single feature row)."""
    return x[..., COL[name]]


# ----------------------------------------------------------------------------- character tables

_BMP = 0x10000


@functools.cache
def _char_tables() -> dict[str, np.ndarray]:
    """Boolean class of every BMP code point (derived from unicodedata; built once per process)."""
    chars = [chr(i) for i in range(_BMP)]
    tables = {
        "space": np.fromiter((c.isspace() for c in chars), bool, _BMP),
        "alpha": np.fromiter((c.isalpha() for c in chars), bool, _BMP),
        "upper": np.fromiter((c.isupper() for c in chars), bool, _BMP),
        "lower": np.fromiter((c.islower() for c in chars), bool, _BMP),
        "digit": np.fromiter((c.isdecimal() for c in chars), bool, _BMP),  # re's \d
        # re's [^\W\d_]: word characters that are not decimal digits or '_'.
        "letter": np.fromiter((c.isalnum() and not c.isdecimal() for c in chars), bool, _BMP),
    }
    cjk = np.zeros(_BMP, bool)
    for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF)):
        cjk[lo:hi + 1] = True
    tables["cjk"] = cjk
    for name, chars_ in (("quote", _QUOTES), ("bullet", _BULLETS), ("end", _END_PUNCT),
                         ("separator", _SEPARATOR_CHARS), ("glue_stop", ".?!:")):
        t = np.zeros(_BMP, bool)
        t[[ord(c) for c in chars_]] = True
        tables[name] = t
    for t in tables.values():
        t[_BMP - 1] = False  # code points beyond the BMP are looked up here: no class
    return tables


class _Lines:
    """Where each line of the joined page text starts, for per-line sums of per-character masks."""

    __slots__ = ("starts", "line_of", "n", "dense")

    def __init__(self, starts: np.ndarray, line_of: np.ndarray, lengths: np.ndarray) -> None:
        self.starts, self.line_of, self.n = starts, line_of, len(starts)
        self.dense = bool(len(lengths)) and bool((lengths > 0).all())  # reduceat needs no empty line

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Number of characters per line where mask is set."""
        if self.dense:
            return np.add.reduceat(mask, self.starts, dtype=np.int64).astype(np.float64)
        return np.bincount(self.line_of[mask], minlength=self.n).astype(np.float64)


def _hits_per_line(pattern: re.Pattern[str], joined: str, starts: np.ndarray, n: int) -> np.ndarray:
    """Number of matches of pattern per line of the joined page text."""
    pos = [m.start() for m in pattern.finditer(joined)]
    if not pos:
        return np.zeros(n)
    return np.bincount(np.searchsorted(starts, pos, side="right") - 1, minlength=n).astype(np.float64)


# ----------------------------------------------------------------------------- phrases


def _positions(words: list[str], starts: frozenset[str]) -> list[int]:
    """Positions of the words that can start a phrase, in order (C-level scans, no loop over every word)."""
    out: list[int] = []
    for w in starts.intersection(words):
        i = words.index(w)
        while True:
            out.append(i)
            try:
                i = words.index(w, i + 1)
            except ValueError:
                break
    out.sort()
    return out


def _phrase_cover(words: list[str], phrases: dict[tuple[str, ...], str], max_n: int,
                  starts: frozenset[str]) -> tuple[int, dict[str, int]]:
    """Words covered by a greedy longest-first match of the phrases; covered words per concept."""
    covered = 0
    per_concept: dict[str, int] = {}
    n = len(words)
    after = 0  # first word not yet covered
    for i in _positions(words, starts):
        if i < after:
            continue
        for k in range(min(max_n, n - i), 0, -1):
            concept = phrases.get(tuple(words[i:i + k]))
            if concept is not None:
                covered += k
                per_concept[concept] = per_concept.get(concept, 0) + k
                after = i + k
                break
    return covered, per_concept


def _first_cue_phrase(words: list[str], res: "BoilerplateResources") -> str | None:
    """Concept of the first cue phrase in the line's words."""
    n = len(words)
    phrases = res.cue_phrases
    for i in _positions(words, res.cue_starts):
        for k in range(1, min(res.max_phrase_words, n - i) + 1):
            concept = phrases.get(tuple(words[i:i + k]))
            if concept is not None:
                return concept
    return None


# ----------------------------------------------------------------------------- list / table shape


@functools.lru_cache(maxsize=8192)
def _token_class(token: str) -> str:
    """Class of a token for row shapes: P(unctuation), M(onth), D(igits), C(apitalised), l(ower-case)."""
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
    toks = text.split(None, 2)[:2]
    sep = _SHAPE_SEP_RE.search(text)
    kind = "" if sep is None else (":" if ":" in sep.group() else "|" if "|" in sep.group() else "-")
    return (tuple(map(_token_class, toks)), _DIGIT_RE.search(text) is not None, kind)


def page_shapes(texts: Sequence[str], short: np.ndarray, digits: np.ndarray, joined: str,
                starts: np.ndarray) -> list[tuple | None]:
    """:func:`_shape` of every short line (None for the others), with the separator found by one pass over
    the page and the digit flag from the per-line digit counts."""
    kinds = [""] * len(texts)
    for m in _SHAPE_SEP_PAGE_RE.finditer(joined):
        i = int(np.searchsorted(starts, m.start(), side="right") - 1)
        if not kinds[i]:
            g = m.group()
            kinds[i] = ":" if ":" in g else "|" if "|" in g else "-"
    return [(tuple(map(_token_class, t.split(None, 2)[:2])), bool(d), k) if s else None
            for t, s, d, k in zip(texts, short.tolist(), digits.tolist(), kinds)]


def _runs_of(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of every run of True in mask."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return edges[0::2], edges[1::2]


def table_structure(shapes: Sequence, texts: Sequence[str], short: np.ndarray,
                    ui_only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tables and lists written one cell per line: for each line, the length (log1p) of the longest run
    of short lines that repeats with a period of 2..MAX_TABLE_PERIOD lines (row after row of cells with the
    same shapes) and contains it; and whether that run starts right after a line ending in ':' (a table the
    text introduces)."""
    n = len(shapes)
    ids: dict = {}
    code = np.fromiter((ids.setdefault(sh, len(ids)) if sh is not None else -1 for sh in shapes), np.int64, n)
    best = np.zeros(n)
    introduced = np.zeros(n)
    ok = short & ~ui_only & (code >= 0)
    for k in range(2, MAX_TABLE_PERIOD + 1):
        if n < 2 * k:
            break
        same = np.zeros(n, bool)
        same[k:] = (code[k:] == code[:-k]) & ok[k:] & ok[:-k]
        for a, b in zip(*_runs_of(same)):
            lo, length = a - k, b - a + k  # lines lo .. b-1 repeat with period k
            if length < 2 * k or length < MIN_TABLE_LINES:
                continue
            if len(set(code[lo:lo + k].tolist())) < 2:
                continue  # one shape repeated: a plain list (shape_run), not a table
            seg = best[lo:b]
            np.maximum(seg, length, out=seg)
            # Introduced by a line ending in ':' right before the run or before its header row.
            for head in range(lo - 1, max(-1, lo - k - 2), -1):
                if texts[head].rstrip().endswith(":"):
                    introduced[head + 1:b] = 1.0
                    break
                if not short[head]:
                    break
    return np.log1p(best), introduced


def list_structure(texts: Sequence[str], short: np.ndarray, ui_only: np.ndarray,
                   shapes: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Length of the run of same-shaped short lines around each line (log1p), and whether a line belongs
    to such a run (of >= 3 lines) that follows directly after a line ending in ':' (a list it introduces)."""
    n = len(texts)
    if shapes is None:  # only short lines can join a run: the others need no shape
        shapes = [_shape(t) if s else None for t, s in zip(texts, short)]
    run = np.ones(n)
    colon = np.zeros(n)
    i = 0
    while i < n:
        j = i + 1
        if short[i]:
            # A line ending in ':' introduces what follows: it ends a run instead of joining the list.
            while (j < n and short[j] and shapes[j] == shapes[i] and not ui_only[j]
                   and not texts[j - 1].rstrip().endswith(":")):
                j += 1
        run[i:j] = j - i
        if j - i >= 3 and i > 0 and texts[i - 1].rstrip().endswith(":") and not ui_only[i]:
            colon[i:j] = 1.0
        i = j
    return np.log1p(run), colon


# ----------------------------------------------------------------------------- line features


def line_features(texts: Sequence[str], lang: str, res: "BoilerplateResources",
                  title: str | None = None) -> tuple[dict[str, np.ndarray], list[str | None], list[str]]:
    """The LINE_FEATURES columns of a page's lines, the UI concept of each line and each line's word key."""
    n = len(texts)
    joined = "\n".join(texts)
    lengths = np.fromiter(map(len, texts), np.int64, n)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    tab = _char_tables()
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cps = np.minimum(cps, _BMP - 1)
    line_of = np.repeat(np.arange(n), lengths + 1)[: len(cps)]
    per_line = _Lines(starts, line_of, lengths).count
    nch = lengths.astype(np.float64)
    safe_ch = np.maximum(1.0, nch)

    folded_lines = fold(joined).split("\n")
    words = list(map(_WORD_RE.findall, folded_lines))
    nw = np.fromiter(map(len, words), np.int64, n)
    nwf = nw.astype(np.float64)
    line_ids = np.repeat(np.arange(n), nw)
    flat = list(chain.from_iterable(words))

    # Stop-word density (jusText lists), or function-character density for CJK text.
    stop = res.stoplists.get(lang) or res.stoplists.get(lang.split("-")[0])
    cjk_count = per_line(tab["cjk"][cps])
    cjk = np.where(nch > 0, cjk_count / safe_ch, 0.0)
    stop_count = np.zeros(n)
    stop_density = np.full(n, -1.0)
    if stop is not None:
        hit = np.fromiter(map(stop.__contains__, flat), bool, len(flat))
        stop_count = np.bincount(line_ids, weights=hit, minlength=n).astype(np.float64)
        stop_density = np.where(nw > 0, stop_count / np.maximum(1, nwf), -1.0)
    if res.function_chars and (stop is None or (nw == 0).any()):
        use = (nw == 0) if stop is not None else np.ones(n, bool)
        use &= (lang in CJK_LANGUAGES) | (cjk > 0.3)
        if use.any():
            fc = np.isin(cps, res.function_char_codes)
            fcount = per_line(fc)
            stop_count = np.where(use, fcount, stop_count)
            stop_density = np.where(use, 4.0 * fcount / safe_ch, stop_density)

    # Line ends and starts.
    last_idx = starts + lengths - 1
    first_idx = starts
    nonempty = lengths > 0
    last_cp = np.where(nonempty, cps[np.minimum(last_idx, len(cps) - 1)] if len(cps) else 0, 0)
    first_cp = np.where(nonempty, cps[np.minimum(first_idx, max(0, len(cps) - 1))] if len(cps) else 0, 0)
    ends_sentence = (tab["end"][last_cp] & nonempty).astype(np.float64)
    ends_colon = ((last_cp == ord(":")) & nonempty).astype(np.float64)
    prev_cp = np.where(lengths >= 2, cps[np.maximum(last_idx - 1, 0)] if len(cps) else 0, 0)
    ends_ellipsis = ((last_cp == ord("…")) | ((last_cp == ord(".")) & (prev_cp == ord(".")))).astype(np.float64)

    # Tokens (white-space separated): alphabetic first characters, capitalised ones, the first six per line.
    space = tab["space"][cps]
    tok_start = ~space
    tok_start[1:] &= space[:-1]
    alpha_tok = tok_start & tab["alpha"][cps]
    upper_tok = alpha_tok & tab["upper"][cps]
    alpha_n = per_line(alpha_tok)
    upper_n = per_line(upper_tok)
    cap_ratio = np.where(alpha_n > 0, upper_n / np.maximum(1.0, alpha_n), 0.0)
    at = np.flatnonzero(alpha_tok)
    at_line = line_of[at]
    rank = np.arange(len(at)) - np.searchsorted(at_line, at_line, side="left")
    head = rank < 6
    head_up = np.bincount(at_line[head], weights=upper_tok[at[head]], minlength=n)
    head_caps = np.where(alpha_n > 0, head_up / np.maximum(1.0, np.minimum(6.0, alpha_n)), 0.0)

    letters = per_line(tab["letter"][cps])
    lowers = per_line(tab["lower"][cps])
    uppers = per_line(tab["upper"][cps])
    all_caps = ((nch >= 3) & (lowers == 0) & (uppers > 0) & (letters >= 3)).astype(np.float64)
    digits = per_line(tab["digit"][cps])
    quotes = per_line(tab["quote"][cps])
    commas = per_line(cps == ord(","))

    # Regex concepts, once over the page.
    sentences = _hits_per_line(_SENT_END_RE, joined, starts, n)
    # Separator characters, and " - " between words.
    hspace = space & (cps != 10)
    dash = np.zeros(len(cps), bool)
    if len(cps) > 2:
        dash[1:-1] = (cps[1:-1] == ord("-")) & hspace[:-2] & hspace[2:]
    separators = per_line(tab["separator"][cps] | dash)
    date_re = _hits_per_line(_DATE_RE, joined, starts, n) > 0
    url = (_hits_per_line(_URL_RE, joined, starts, n) > 0).astype(np.float64)
    # A lower-case letter pair or a sentence end glued to a capitalised word: teaser "HeadlineSummary".
    glue = np.zeros(len(cps), bool)
    if len(cps) > 3:
        lo = (cps >= 97) & (cps <= 122)
        up = (cps >= 65) & (cps <= 90)
        stop_ = tab["glue_stop"][cps]
        glue[2:-1] = up[2:-1] & lo[3:] & ((lo[1:-2] & lo[:-3]) | stop_[1:-2])
        glue[1] = up[1] & lo[2] & stop_[0]
    glued = per_line(glue)
    date_word = ~np.fromiter(map(_DATE_WORDS.isdisjoint, words), bool, n)
    month = ~np.fromiter(map(_MONTH_WORDS.isdisjoint, words), bool, n)
    date = date_re | date_word | ((digits > 0) & month)
    count_like = np.zeros(n)
    for i in np.flatnonzero(nw <= 4):
        if _COUNT_RE.search(texts[i]):
            count_like[i] = 1.0

    # UI phrases (whole-line) and cues (anywhere in a short line): only lines holding a phrase's first word.
    ui_cover = np.zeros(n)
    ui_only = np.zeros(n)
    cue = np.zeros(n)
    caption_cue = np.zeros(n)
    concepts: list[str | None] = [None] * n
    symbol_lines: dict[int, str] = {}
    folded_joined = "\n".join(folded_lines)
    if res.cue_symbols:
        fstarts = np.concatenate([[0], np.cumsum(np.fromiter(map(len, folded_lines), np.int64, n) + 1)[:-1]])
        for sym, concept in res.cue_symbols:
            at_ = folded_joined.find(sym)
            while at_ >= 0:
                i = int(np.searchsorted(fstarts, at_, side="right") - 1)
                symbol_lines.setdefault(i, concept)
                at_ = folded_joined.find(sym, at_ + 1)
    line_starts, cue_starts = res.line_starts, res.cue_starts
    line_cand = (lengths <= 200) & ~np.fromiter(map(line_starts.isdisjoint, words), bool, n)
    cue_cand = (lengths <= 400) & ~np.fromiter(map(cue_starts.isdisjoint, words), bool, n)
    sym_cand = np.zeros(n, bool)
    sym_cand[list(symbol_lines)] = True
    for i in np.flatnonzero(line_cand | cue_cand | sym_cand).tolist():
        w = words[i]
        line_start = line_cand[i]
        cue_start = cue_cand[i]
        concept = None
        if line_start:
            covered, per_concept = _phrase_cover(w, res.line_phrases, res.max_phrase_words, line_starts)
            if covered:
                digits_w = sum(1 for x in w if x.isdigit())
                ui_cover[i] = covered / len(w)
                if covered + digits_w >= len(w):
                    ui_only[i] = 1.0
                    concept = max(sorted(per_concept), key=per_concept.__getitem__)
        if lengths[i] <= 400:
            cue_concept = symbol_lines.get(i) or (_first_cue_phrase(w, res) if cue_start else None)
            if cue_concept is not None:
                if cue_concept == CAPTION_CONCEPT:
                    caption_cue[i] = 1.0
                else:
                    cue[i] = 1.0
                if concept is None:
                    concept = cue_concept
        concepts[i] = concept

    title_words = frozenset(_WORD_RE.findall(fold(title))) if title else frozenset()
    if title_words:
        title_sim = np.fromiter(
            ((len(title_words.intersection(w)) / len(set(w))) if w else 0.0 for w in words), np.float64, n)
    else:
        title_sim = np.zeros(n)

    keys = [" ".join(w) for w in words]
    counts = Counter(keys)
    repeats = np.fromiter((counts[k] if k else 0 for k in keys), np.float64, n)

    cols = {
        # not features: what the page pass needs again without a second pass over the text
        "_digits": digits, "_joined": joined, "_starts": starts,
        "_embed_attrib": (_hits_per_line(_EMBED_ATTRIB_RE, joined, starts, n) > 0
                          if "(@" in joined or " shared by" in folded_joined or " geteilt von" in folded_joined
                          or " compart" in folded_joined else np.zeros(n, bool)),
        "_embed_link": (_hits_per_line(_EMBED_LINK_RE, joined, starts, n) > 0
                        if any(k in folded_joined for k in _EMBED_LINK_KEYS) else np.zeros(n, bool)),
        "log_chars": np.log1p(nch),
        "log_words": np.log1p(nwf),
        "stop_density": stop_density,
        "stop_count": stop_count,
        "cjk_ratio": cjk,
        "ends_sentence": ends_sentence,
        "ends_colon": ends_colon,
        "ends_ellipsis": ends_ellipsis,
        "sentences": sentences,
        "comma_rate": commas / np.maximum(1.0, nwf),
        "cap_ratio": cap_ratio,
        "all_caps": all_caps,
        "digit_ratio": digits / safe_ch,
        "separators": separators,
        "ui_cover": ui_cover,
        "ui_only": ui_only,
        "cue": cue,
        "date": date.astype(np.float64),
        "count_like": count_like,
        "url": url,
        "repeats": repeats,
        "title_sim": title_sim,
        "starts_lower": (tab["lower"][first_cp] & nonempty).astype(np.float64),
        "starts_bullet": (tab["bullet"][first_cp] & nonempty).astype(np.float64),
        "has_quote": (quotes > 0).astype(np.float64),
        "glued": glued,
        "head_caps": head_caps,
        "short": (nw <= 3).astype(np.float64),
        "caption_cue": caption_cue,
    }
    return cols, concepts, keys


# ----------------------------------------------------------------------------- page features


def _context(base: np.ndarray) -> list[np.ndarray]:
    """The CONTEXT_BASE columns of the neighbours (-2..+2) and their window means."""
    n = base.shape[0]
    out = []
    pad = np.full((2, base.shape[1]), -1.0)
    padded = np.vstack([pad, base, pad])
    for off in CONTEXT_OFFSETS:
        out.append(padded[2 + off: 2 + off + n])
    csum = np.vstack([np.zeros((1, base.shape[1])), np.cumsum(base, axis=0)])
    idx = np.arange(n)
    for w in CONTEXT_WINDOWS:
        lo = np.maximum(0, idx - w)
        hi = np.minimum(n, idx + w + 1)
        out.append((csum[hi] - csum[lo]) / (hi - lo)[:, None])
    return out


def page_features(
    segments: Sequence[Segment],
    *,
    title: str | None = None,
    headline_line: int | None = None,
    language: str = "und",
    resources: "BoilerplateResources",
    anchor_lines: Sequence[int] = (),
) -> tuple[np.ndarray, list[str | None]]:
    """Feature matrix (one row per segment, columns FEATURE_NAMES) and the UI concept of each line."""
    if resources is None:
        raise ValueError("page_features needs BoilerplateResources (load them on the driver with load_resources())")
    n = len(segments)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES))), []
    lang = (language or "und").lower()
    texts = [s.text for s in segments]
    cols, concepts, _ = line_features(texts, lang, resources, title)
    base = np.column_stack([cols[name] for name in LINE_FEATURES])
    context = _context(np.column_stack([cols[name] for name in CONTEXT_BASE]))

    idx = np.arange(n)
    lines = np.fromiter((s.line for s in segments), np.int64, n)
    page: dict[str, np.ndarray] = {"pos": idx / max(1, n - 1)}
    if headline_line is not None:
        head_idx = int(np.searchsorted(lines, headline_line, side="right"))
        before = (lines < headline_line).astype(float)
        page.update(rel_head=(idx - head_idx) / max(1, n), before_head=before, no_head=np.zeros(n),
                    head_dist=np.log1p(np.abs(idx - head_idx)) * np.where(before > 0, -1.0, 1.0))
    else:
        page.update(rel_head=np.zeros(n), before_head=np.zeros(n), no_head=np.ones(n), head_dist=np.zeros(n))
    log_chars = cols["log_chars"]
    order = np.argsort(-log_chars, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    page["len_rank"] = np.log1p(rank)
    page["len_vs_max"] = log_chars - log_chars.max()
    # "Prose" lines: long, sentence-like, with stop words; their mass before/after each line.
    sd = cols["stop_density"]
    prose = (log_chars >= math.log1p(80)) & (cols["ends_sentence"] > 0) & ((sd >= 0.15) | (sd < 0))
    pchars = np.where(prose, np.expm1(log_chars), 0.0)
    total = pchars.sum()
    cum = np.cumsum(pchars)
    page["prose_before"] = (cum - pchars) / total if total > 0 else np.zeros(n)
    page["prose_after"] = (total - cum) / total if total > 0 else np.zeros(n)
    page["prose_dist"] = _distance_to(np.flatnonzero(prose), n)
    page["n_lines"] = np.full(n, math.log1p(n))
    # Anchors: lines the earlier stages recognised as headline repeats, subtitle, bylines.
    anchors = np.asarray(sorted(set(anchor_lines) | ({headline_line} if headline_line is not None else set())))
    if len(anchors):
        k = np.searchsorted(anchors, lines, side="right")
        prev_anchor = np.where(k > 0, anchors[np.maximum(k - 1, 0)], -1)
        page["anchor_dist"] = np.where(k > 0, np.log1p(lines - prev_anchor), -1.0)
        page["after_anchors"] = (lines > anchors[-1]).astype(float)
    else:
        page["anchor_dist"] = np.full(n, -1.0)
        page["after_anchors"] = np.zeros(n)
    short_line = cols["log_words"] <= math.log1p(MAX_LIST_WORDS)
    ui = cols["ui_only"] > 0
    shapes = page_shapes(texts, short_line, cols["_digits"], cols["_joined"], cols["_starts"])
    page["shape_run"], page["colon_list"] = list_structure(texts, short_line, ui, shapes)
    # The periodic run length itself is not a feature: held-out sites' menus repeat like tables, and with
    # it the leave-sites-out CV fell (0.915 -> 0.902); only a table introduced by a ':' line counts.
    _, page["colon_table"] = table_structure(shapes, texts, short_line, ui)
    page["embed_attrib"], page["embed_body"] = embed_structure(texts, (cols["_embed_attrib"], cols["_embed_link"]))
    return np.hstack([base, *context, np.column_stack([page[name] for name in PAGE_FEATURES])]), concepts


def joined_starts_hits(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per line: has an embedded-post attribution, has an embed-only link (one regex pass each over the page)."""
    n = len(texts)
    joined = "\n".join(texts)
    lengths = np.fromiter(map(len, texts), np.int64, n)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    attrib = _hits_per_line(_EMBED_ATTRIB_RE, joined, starts, n) > 0
    link = _hits_per_line(_EMBED_LINK_RE, joined, starts, n) > 0
    return attrib, link


def embed_structure(texts: Sequence[str], hits: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Embedded posts (tweets) the article quotes: the attribution line ("— Name (@handle) date"), and the
    post's text (a line with an embed-only link, or the line right before an attribution)."""
    attrib, link = hits
    body = link.copy()
    body[:-1] |= attrib[1:] & ~attrib[:-1]
    return attrib.astype(np.float64), (body & ~attrib).astype(np.float64)


def _distance_to(marked: np.ndarray, n: int) -> np.ndarray:
    """log1p of each line's distance to the nearest marked line (log1p(n) when none is marked)."""
    if not len(marked):
        return np.full(n, math.log1p(n))
    idx = np.arange(n)
    j = np.searchsorted(marked, idx)
    d_next = np.where(j < len(marked), marked[np.minimum(j, len(marked) - 1)] - idx, n)
    d_prev = np.where(j > 0, idx - marked[np.maximum(j - 1, 0)], n)
    return np.log1p(np.minimum(np.abs(d_next), np.abs(d_prev)))


def function_char_codes(chars: frozenset[str]) -> np.ndarray:
    """Code points of the CJK function characters (for np.isin over a page)."""
    return np.asarray(sorted(min(ord(c), _BMP - 1) for c in chars), dtype=np.uint32)


__all__ = ["FEATURE_NAMES", "COL", "column", "page_features", "line_features", "list_structure",
           "LINE_FEATURES", "CONTEXT_BASE", "PAGE_FEATURES", "MAX_LIST_WORDS", "CJK_LANGUAGES"]
