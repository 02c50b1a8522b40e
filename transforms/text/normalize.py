"""Stage 1, pure part: Unicode and whitespace normalisation, segmentation, artifact repair.

>>> [s.text for s in segment(normalize_text("  ““The  end\\u00a0 ”\\r\\n\\r\\nNext"))]
['“The end ”', 'Next']
"""

from __future__ import annotations

import re
import unicodedata

from transforms.document import Counter, Doc, Segment, no_count

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
_DOUBLED_QUOTE_RE = re.compile(r"(?<!\S)([“‘«„‚「『])\1+(?=\w)")


def normalize_text(text: str, count: Counter = no_count) -> str:
    """NFC, one kind of line break, one space between words, no invisible or control characters."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS_RE.sub("\n", text)
    text = _DROP_RE.sub("", text)  # invisible and control characters
    text, n = _DOUBLED_QUOTE_RE.subn(r"\1", text)
    if n:
        count("repaired_doubled_quote")
    # One space for every run of horizontal white space, none at the ends of lines: on the
    # whole text at once (the same as line by line: the runs never cross a line break).
    text = _LINE_EDGE_SPACE_RE.sub("\n", _SPACE_RE.sub(" ", text))
    return text.strip(" \n")


def segment(text: str) -> list[Segment]:
    """Split normalised text into non-empty lines, numbering blank-line separated blocks."""
    out: list[Segment] = []
    block = 0
    previous_blank = False
    for number, line in enumerate(text.split("\n")):
        if not line:
            previous_blank = True
            continue
        if previous_blank and out:
            block += 1
        previous_blank = False
        out.append(Segment(text=line, line=number, block=block))
    return out


def normalize_doc(doc: Doc, count: Counter = no_count) -> Doc:
    """Normalise the document text and split it into segments."""
    text = normalize_text(doc.text, count)
    return doc.replace(text=text, segments=segment(text))
