"""Lone photo captions in scraped text: moved from the body to ``captions`` (pure, no Beam import).

The captions stage finds captions that are repeated or carry a credit label.
A single caption that is neither stays in the body of a naive scrape, e.g.::

    In this photo, Jane Doe, left, and John Roe shake hands in Berlin, Germany, Tuesday, Nov. 19, 2019.

It is found from its form and its context, after the line classifier has
left the article's lines: a run of at most :data:`MAX_RUN` such lines between
paragraphs, each

* describing people in the present tense (a verb of ``[verbs]`` in
  ``seeds/photo_captions/cues.txt``: "speaks", "reacts", "shake hands");
* with a second cue: a picture position or phrase (``[position]``: ", left,",
  "in this photo") or a date at its end ("Tuesday, Nov. 19, 2019");
* naming someone (two capitalised words after the first word);
* not connected to its neighbours as a sentence of the story: no quotation,
  no reporting verb ("said", "told"), not introduced by a line ending in ':'.

The lines leave the body as ``removed`` kind ``caption`` (detail
``lone_caption``) and become ``Caption(text)`` entries.  Lines the classifier
already removed for a caption cue (``removed`` kind ``boilerplate``, detail
``caption``) are read in their place among the kept lines too: one that is a
lone caption there becomes a caption (its record turns into kind ``caption``,
detail ``lone_caption``); the body does not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from transforms.document import Caption, Counter, Doc, Removed, no_count
from transforms.patterns import SEEDS_DIR, phrase_alternation, require_sections

MAX_RUN = 4  # consecutive caption lines (a gallery) between two paragraphs
MIN_WORDS, MAX_WORDS = 6, 70
MIN_PARAGRAPH_WORDS = 15

_QUOTE_RE = re.compile(r"[\"“”«»„]")
_REPORTING_RE = re.compile(r"\b(?:said|says|told|tells|according to|asked|added|explained|reported|reports|wrote|"
                           r"sagte|disse|dijo|ha detto)\b", re.IGNORECASE)
_NAME_RE = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZÀ-ÖØ-Þ][\w'’-]+\s+[A-ZÀ-ÖØ-Þ][\w'’-]+")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# A full date at the end (a weekday, or a month with its day): a year alone ends many story sentences.
_DATE_END_RE = re.compile(
    rf"\b(?:{_DAYS}|{_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS})\b[\w\s.,]{{0,25}}[.)]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PhotoCaptionPatterns:
    """Compiled cues (picklable; built on the driver)."""

    verbs: re.Pattern[str]
    position: re.Pattern[str]


def load_photo_caption_patterns(seeds_dir: str | Path = SEEDS_DIR) -> PhotoCaptionPatterns:
    """Read ``seeds/photo_captions/cues.txt``; refuses a missing file or an empty section."""
    path = Path(seeds_dir) / "photo_captions" / "cues.txt"
    sections = require_sections(path, ("verbs", "position"))
    return PhotoCaptionPatterns(
        verbs=re.compile(rf"(?<!\w)(?:{phrase_alternation(sections['verbs'])})(?!\w)", re.IGNORECASE),
        position=re.compile(rf"(?<!\w)(?:{phrase_alternation(sections['position'])})(?!\w)", re.IGNORECASE),
    )


def _is_paragraph(text: str) -> bool:
    return len(text.split()) >= MIN_PARAGRAPH_WORDS and text.rstrip()[-1:] in ".!?\"”’»)"


def is_caption_like(text: str, patterns: PhotoCaptionPatterns) -> bool:
    """A picture description: present-tense verb, a second cue, a name; no quotation or reporting verb."""
    words = len(text.split())
    if not MIN_WORDS <= words <= MAX_WORDS or text.rstrip().endswith(":"):
        return False
    if _QUOTE_RE.search(text) or _REPORTING_RE.search(text) or not patterns.verbs.search(text):
        return False
    if not (patterns.position.search(text) or _DATE_END_RE.search(text)):
        return False
    return bool(_NAME_RE.search(text))


def find_lone_captions(texts: Sequence[str], patterns: PhotoCaptionPatterns) -> list[int]:
    """Indices of lone caption lines: runs of caption-like lines with a paragraph on each side."""
    n = len(texts)
    like = [is_caption_like(t, patterns) for t in texts]
    out: list[int] = []
    i = 0
    while i < n:
        if not like[i]:
            i += 1
            continue
        j = i
        while j < n and like[j]:
            j += 1
        before = i > 0 and _is_paragraph(texts[i - 1])
        after = j < n and _is_paragraph(texts[j])
        if j - i <= MAX_RUN and before and after:
            out.extend(range(i, j))
        i = j
    return out


def extract_lone_captions(doc: Doc, count: Counter = no_count, *,
                          patterns: PhotoCaptionPatterns | None = None, mode: str = "auto") -> Doc:
    """Move lone photo captions from the body to ``captions`` (``removed`` kind ``caption``).

    Runs where the line classifier runs (``mode`` as ``--boilerplate``; ``auto``: text input only).
    """
    if patterns is None:
        raise ValueError("extract_lone_captions needs PhotoCaptionPatterns (load them on the driver with "
                         "load_photo_caption_patterns())")
    if not (mode == "on" or (mode == "auto" and doc.input_format == "text")) or len(doc.segments) < 3:
        return doc
    # Lines the line classifier already took out for a caption cue ("In this photo ...") are candidates too:
    # found between kept paragraphs they become captions (data) instead of boilerplate; the body is the same.
    cue_dropped = {r.line: k for k, r in enumerate(doc.removed)
                   if r.kind == "boilerplate" and r.detail == "caption" and r.line is not None}
    merged = sorted([(s.line, 0, i) for i, s in enumerate(doc.segments)]
                    + [(line, 1, k) for line, k in cue_dropped.items()])
    texts = [doc.segments[i].text if src == 0 else doc.removed[i].text for _, src, i in merged]
    found = [merged[j] for j in find_lone_captions(texts, patterns)]
    if not found:
        return doc
    found_segments = {i for _, src, i in found if src == 0}
    found_removed = {i for _, src, i in found if src == 1}
    kept, removed, captions = [], [], list(doc.captions)
    for k, r in enumerate(doc.removed):
        if k in found_removed:
            removed.append(Removed(kind="caption", text=r.text, line=r.line, detail="lone_caption"))
            count("lone_caption")
        else:
            removed.append(r)
    for i, seg in enumerate(doc.segments):
        if i in found_segments:
            removed.append(Removed(kind="caption", text=seg.text, line=seg.line, detail="lone_caption"))
            count("lone_caption")
        else:
            kept.append(seg)
    captions.extend(Caption(text=doc.segments[i].text if src == 0 else doc.removed[i].text) for _, src, i in found)
    return doc.replace(segments=kept, removed=removed, captions=captions)
