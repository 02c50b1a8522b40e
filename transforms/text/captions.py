"""Stage 3, pure part: image captions out of the body, once, as ``{text, credit}``.

A caption repeated back to back (alt text + figcaption), exactly or with the
credit on one copy only, becomes one :class:`Caption`; a single line that ends
in an explicit photo credit (``(photo credit: Flash90)``, ``Photo: AP``,
``(AP Photo/Jane Doe)``) is a caption too.

>>> p = load_caption_patterns()
>>> split_credit("Deputy Minister Eli Ben Dahan (photo credit: Flash90)", p)
Caption(text='Deputy Minister Eli Ben Dahan', credit='Flash90')
>>> split_credit("Protesters in Hong Kong. (AP Photo/Vincent Yu)", p)
Caption(text='Protesters in Hong Kong.', credit='AP Photo/Vincent Yu')
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from transforms.document import Caption, Counter, Doc, Removed, Segment, no_count
from transforms.keys import segment_keys, text_key
from transforms.patterns import SEEDS_DIR, fold, lines_with, phrase_alternation, require_list

MIN_CAPTION_WORDS = 3
MAX_CAPTION_WORDS = 80
MAX_CREDIT_CHARS = 120
MAX_CREDIT_WORDS = 10
# A white-space run before the credit is only entered at its start ``(?<!\s)``: a search
# would otherwise retry it from every position inside a long run (quadratic time).
_TRAILING_PAREN_RE = re.compile(r"(?:(?<!\s)\s+)?\(([^()]{1,%d})\)\s*$" % MAX_CREDIT_CHARS)
_TRAILING_BAR_RE = re.compile(r"(?<!\s)\s+[|/]\s+([^|/]{1,%d})$" % MAX_CREDIT_CHARS)
# split_credit finds a credit only in a line with one of these (see there).
_CREDIT_CHARS = (")", ":", "：", "|", "/")


@dataclass(frozen=True)
class CaptionPatterns:
    """Compiled credit patterns (picklable: regexes pickle by source)."""

    label_re: re.Pattern[str]  # "<label>: <credit>" at the end of a caption
    label_inner_re: re.Pattern[str]  # "<label>: <credit>" as the whole parenthetical
    source_re: re.Pattern[str]  # a picture agency or credit phrase, as a prefix
    # The last word of every label (folded): text before a "<label>:" credit ends in one of them
    # (a cheap test before label_re's search; None: no test).
    label_ends: tuple[str, ...] | None = None


def load_caption_patterns(seeds_dir: str | Path = SEEDS_DIR) -> CaptionPatterns:
    """Compile the credit labels and sources listed under ``seeds/captions``."""
    base = Path(seeds_dir) / "captions"
    label_list = require_list(base / "credit_labels.txt")
    labels = phrase_alternation(label_list)
    sources = phrase_alternation(require_list(base / "credit_sources.txt"))
    return CaptionPatterns(
        label_re=re.compile(
            rf"(?:^|(?<=[\s.;,—–-]))(?:{labels})\s*[:：]\s*(?P<credit>[^:：]{{1,{MAX_CREDIT_CHARS}}})$"
        ),
        label_inner_re=re.compile(rf"^(?:{labels})\s*(?:[:：/]|by)\s*(?P<credit>.+)$"),
        source_re=re.compile(rf"^(?:{sources})(?:$|[\s/,.;:-])"),
        label_ends=tuple(sorted({fold(label).split()[-1] for label in label_list if label.split()})),
    )


def _is_source(text: str, patterns: CaptionPatterns) -> bool:
    return bool(patterns.source_re.match(fold(text)))


def _may_end_in_label(text: str, patterns: CaptionPatterns) -> bool:
    """False when ``label_re`` cannot match: it needs the last colon of the line, right after a label
    (white space between), and 1 to MAX_CREDIT_CHARS characters after it (white space first)."""
    colon = max(text.rfind(":"), text.rfind("："))
    if colon < 0:
        return False
    if patterns.label_ends is None:
        return True
    tail = text[colon + 1:]
    if not tail or len(tail.lstrip()) > MAX_CREDIT_CHARS:
        return False  # (folding never makes a text shorter)
    # the label's last word ends the text before the colon; folded over at least twice its length
    head = text[:colon].rstrip()
    return fold(head[-2 * max(map(len, patterns.label_ends)):]).endswith(patterns.label_ends)


def _may_end_in_bar(text: str) -> bool:
    """False when _TRAILING_BAR_RE cannot match: it needs the last ``|`` or ``/`` of the line with white
    space on both sides, and 1 to MAX_CREDIT_CHARS characters after the white space that follows it."""
    bar = max(text.rfind("|"), text.rfind("/"))
    if bar < 1 or not text[bar - 1].isspace():
        return False
    tail = text[bar + 1:]
    return len(tail) >= 2 and tail[0].isspace() and len(tail.lstrip()) <= MAX_CREDIT_CHARS


def split_credit(text: str, patterns: CaptionPatterns) -> Caption:
    """Split a trailing credit off a caption; ``credit`` is None when there is none."""
    # Each pattern needs a character most lines lack (a closing parenthesis at the end, a
    # colon, a bar or slash): checking for it first skips the regex searches on most lines.
    m = _TRAILING_PAREN_RE.search(text) if text.rstrip().endswith(")") else None
    if m:
        inner = m.group(1).strip()
        label = patterns.label_inner_re.match(fold(inner))
        if label:
            return Caption(text[: m.start()].strip(), inner[label.start("credit") :].strip())
        if _is_source(inner, patterns):
            return Caption(text[: m.start()].strip(), inner)
    m = patterns.label_re.search(fold(text)) if _may_end_in_label(text, patterns) else None
    if m and m.start() > 0:
        head = text[: m.start()].rstrip(" .;,—–-")
        credit = text[m.start("credit") :].strip()
        # A credit is a name: it starts with a capital (or a non-cased script) and is short.
        if head and credit and not credit[0].islower() and len(credit.split()) <= MAX_CREDIT_WORDS:
            ends_sentence = text[: m.start()].rstrip().endswith(".")
            return Caption(head + ("." if ends_sentence else ""), credit)
    m = _TRAILING_BAR_RE.search(text) if _may_end_in_bar(text) else None
    if m and _is_source(m.group(1), patterns):
        return Caption(text[: m.start()].strip(), m.group(1).strip())
    return Caption(text, None)


def tidy_caption(caption: Caption, patterns: CaptionPatterns) -> Caption:
    """One form for captions from any source: credit split off, its label dropped ('Photo: X' -> 'X').

    A long caption that starts with a label ('Image: The new ferry on its first run ...')
    is a labelled caption, not a credit: the label goes, the text stays.
    """
    if caption.credit is None:
        cap = split_credit(caption.text, patterns)
        if cap.credit is None:
            label = patterns.label_inner_re.match(fold(cap.text))
            rest = cap.text[label.start("credit") :].strip() if label else ""
            if len(rest.split()) > MAX_CREDIT_WORDS:
                return Caption(rest, None)
        return cap
    credit = caption.credit.strip(" ()[]")
    label = patterns.label_inner_re.match(fold(credit))
    if label and label.start("credit") < len(credit):
        credit = credit[label.start("credit") :].strip()
    return Caption(caption.text, credit or None)


def _same_caption(a: str, b: str, patterns: CaptionPatterns) -> Caption | None:
    """The caption two adjacent lines share (one may carry the credit), or None."""
    if a == b:
        cap = split_credit(a, patterns)
    else:
        ca, cb = split_credit(a, patterns), split_credit(b, patterns)
        key_a, key_b = text_key(ca.text), text_key(cb.text)
        if key_a and key_a == key_b:
            cap = ca if ca.credit else cb
        elif b.startswith(a + " (") and b.endswith(")"):
            # "caption" then "caption (credit)": the parenthetical of the longer copy is the credit.
            cap = Caption(a, b[len(a) :].strip(" ()") or None)
        elif a.startswith(b + " (") and a.endswith(")"):
            cap = Caption(b, a[len(b) :].strip(" ()") or None)
        else:
            return None
    words = len(cap.text.split())
    if not text_key(cap.text) or not MIN_CAPTION_WORDS <= words <= MAX_CAPTION_WORDS:
        return None
    return cap


def _credited_caption(text: str, patterns: CaptionPatterns) -> Caption | None:
    """A single line that is a caption by its explicit credit label ("Photo: AP", "(AP Photo/X)")."""
    cap = split_credit(text, patterns)
    if cap.credit is None or len(cap.text.split()) > MAX_CAPTION_WORDS:
        return None
    explicit = patterns.label_inner_re.match(fold(text[len(cap.text) :].strip(" ().|/"))) or "/" in cap.credit
    if not explicit and not patterns.label_re.search(fold(text)):
        return None
    return cap if len(cap.text.split()) >= MIN_CAPTION_WORDS else None


def extract_captions(doc: Doc, patterns: CaptionPatterns, count: Counter = no_count) -> Doc:
    """Move captions out of the body into ``doc.captions``; repeats into ``removed``."""
    segments = doc.segments
    kept: list[Segment] = []
    captions = list(doc.captions)
    removed = list(doc.removed)
    # Two lines can only share a caption when their comparison keys start with the same word
    # (the caption's key is a prefix of both, ending at a word boundary): one key per line
    # (kept on the segment by normalize) spares the credit split of most pairs.
    keys = segment_keys(segments)
    first_words = [key.partition(" ")[0] for key in keys]
    # A single line is a caption only with a credit, which needs one of _CREDIT_CHARS: the lines
    # that have one, found in one scan of the page.
    may_have_credit = lines_with([seg.text for seg in segments], _CREDIT_CHARS)
    # A pair of lines without a credit character shares a caption only when their keys are equal
    # (split_credit leaves both whole, and "caption (credit)" needs a ")"): the pairs worth a look.
    pairs = {i for i, (a, b) in enumerate(zip(first_words, first_words[1:]))
             if a and a == b and (keys[i] == keys[i + 1] or i in may_have_credit or i + 1 in may_have_credit)}
    # Every other line stays in the body: the loop jumps from one line worth a look to the next.
    worth_a_look = sorted(pairs | may_have_credit)
    i = 0
    while i < len(segments):
        if i not in pairs and i not in may_have_credit:
            at = bisect.bisect_left(worth_a_look, i)
            stop = worth_a_look[at] if at < len(worth_a_look) else len(segments)
            kept.extend(segments[i:stop])
            i = stop
            continue
        seg = segments[i]
        cap = None
        j = i + 1
        # Adjacent among the lines still in the body: an appeal box removed between two
        # copies of a caption does not keep them apart.
        if i in pairs:
            cap = _same_caption(seg.text, segments[j].text, patterns)
        if cap is not None:
            removed.append(Removed("caption", seg.text, seg.line, "caption moved to captions"))
            # A caption may stand three times (alt, title, figcaption): take every repeat.
            while j < len(segments) and first_words[i] == first_words[j]:
                again = _same_caption(seg.text, segments[j].text, patterns)
                if again is None:
                    break
                if again.credit and not cap.credit:
                    cap = again
                removed.append(Removed("duplicate_caption", segments[j].text, segments[j].line, "repeat of a caption"))
                count("caption_repeats")
                j += 1
            captions.append(cap)
            count("captions_found")
            i = j
            continue
        single = _credited_caption(seg.text, patterns) if i in may_have_credit else None
        if single is not None:
            removed.append(Removed("caption", seg.text, seg.line, "line ends in a photo credit"))
            captions.append(single)
            count("captions_found")
        else:
            kept.append(seg)
        i += 1
    return doc.replace(segments=kept, captions=captions, removed=removed)
