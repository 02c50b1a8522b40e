r"""Line features of the boilerplate classifier, computed per page with numpy (pure, no Beam import).

:func:`page_features` describes every line of a page by the columns of
:data:`FEATURE_NAMES` (read them by name with :data:`COL`): the line's own
shape (length, punctuation, stop-word density for the page language, UI
phrase coverage), its neighbours' (context, as in jusText's
context-sensitive pass) and its place in the page (position relative to the
headline, to the prose mass and to the lines earlier stages removed).

The page is handled as one string: the text is encoded once as code points,
character classes come from per-code-point lookup tables, every regex
concept is one compiled pattern run once over the whole page, and the page is
folded once.  Its tokens (re's ``\w+`` runs) come from a code-point table of
``\w`` and one ``str.split`` (:func:`_tokenise`); one dict lookup per token
(:func:`_lexicon`) tells stop word, date word, month name and phrase id; UI and
cue phrases are found among the tokens with numpy (:class:`PhraseTable`,
:func:`phrase_matches`); list runs, table runs and field separators are numpy
masks.  ``tests/test_boilerplate.py`` checks each fast path against a per-line
reading of the same rule.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from itertools import chain, repeat
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
_ONE_WORD_CHAR = re.compile(r"\w")
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
MIN_INTRODUCED_ITEMS = 3  # lines of a list introduced by a ':' line, kept whatever their shapes
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
        # re's \w, taken from re itself: the tokens of the page are its runs (see _tokenise).
        "word": np.fromiter((_ONE_WORD_CHAR.match(c) is not None for c in chars), bool, _BMP),
    }
    cjk = np.zeros(_BMP, bool)
    for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF)):
        cjk[lo:hi + 1] = True
    tables["cjk"] = cjk
    for name, chars_ in (("quote", _QUOTES), ("bullet", _BULLETS), ("end", _END_PUNCT),
                         ("separator", _SEPARATOR_CHARS), ("glue_stop", ".?!:"), ("field_dash", "-–—|")):
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


class PhraseTable:
    """Word-tuple phrases found among a page's tokens with numpy.

    Every token gets the id of its word in the phrases' vocabulary (0 for other words); the k-grams that
    start at a phrase's first word and stay inside one line get a uint64 key (ids in base vocabulary+1),
    extended one token at a time, and are looked up among the phrases' keys by binary search.  While
    (vocabulary+1) ** longest phrase fits in 64 bits the keys are exact; otherwise a key match is
    confirmed on the word tuple itself.  ``concepts`` are sorted, so a concept id orders like its name."""

    def __init__(self, phrases: dict[tuple[str, ...], str], vocab: dict[str, int]) -> None:
        self.phrases = phrases
        self.concepts = sorted(set(phrases.values()))
        concept_id = {c: i for i, c in enumerate(self.concepts)}
        base = len(vocab) + 1
        self.base = np.uint64(base)
        self.first = np.zeros(base, bool)
        self.exact = base ** max(map(len, phrases), default=1) < 2 ** 64
        by_len: dict[int, dict[int, int]] = {}
        for key, concept in phrases.items():
            self.first[vocab[key[0]]] = True
            code = 0
            for w in key:
                code = (code * base + vocab[w]) % 2 ** 64
            by_len.setdefault(len(key), {})[code] = concept_id[concept]
        self.keys = {k: np.array(sorted(v), dtype=np.uint64) for k, v in sorted(by_len.items())}
        self.key_concept = {k: np.array([v[c] for c in sorted(v)], dtype=np.intp) for k, v in sorted(by_len.items())}
        # Exact keys of different lengths never meet (a k-gram's key lies in [base**(k-1), base**k): every
        # phrase starts with an id >= 1), so one sorted array serves every length.
        merged = sorted((code, k, c) for k, v in by_len.items() for code, c in v.items())
        self.all_keys = np.array([m[0] for m in merged], dtype=np.uint64)
        self.all_len = np.array([m[1] for m in merged], dtype=np.intp)
        self.all_concept = np.array([m[2] for m in merged], dtype=np.intp)
        self.longest = max(by_len, default=0)

    def matches(self, flat: list[str], ids: np.ndarray,
                line_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token position, length and concept id of every phrase occurrence, sorted by position then length."""
        cand = np.flatnonzero(self.first[ids])
        found_p, found_k, found_c = [], [], []
        total = len(ids)
        key = ids[cand].astype(np.uint64)
        length = 1
        with np.errstate(over="ignore"):
            for k, keys in self.keys.items():
                while length < k and len(cand):  # extend the k-grams by one token inside the line
                    nxt = cand + length
                    inside = nxt < total
                    inside[inside] = line_ids[nxt[inside]] == line_ids[cand[inside]]
                    cand, key, nxt = cand[inside], key[inside], nxt[inside]
                    key = key * self.base + ids[nxt].astype(np.uint64)
                    length += 1
                if not len(cand):
                    break
                at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
                hit = keys[at] == key
                p, c = cand[hit], self.key_concept[k][at[hit]]
                if not self.exact and len(p):
                    sure = np.fromiter((self.phrases.get(tuple(flat[i:i + k])) is not None for i in p.tolist()),
                                       bool, len(p))
                    p, c = p[sure], c[sure]
                found_p.append(p)
                found_k.append(np.full(len(p), k, dtype=np.intp))
                found_c.append(c)
        if not found_p:
            return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, np.intp)
        p, k, c = np.concatenate(found_p), np.concatenate(found_k), np.concatenate(found_c)
        order = np.lexsort((k, p))
        return p[order], k[order], c[order]


def phrase_matches(tables: Sequence[PhraseTable], flat: list[str], ids: np.ndarray, line_ids: np.ndarray,
                   nw: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:meth:`PhraseTable.matches` of several tables over the same tokens (one shared vocabulary) in one
    pass: the keys of every k-gram (k up to the longest phrase) that starts at a phrase's first word and
    ends inside its line are built once, column by column, and each table looks all of them up at once."""
    if not all(t.exact for t in tables) or len({int(t.base) for t in tables}) > 1:
        return [t.matches(flat, ids, line_ids) for t in tables]
    empty = (np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, np.intp))
    first_any = np.logical_or.reduce([t.first for t in tables])
    cand = np.flatnonzero(first_any[ids])
    longest = max(t.longest for t in tables)
    if not len(cand) or longest == 0:
        return [empty for _ in tables]
    total = len(ids)
    room = (np.cumsum(nw)[line_ids[cand]] - cand)  # tokens from the candidate to the end of its line
    keys = np.empty((longest, len(cand)), np.uint64)
    keys[0] = ids[cand]
    base = tables[0].base
    for j in range(1, longest):
        keys[j] = keys[j - 1] * base + ids[np.minimum(cand + j, total - 1)].astype(np.uint64)
    length = np.arange(1, longest + 1)[:, None]
    inside = length <= room[None, :]
    out = []
    for t in tables:
        use = inside & t.first[ids[cand]][None, :] & (length <= t.longest)
        k_all = np.broadcast_to(length, use.shape)[use]
        p_all = np.broadcast_to(cand, use.shape)[use]
        key = keys[use]
        if not len(key) or not len(t.all_keys):
            out.append(empty)
            continue
        at = np.minimum(np.searchsorted(t.all_keys, key), len(t.all_keys) - 1)
        hit = t.all_keys[at] == key
        p, k, c = p_all[hit], k_all[hit], t.all_concept[at[hit]]
        order = np.lexsort((k, p))
        out.append((p[order], k[order], c[order]))
    return out


def phrase_tables(line_phrases: dict[tuple[str, ...], str],
                  cue_phrases: dict[tuple[str, ...], str]) -> tuple[dict[str, int], PhraseTable, PhraseTable]:
    """The phrases' word vocabulary (ids from 1) and one :class:`PhraseTable` per phrase kind."""
    vocab: dict[str, int] = {}
    for key in chain(line_phrases, cue_phrases):
        for w in key:
            vocab.setdefault(w, len(vocab) + 1)
    return vocab, PhraseTable(line_phrases, vocab), PhraseTable(cue_phrases, vocab)


# ----------------------------------------------------------------------------- list / table shape


_TOKEN_CLASSES: dict[str, str] = {}


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
                starts: np.ndarray, sep_kind: np.ndarray | None = None) -> list[tuple | None]:
    """:func:`_shape` of every short line (None for the others), with the digit flag from the per-line digit
    counts and the separator kind from :func:`_separator_kinds` (or one regex pass over the page)."""
    if sep_kind is not None:
        kinds = [_SEP_KINDS[k] for k in sep_kind.tolist()]
    else:
        kinds = [""] * len(texts)
        for m in _SHAPE_SEP_PAGE_RE.finditer(joined):
            i = int(np.searchsorted(starts, m.start(), side="right") - 1)
            if not kinds[i]:
                g = m.group()
                kinds[i] = ":" if ":" in g else "|" if "|" in g else "-"
    classes = _TOKEN_CLASSES
    if len(classes) > 50_000:  # a memo, not a vocabulary: bounded
        classes.clear()

    def token_class(token: str) -> str:
        c = classes.get(token)
        if c is None:
            c = classes[token] = _token_class(token)
        return c

    return [(tuple(map(token_class, t.split(None, 2)[:2])), d, k) if s else None
            for t, s, d, k in zip(texts, short.tolist(), (np.asarray(digits) > 0).tolist(), kinds)]


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
    periods = np.arange(2, min(MAX_TABLE_PERIOD, n // 2) + 1)
    if not len(periods):
        return np.log1p(best), introduced
    # Row j: line i repeats the shape of line i - periods[j]; runs of repeats found for all periods at once.
    same = np.zeros((len(periods), n + 2), np.int8)  # one False column on either side
    for j, k in enumerate(periods.tolist()):
        same[j, k + 1:n + 1] = (code[k:] == code[:-k]) & ok[k:] & ok[:-k]
    row, edge = np.nonzero(np.diff(same, axis=1))
    run_k, run_a, run_b = periods[row[0::2]], edge[0::2], edge[1::2]
    long_enough = run_b - run_a + run_k >= np.maximum(2 * run_k, MIN_TABLE_LINES)
    for k, a, b in zip(run_k[long_enough].tolist(), run_a[long_enough].tolist(), run_b[long_enough].tolist()):
        lo, length = a - k, b - a + k  # lines lo .. b-1 repeat with period k
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
    if n == 0:
        return np.zeros(0), np.zeros(0)
    if shapes is None:  # only short lines can join a run: the others need no shape
        shapes = [_shape(t) if s else None for t, s in zip(texts, short)]
    ids: dict = {}
    code = np.fromiter((ids.setdefault(sh, len(ids)) for sh in shapes), np.int64, n)
    short = np.asarray(short, bool)
    ui = np.asarray(ui_only) > 0
    colon_end = np.fromiter((t.rstrip().endswith(":") for t in texts), bool, n)
    # Line j goes on the run of line j-1: both short, same shape, j not a UI phrase, and j-1 not ending in
    # ':' (a line ending in ':' introduces what follows: it ends a run instead of joining the list).
    goes_on = np.zeros(n, bool)
    goes_on[1:] = short[1:] & short[:-1] & (code[1:] == code[:-1]) & ~ui[1:] & ~colon_end[:-1]
    run_id = np.cumsum(~goes_on) - 1
    first = np.flatnonzero(~goes_on)
    length = np.bincount(run_id)
    run = length[run_id].astype(np.float64)
    introduced = (length >= 3) & (first > 0) & colon_end[np.maximum(first - 1, 0)] & ~ui[first]
    colon = introduced[run_id].astype(np.float64)
    return np.log1p(run), colon


def introduced_items(texts: Sequence[str], short: np.ndarray, ui_only: np.ndarray,
                     min_items: int = MIN_INTRODUCED_ITEMS) -> np.ndarray:
    """1 for the lines of a list a line ending in ':' introduces, whatever their shapes: the run of at least
    ``min_items`` short lines (<= MAX_LIST_WORDS words) right after it, up to a UI phrase, a long line or
    the next line ending in ':' (list items with their own dashes, brackets or numbers: "любая рыба (и
    морская и речная)", "Tue – Sat 4PM", "VIP : 60,000₩")."""
    n = len(texts)
    out = np.zeros(n)
    if n < 2:
        return out
    colon_end = np.fromiter((t.rstrip().endswith(":") for t in texts), bool, n)
    ui = np.asarray(ui_only) > 0
    item = np.asarray(short, bool) & ~ui
    stop = ~item
    stop[1:] |= colon_end[:-1]  # the line after a ':' line starts a new list
    stops = np.flatnonzero(stop)
    for i in np.flatnonzero(colon_end[:-1] & ~ui[:-1] & item[1:]).tolist():
        k = np.searchsorted(stops, i + 2)  # the first stop after the first item
        end = int(stops[k]) if k < len(stops) else n
        if end - (i + 1) >= min_items:
            out[i + 1:end] = 1.0
    return out


# ----------------------------------------------------------------------------- line features


def _tokenise(folded: str, word_table: np.ndarray) -> str:
    """The folded page with every run of non-word characters (re's \\W, line breaks excepted) turned into
    spaces: ``line.split()`` of its lines are ``re.findall(r"\\w+", line)``, at C speed."""
    cp = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word = word_table[np.minimum(cp, _BMP - 1)]
    beyond = np.flatnonzero(cp >= _BMP - 1)  # outside the table: ask re itself
    if len(beyond):
        word[beyond] = [_ONE_WORD_CHAR.match(chr(c)) is not None for c in cp[beyond].tolist()]
    token = np.where(word, cp, np.uint32(32))
    token[cp == 10] = 10
    return token.tobytes().decode("utf-32-le", "surrogatepass")


_STOP, _DATE_WORD, _MONTH, _ID_SHIFT = 1, 2, 4, 3


def _lexicon(res: "BoilerplateResources", lang: str, stop: frozenset[str] | None) -> dict[str, int]:
    """Word -> bit code for the page language: _STOP (in the stop list), _DATE_WORD, _MONTH, and the
    word's id in the phrase vocabulary shifted by _ID_SHIFT.  Built once per language and kept in the
    resources (a cache: the same for every page of that language)."""
    lexicon = res.lexicons.get(lang)
    if lexicon is None:
        lexicon = {}
        for w, i in res.phrase_vocab.items():
            lexicon[w] = i << _ID_SHIFT
        for words, bit in ((stop or (), _STOP), (_DATE_WORDS, _DATE_WORD), (_MONTH_WORDS, _MONTH)):
            for w in words:
                lexicon[w] = lexicon.get(w, 0) | bit
        res.lexicons[lang] = lexicon
    return lexicon


def _phrase_lines(flat: list[str], ids: np.ndarray, line_ids: np.ndarray, nw: np.ndarray, lengths: np.ndarray,
                  res: "BoilerplateResources", ui_cover: np.ndarray, ui_only: np.ndarray,
                  concepts: list[str | None]) -> dict[int, str]:
    """Whole-line UI phrases (fills ui_cover, ui_only and the concept of UI-only lines in place) and the
    concept of each line's first cue phrase (returned by line); ids: each token's phrase-vocabulary id."""
    cue_lines: dict[int, str] = {}
    if not res.phrase_vocab:
        return cue_lines
    n = len(nw)
    # Whole-line phrases: a greedy left-to-right cover of each line's words, longest phrase first.
    table = res.line_table
    (p, k, c), cues = phrase_matches((table, res.cue_table), flat, ids, line_ids, nw)
    if len(p):
        first = np.ones(len(p), bool)
        first[:-1] = p[1:] != p[:-1]  # sorted by position, then length: the last one is the longest
        p, k, c = p[first], k[first], c[first]
        if (p[1:] < (p + k)[:-1]).any():  # overlapping phrases: resolve left to right
            take = np.zeros(len(p), bool)
            after = 0
            for j, (pj, kj) in enumerate(zip(p.tolist(), k.tolist())):
                if pj >= after:
                    take[j], after = True, pj + kj
            p, k, c = p[take], k[take], c[take]
        line = line_ids[p]
        short_enough = lengths[line] <= 200
        line, k, c = line[short_enough], k[short_enough], c[short_enough]
    if len(p) and len(line):
        n_concepts = len(table.concepts)
        per_concept = np.bincount(line * n_concepts + c, weights=k,
                                  minlength=n * n_concepts).reshape(n, n_concepts)
        covered = per_concept.sum(axis=1)
        has = covered > 0
        ui_cover[has] = covered[has] / nw[has]
        digit_words = np.bincount(line_ids, weights=np.fromiter(map(str.isdigit, flat), bool, len(flat)),
                                  minlength=n)
        whole = has & (covered + digit_words >= nw)
        ui_only[whole] = 1.0
        best = per_concept.argmax(axis=1)  # the first (by name) of the concepts covering most words
        for i in np.flatnonzero(whole).tolist():
            concepts[i] = table.concepts[best[i]]
    # Cues: the first cue of each line (leftmost, then shortest).
    p, _k, c = cues
    if len(p):
        line = line_ids[p]
        first = np.ones(len(p), bool)
        first[1:] = line[1:] != line[:-1]
        for i, ci in zip(line[first].tolist(), c[first].tolist()):
            cue_lines[i] = res.cue_table.concepts[ci]
    return cue_lines


_SEP_KINDS = ("", ":", "|", "-")


def _separator_kinds(cps: np.ndarray, hspace: np.ndarray, line_of: np.ndarray, n: int) -> np.ndarray:
    """Per line, the kind (index into _SEP_KINDS) of its first field separator: a dash or bar between
    spaces (" - ", " -- ", " | ") or a colon before a space (": "); 0 when there is none.  The same as the
    first match of _SHAPE_SEP_PAGE_RE in the line, found with masks over the page's code points."""
    m = len(cps)
    kind = np.zeros(n, np.int8)
    if m < 2:
        return kind
    start = np.zeros(m, np.int8)  # kind of a separator match starting at each position
    colon = np.zeros(m, bool)
    colon[:-1] = (cps[:-1] == 58) & hspace[1:]
    start[colon] = 1
    if m >= 3:
        one = np.zeros(m, bool)  # " x " with x one of - – — |
        one[:-2] = hspace[:-2] & _char_tables()["field_dash"][cps[1:-1]] & hspace[2:]
        start[one] = np.where(cps[1:-1][one[:-2]] == 124, 2, 3)
    if m >= 4:
        two = np.zeros(m, bool)  # " -- "
        two[:-3] = hspace[:-3] & (cps[1:-2] == 45) & (cps[2:-1] == 45) & hspace[3:]
        start[two] = 3
    at = np.flatnonzero(start)
    if len(at):
        line = line_of[at]
        first = np.ones(len(at), bool)
        first[1:] = line[1:] != line[:-1]
        kind[line[first]] = start[at[first]]
    return kind


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

    folded = fold(joined)
    token_text = _tokenise(folded, tab["word"])
    token_lines = token_text.split("\n")
    words = [line.split() for line in token_lines]
    nw = np.fromiter(map(len, words), np.int64, n)
    nwf = nw.astype(np.float64)
    line_ids = np.repeat(np.arange(n), nw)
    flat = list(chain.from_iterable(words))

    # One dict lookup per token: stop word, date word, month name, phrase-vocabulary id (see _lexicon).
    stop = res.stoplists.get(lang) or res.stoplists.get(lang.split("-")[0])
    code = np.fromiter(map(_lexicon(res, lang, stop).get, flat, repeat(0)), np.int64, len(flat))

    # Stop-word density (jusText lists), or function-character density for CJK text.
    cjk_count = per_line(tab["cjk"][cps])
    cjk = np.where(nch > 0, cjk_count / safe_ch, 0.0)
    stop_count = np.zeros(n)
    stop_density = np.full(n, -1.0)
    if stop is not None:
        stop_count = np.bincount(line_ids, weights=code & _STOP, minlength=n).astype(np.float64)
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
    sep_kind = _separator_kinds(cps, hspace, line_of, n)
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
    date_word = np.bincount(line_ids, weights=(code & _DATE_WORD) > 0, minlength=n) > 0
    month = np.bincount(line_ids, weights=(code & _MONTH) > 0, minlength=n) > 0
    date = date_re | date_word | ((digits > 0) & month)
    count_like = np.zeros(n)
    # Both alternatives need a digit (re's \d: the "digit" table, or a code point beyond it).
    for i in np.flatnonzero((nw <= 4) & ((digits > 0) | (per_line(cps == _BMP - 1) > 0))).tolist():
        if _COUNT_RE.search(texts[i]):
            count_like[i] = 1.0

    # UI phrases (whole-line) and cues (anywhere in a short line): one trie pattern each over the page's tokens.
    ui_cover = np.zeros(n)
    ui_only = np.zeros(n)
    cue = np.zeros(n)
    caption_cue = np.zeros(n)
    concepts: list[str | None] = [None] * n
    fstarts = np.concatenate([[0], np.cumsum(np.fromiter(map(len, token_lines), np.int64, n) + 1)[:-1]])
    symbol_lines: dict[int, str] = {}
    for sym, concept in res.cue_symbols:
        at_ = folded.find(sym)
        while at_ >= 0:
            symbol_lines.setdefault(int(np.searchsorted(fstarts, at_, side="right") - 1), concept)
            at_ = folded.find(sym, at_ + 1)
    cue_lines = _phrase_lines(flat, code >> _ID_SHIFT, line_ids, nw, lengths, res, ui_cover, ui_only, concepts)
    for i in set(symbol_lines).union(cue_lines):
        if lengths[i] <= 400:
            cue_concept = symbol_lines.get(i) or cue_lines.get(i)
            if cue_concept == CAPTION_CONCEPT:
                caption_cue[i] = 1.0
            else:
                cue[i] = 1.0
            if concepts[i] is None:
                concepts[i] = cue_concept

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
        "_digits": digits, "_joined": joined, "_starts": starts, "_sep_kind": sep_kind,
        "_embed_attrib": (_hits_per_line(_EMBED_ATTRIB_RE, joined, starts, n) > 0
                          if "(@" in joined or " shared by" in folded or " geteilt von" in folded
                          or " compart" in folded else np.zeros(n, bool)),
        "_embed_link": (_hits_per_line(_EMBED_LINK_RE, joined, starts, n) > 0
                        if any(k in folded for k in _EMBED_LINK_KEYS) else np.zeros(n, bool)),
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
    shapes = page_shapes(texts, short_line, cols["_digits"], cols["_joined"], cols["_starts"], cols["_sep_kind"])
    page["shape_run"], page["colon_list"] = list_structure(texts, short_line, ui, shapes)
    np.maximum(page["colon_list"], introduced_items(texts, short_line, ui), out=page["colon_list"])
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
