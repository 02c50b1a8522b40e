"""Stage 4, pure part: remove editorial appeals as whole blocks.

Appeals are donation, membership, subscription/paywall, newsletter and
"message from the editor" boxes.  Phrases are data: the concept files
``seeds/phrases/<concept>.txt`` of :data:`transforms.patterns.APPEAL_CONCEPTS`
(the line classifier reads the same ``newsletter`` and ``subscription``
files).  A line with a *strong* phrase starts an appeal when it
is short (a heading or button) or carries a second cue; the appeal then grows
over its blank-line block, over neighbours that carry cues, over short gaps
between appeal lines, and over button lines (``read more:``) at its edges.  A
paragraph that merely mentions subscribers or members has only *weak* cues and
stays.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from transforms.document import Counter as CountFn
from transforms.document import Doc, Removed, Segment, no_count
from transforms.patterns import APPEAL_CONCEPTS, APPEAL_SECTIONS, SEEDS_DIR, fold, load_concepts, phrase_alternation

SHORT_LINE_WORDS = 30  # a line this short with one strong phrase is an appeal heading or button
MAX_GAP = 2  # non-cue lines bridged between two appeal lines
MAX_BLOCK_LINES = 8  # a larger "block" is text without blank lines, not one box
EDGE_WORDS = 6  # a button line at the edge of an appeal has at most this many words


@dataclass(frozen=True)
class AppealPatterns:
    """Compiled phrase patterns; named groups are the concepts (file stems)."""

    strong: re.Pattern[str] | None
    weak: re.Pattern[str] | None
    line: re.Pattern[str] | None


def _grouped(sections: dict[str, dict[str, list[str]]], part: str, *, whole_line: bool) -> re.Pattern[str] | None:
    groups = []
    for concept, parts in sorted(sections.items()):
        body = phrase_alternation(parts.get(part, []))
        if body:
            groups.append(f"(?P<{concept}>{body})")
    if not groups:
        return None
    body = "|".join(groups)
    if whole_line:
        return re.compile(rf"^(?:{body})[\s.!:?…»>→]*$")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def load_appeal_patterns(seeds_dir: str | Path = SEEDS_DIR) -> AppealPatterns:
    """Compile the ``[strong]``, ``[weak]`` and ``[line]`` phrases of the appeal concepts."""
    sections = {
        re.sub(r"\W", "_", concept): parts
        for concept, parts in load_concepts(APPEAL_CONCEPTS, APPEAL_SECTIONS, seeds_dir).items()
    }
    return AppealPatterns(
        strong=_grouped(sections, "strong", whole_line=False),
        weak=_grouped(sections, "weak", whole_line=False),
        line=_grouped(sections, "line", whole_line=True),
    )


@dataclass(frozen=True)
class _Cues:
    strong: tuple[str, ...]  # concepts of strong phrases found
    weak: int  # number of weak phrases found
    button: bool  # the whole line is a button/heading phrase

    @property
    def any(self) -> bool:
        return bool(self.strong or self.weak or self.button)


def _strong_cues(folded: str, patterns: AppealPatterns) -> tuple[str, ...]:
    return tuple(m.lastgroup or "" for m in patterns.strong.finditer(folded)) if patterns.strong else ()


def _cues(text: str, patterns: AppealPatterns, *, folded: str | None = None,
          strong: tuple[str, ...] | None = None) -> _Cues:
    folded = fold(text) if folded is None else folded
    strong = _strong_cues(folded, patterns) if strong is None else strong
    weak = sum(1 for _ in patterns.weak.finditer(folded)) if patterns.weak else 0
    button = bool(patterns.line and patterns.line.match(folded))
    return _Cues(strong, weak, button)


def _is_seed(seg: Segment, cues: _Cues) -> bool:
    """A short line with a strong phrase, or a long one with two (an article paragraph about
    subscriptions has weak cues in plenty, but rarely two appeal phrases)."""
    if len(seg.text.split()) <= SHORT_LINE_WORDS:
        return bool(cues.strong)
    return len(cues.strong) >= 2


def find_appeals(segments: list[Segment], patterns: AppealPatterns) -> dict[int, str]:
    """Indexes of appeal segments, each with the concept that made it one."""
    # Seeds need strong phrases only: the weak and button cues are looked for only on
    # pages that have a seed (most pages have none).
    folded = [fold(s.text) for s in segments]
    strong = [_strong_cues(f, patterns) for f in folded]
    marked: dict[int, str] = {}
    for i, seg in enumerate(segments):
        if strong[i] and _is_seed(seg, _Cues(strong[i], 0, False)):
            marked[i] = strong[i][0]
    if not marked:
        return marked
    cues = [_cues(s.text, patterns, folded=f, strong=st) for s, f, st in zip(segments, folded, strong)]
    block_sizes = Counter(seg.block for seg in segments)
    changed = True
    while changed:
        changed = False
        for i, seg in enumerate(segments):
            if i in marked:
                continue
            reason = None
            words = len(seg.text.split())
            near = [j for j in (i - 1, i + 1) if j in marked]
            if near and block_sizes[seg.block] <= MAX_BLOCK_LINES and any(segments[j].block == seg.block for j in near):
                reason = "same block as an appeal"
            elif near and (cues[i].strong or cues[i].weak >= 2 or (cues[i].weak and words <= SHORT_LINE_WORDS)):
                reason = "appeal cue next to an appeal"
            elif near and cues[i].button and words <= EDGE_WORDS:
                reason = "button next to an appeal"
            else:
                before = [j for j in range(max(0, i - MAX_GAP), i) if j in marked]
                after = [j for j in range(i + 1, min(len(segments), i + MAX_GAP + 1)) if j in marked]
                if before and after:
                    reason = "between appeal lines"
            if reason:
                marked[i] = reason
                changed = True
    return marked


def remove_appeals(doc: Doc, patterns: AppealPatterns, count: CountFn = no_count) -> Doc:
    """Move editorial-appeal segments to ``removed`` with kind ``editorial_appeal``."""
    marked = find_appeals(doc.segments, patterns)
    if not marked:
        return doc
    kept: list[Segment] = []
    removed = list(doc.removed)
    for i, seg in enumerate(doc.segments):
        if i in marked:
            removed.append(Removed("editorial_appeal", seg.text, seg.line, marked[i]))
            count("appeal_segments")
        else:
            kept.append(seg)
    return doc.replace(segments=kept, removed=removed)
