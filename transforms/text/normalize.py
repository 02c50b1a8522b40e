"""Stage 1, pure part: Unicode and whitespace normalisation, segmentation, artifact repair.

>>> [s.text for s in segment(normalize_text("  ““The  end\\u00a0 ”\\r\\n\\r\\nNext"))]
['“The end ”', 'Next']
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from transforms.document import Counter, Doc, Segment, make_segment, no_count
from transforms.keys import line_keys

# Characters that carry no text: zero-width space, word joiner, BOM, soft hyphen,
# bidi embedding controls (the visible RTL text itself is kept).  ZWJ/ZWNJ stay:
# they change the meaning of Persian, Indic and emoji sequences.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    None,
)
# C0/C1 control characters other than tab and newline.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Both at once, as one character class: a regex scan is much faster than str.translate
# with a dict (which looks up every character in Python).
_DROP_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# After runs of spaces are one space: the space at either side of a line break.
_LINE_EDGE_SPACE_RE = re.compile(r" ?\n ?")
# Any run of horizontal white space (tabs, NBSP, thin spaces, ideographic space ...).
_SPACE_RE = re.compile(r"[^\S\n]+")
_LINE_BREAKS_RE = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# A typographic opening quote doubled by the scraper before a word: ““The -> “The.
# (The quote first, the look-behind after it: the scan then skips to the next quote character
# in C instead of trying the look-behind at every position; (?<!\S.) after the quote is
# (?<!\S) before it.)
_DOUBLED_QUOTE_RE = re.compile(r"([“‘«„‚「『])(?<!\S.)\1+(?=\w)")
# The characters _LINE_BREAKS_RE replaces.
_LINE_BREAK_CHARS = "\r\u2028\u2029\x85\x0b\x0c"
# Horizontal white space other than the space: every character ``[^\S\n]`` matches but " "
# (str.isspace(); tests/test_stages_pure.py checks the list against every code point).
_OTHER_SPACES = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                 "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def normalize_text(text: str, count: Counter = no_count) -> str:
    """NFC, one kind of line break, one space between words, no invisible or control characters.

    A regex that rewrites every space costs far more than finding out that there is
    nothing to rewrite: each step first checks for the characters it changes, and
    white space is collapsed by ``str.replace``.  Most texts are printable but for
    their line breaks: then they hold no other line break, no control or invisible
    character and no white space but the space (all are non-printable), and those
    steps are skipped.
    """
    text = unicodedata.normalize("NFC", text)
    plain = text.replace("\n", "").isprintable()
    if not plain:
        if any(char in text for char in _LINE_BREAK_CHARS):
            text = _LINE_BREAKS_RE.sub("\n", text)
        text = _DROP_RE.sub("", text)  # invisible and control characters
    text, n = _DOUBLED_QUOTE_RE.subn(r"\1", text)
    if n:
        count("repaired_doubled_quote")
    # One space for every run of horizontal white space (the same as _SPACE_RE.sub(" ", text)),
    # none at the ends of lines (the same as _LINE_EDGE_SPACE_RE.sub("\n", text) once runs are one
    # space): on the whole text at once (the runs never cross a line break).
    if not plain:
        for char in _OTHER_SPACES:
            if char in text:
                text = text.replace(char, " ")
    while "  " in text:  # each pass halves every run of spaces
        text = text.replace("  ", " ")
    text = text.replace(" \n", "\n").replace("\n ", "\n")
    return text.strip(" \n")


def segment(text: str) -> list[Segment]:
    """Split normalised text into non-empty lines, numbering blank-line separated blocks.

    Each segment carries its line's :func:`transforms.keys.text_key`, computed for all
    lines at once (:func:`transforms.keys.line_keys`).
    """
    lines = text.split("\n")
    numbers = [number for number, line in enumerate(lines) if line]
    # A new block starts at a line with a blank line before it (not at the first line).
    blocks = itertools.accumulate((b - a > 1 for a, b in zip(numbers, numbers[1:])), initial=0)  # ints
    keys = line_keys(text)
    return list(map(make_segment, map(lines.__getitem__, numbers), numbers, blocks, map(keys.__getitem__, numbers)))


def normalize_doc(doc: Doc, count: Counter = no_count) -> Doc:
    """Normalise the document text and split it into segments."""
    text = normalize_text(doc.text, count)
    return doc.replace(text=text, segments=segment(text))
