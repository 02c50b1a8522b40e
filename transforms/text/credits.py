"""Stage 5, pure part: credit lines and bylines become fields.

>>> p = load_credit_patterns()
>>> contributors_of("JTA, AP and David Shamah contributed to this report.", p)
['JTA', 'AP', 'David Shamah']
>>> authors_of("By Jane Doe and John Smith | March 3, 2019", p)
['Jane Doe', 'John Smith']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from transforms.document import Counter, Doc, Removed, Segment, no_count
from transforms.keys import text_key
from transforms.patterns import SEEDS_DIR, lines_with_literals, require_list, required_literal

MAX_BYLINE_WORDS = 16
MAX_NAME_WORDS = 6
# Leading white space is only entered at the start of its run ``(?<!\s)`` and the tail is
# matched across lines: both keep these linear on any string (no retry inside long runs).
_NAME_SPLIT_RE = re.compile(r"(?:(?<!\s)\s+)?(?:,|;|&|\band\b|\bund\b|\be\b|\by\b|\bet\b)\s*")
# Where the names of a byline end: a separator, a date, "on"/"updated"/"published".
_BYLINE_TAIL_RE = re.compile(
    r"(?:(?<!\s)\s+)?(?:[|•·–—]|\s-\s|\bon\b|\bupdated\b|\bpublished\b|\bposted\b|\d)(?s:.*)\Z", re.IGNORECASE
)
_NAME_WORD_RE = re.compile(r"^(?:[^\W\d_][\w.'’-]*|[A-Z]\.)$")
_PARTICLES = {
    "de", "da", "do", "dos", "das", "van", "von", "der", "den", "bin", "al", "el", "la", "le", "di", "du", "y",
}


@dataclass(frozen=True)
class CreditPatterns:
    contributor_res: tuple[re.Pattern[str], ...]
    byline_re: re.Pattern[str]
    # Pre-filters (None: every line is tried): a byline starts with one of its prefixes; a contributor
    # line holds the required literal of one of the patterns (patterns.required_literal), found in one
    # case-insensitive scan of the page.
    byline_prefixes: tuple[str, ...] | None = None
    contributor_literals: tuple[str, ...] | None = None


def _contributor_literals(patterns: tuple[re.Pattern[str], ...]) -> tuple[str, ...] | None:
    """The literals one of which every contributor line holds (None: one pattern has none usable)."""
    literals = {required_literal(rx) for rx in patterns}
    if not literals or None in literals or any(not lit.isascii() for lit in literals):
        return None
    if any(not rx.flags & re.IGNORECASE for rx in patterns):
        return None  # (the patterns are compiled case-insensitive below)
    # a literal that holds another is found wherever that one is: keep the shorter
    return tuple(sorted(lit for lit in literals if not any(o != lit and o.lower() in lit.lower() for o in literals)))


def load_credit_patterns(seeds_dir: str | Path = SEEDS_DIR) -> CreditPatterns:
    """Compile ``seeds/credits``: contributor-line regexes and byline prefixes."""
    base = Path(seeds_dir) / "credits"
    contributor_res = tuple(re.compile(rx, re.IGNORECASE) for rx in require_list(base / "contributor_patterns.txt"))
    prefixes = sorted(require_list(base / "byline_prefixes.txt"), key=len, reverse=True)
    byline_re = re.compile(r"^(?:%s)\s+(?P<names>\S.{0,200})$" % "|".join(map(re.escape, prefixes)))
    return CreditPatterns(contributor_res, byline_re, tuple(prefixes), _contributor_literals(contributor_res))


def _looks_like_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS:
        return False
    capitals = 0
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if not _NAME_WORD_RE.match(word) or word[0].islower():
            return False
        capitals += 1
    return capitals > 0


def split_names(text: str) -> list[str]:
    """'JTA, AP and David Shamah' -> ['JTA', 'AP', 'David Shamah']."""
    names = [n.strip(" .\"'“”") for n in _NAME_SPLIT_RE.split(text)]
    return [n for n in names if n]


def contributors_of(text: str, patterns: CreditPatterns) -> list[str] | None:
    """Names in a 'X contributed to this report' line, or None when the line is not one."""
    if len(text) > 300:
        return None
    for rx in patterns.contributor_res:
        m = rx.match(text)
        if m:
            names = split_names(m.group("names"))
            if names and all(len(n.split()) <= MAX_NAME_WORDS for n in names):
                return names
    return None


def authors_of(text: str, patterns: CreditPatterns) -> list[str] | None:
    """Author names of a byline ('By Jane Doe | date'), or None when the line is not one."""
    if len(text.split()) > MAX_BYLINE_WORDS:
        return None
    m = patterns.byline_re.match(text)
    if not m:
        return None
    names_text = _BYLINE_TAIL_RE.sub("", m.group("names")).strip(" ,.:")
    names = split_names(names_text)
    if names and all(_looks_like_name(n) for n in names):
        return names
    return None


def _add_unique(target: list[str], names: list[str]) -> None:
    """Append the names not there yet, compared by the one text key ("JANE DOE" is "Jane Doe")."""
    seen = {text_key(name) for name in target}
    for name in names:
        key = text_key(name)
        if key not in seen:
            seen.add(key)
            target.append(name)


def extract_credits(doc: Doc, patterns: CreditPatterns, count: Counter = no_count) -> Doc:
    """Move contributor lines to ``contributors`` and bylines to ``authors``."""
    kept: list[Segment] = []
    removed = list(doc.removed)
    authors = list(doc.authors)
    contributors = list(doc.contributors)
    segments = doc.segments
    texts = [seg.text for seg in segments]
    may_contribute = (None if patterns.contributor_literals is None else
                      lines_with_literals(texts, patterns.contributor_literals, ignore_case=True))
    prefixes = patterns.byline_prefixes
    may_be_byline = None if prefixes is None else {i for i, text in enumerate(texts) if text.startswith(prefixes)}
    if may_contribute is None or may_be_byline is None:
        worth_a_look: Iterable[int] = range(len(segments))
    else:
        worth_a_look = sorted(may_contribute | may_be_byline)
    start = 0  # every other line stays: taken in runs
    for i in worth_a_look:
        kept.extend(segments[start:i])
        start = i + 1
        seg = segments[i]
        names = contributors_of(seg.text, patterns) if may_contribute is None or i in may_contribute else None
        if names is not None:
            _add_unique(contributors, names)
            removed.append(Removed("credit_line", seg.text, seg.line, "contributors"))
            count("credit_lines_found")
            continue
        names = authors_of(seg.text, patterns) if may_be_byline is None or i in may_be_byline else None
        if names is not None:
            _add_unique(authors, names)
            removed.append(Removed("byline", seg.text, seg.line, "authors"))
            count("bylines_found")
            continue
        kept.append(seg)
    kept.extend(segments[start:])
    return doc.replace(segments=kept, removed=removed, authors=authors, contributors=contributors)
