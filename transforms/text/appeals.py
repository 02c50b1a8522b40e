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

import heapq
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from transforms.document import Counter as CountFn
from transforms.document import Doc, Removed, Segment, no_count
from transforms.keys import _NON_WORD_RE, segment_keys
from transforms.patterns import (
    APPEAL_CONCEPTS,
    APPEAL_SECTIONS,
    SEEDS_DIR,
    fold,
    load_concepts,
    phrase_alternation,
    phrase_trie,
)

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
    # The strong phrases of every concept as one prefix tree (patterns.phrase_trie): finds the lines
    # with a strong phrase in one scan of the whole page; ``strong`` then names their concepts.
    strong_any: re.Pattern[str] | None = None
    # The same on the lines' text keys: the words of every strong phrase (as a text key writes them) as a
    # prefix tree that starts after a space or line break (the regex engine skips to those).  None when a
    # phrase has no word character.
    strong_words: re.Pattern[str] | None = None


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
    strong_phrases = [p for parts in sections.values() for p in parts.get("strong", [])]
    trie = phrase_trie(strong_phrases)
    words = [" ".join(_NON_WORD_RE.sub(" ", fold(p)).split()) for p in strong_phrases if p.strip()]
    # (phrase_trie folds its phrases: these are folded already, and must stay as they are)
    word_trie = phrase_trie(words) if words and all(words) and all(fold(w) == w for w in words) else ""
    return AppealPatterns(
        strong=_grouped(sections, "strong", whole_line=False),
        weak=_grouped(sections, "weak", whole_line=False),
        line=_grouped(sections, "line", whole_line=True),
        strong_any=re.compile(rf"(?<!\w)(?:{trie})(?!\w)") if trie else None,
        strong_words=re.compile(rf"[ \n](?:{word_trie})(?=[ \n])") if word_trie else None,
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


_SEPARATOR = "\x00"  # joins the lines of a page for one scan: neither white space nor a word character


def _strong_by_line(texts: list[str], patterns: AppealPatterns,
                    keys: list[str] | None = None) -> list[tuple[str, ...]]:
    """``[_strong_cues(fold(t), patterns) for t in texts]``, with one scan of the whole page.

    A prefix tree of the strong phrases finds the lines where a phrase may start; only
    those lines are scanned again for the concepts of their phrases.  With the lines'
    text ``keys`` the scan runs on the keys (shorter and plainer than the text): a
    phrase found in a folded line (case-folded, word-bounded) has its words, one space
    apart, in the line's key, which is the case-folded line with every non-word run
    one space, for a line NFKC leaves as it is; a line NFKC changes is looked at
    anyway.  Without keys it runs on the folded page (the separator between lines is
    neither a word character nor white space: a phrase can neither cross it nor see a
    word beyond it).
    """
    if patterns.strong is None:
        return [()] * len(texts)
    joined = _SEPARATOR.join(texts)
    if patterns.strong_any is None or joined.count(_SEPARATOR) != len(texts) - 1:
        return [_strong_cues(fold(t), patterns) for t in texts]
    found: set[int] = set()
    if keys is not None and patterns.strong_words is not None and len(keys) == len(texts):
        if not unicodedata.is_normalized("NFKC", joined):
            found.update(i for i, text in enumerate(texts) if not unicodedata.is_normalized("NFKC", text))
        page = "\n" + "\n".join(keys) + "\n"
        for match in patterns.strong_words.finditer(page):  # (hits are rare: no index of line starts needed)
            found.add(page.count("\n", 0, match.start() + 1) - 1)
    else:
        folded = fold(joined)  # casefold and the apostrophes change characters one by one: lines stay apart
        for match in patterns.strong_any.finditer(folded):
            found.add(folded.count(_SEPARATOR, 0, match.start()))
    strong: list[tuple[str, ...]] = [()] * len(texts)
    for i in found:
        strong[i] = _strong_cues(fold(texts[i]), patterns)
    return strong


def find_appeals(segments: list[Segment], patterns: AppealPatterns) -> dict[int, str]:
    """Indexes of appeal segments, each with the concept that made it one."""
    # Seeds need strong phrases only: the weak and button cues are looked for only on
    # pages that have a seed (most pages have none).
    strong = _strong_by_line([s.text for s in segments], patterns, segment_keys(segments))
    marked: dict[int, str] = {}
    for i, seg in enumerate(segments):
        if strong[i] and _is_seed(seg, _Cues(strong[i], 0, False)):
            marked[i] = strong[i][0]
    if not marked:
        return marked
    cache: dict[int, _Cues] = {}

    def cues(i: int) -> _Cues:  # the weak and button cues of a line, looked for once it neighbours an appeal
        if i not in cache:
            cache[i] = _cues(segments[i].text, patterns, folded=fold(segments[i].text), strong=strong[i])
        return cache[i]

    block_sizes = Counter(seg.block for seg in segments)
    reach = max(1, MAX_GAP)  # a line further than this from every appeal line has no reason to join
    changed = True
    while changed:
        changed = False
        # The lines within reach of an appeal, in order; a line marked in this pass brings the lines
        # after it within reach into this pass (as a pass over every line would see them).
        todo = sorted({j for i in marked for j in range(i - reach, i + reach + 1)
                       if 0 <= j < len(segments) and j not in marked})
        heapq.heapify(todo)
        last = -1
        while todo:
            i = heapq.heappop(todo)
            if i in marked or i == last:  # (a line may be in the heap twice)
                continue
            last = i
            seg = segments[i]
            reason = None
            words = len(seg.text.split())
            near = [j for j in (i - 1, i + 1) if j in marked]
            if near and block_sizes[seg.block] <= MAX_BLOCK_LINES and any(segments[j].block == seg.block for j in near):
                reason = "same block as an appeal"
            elif near and (cues(i).strong or cues(i).weak >= 2 or (cues(i).weak and words <= SHORT_LINE_WORDS)):
                reason = "appeal cue next to an appeal"
            elif near and cues(i).button and words <= EDGE_WORDS:
                reason = "button next to an appeal"
            else:
                before = [j for j in range(max(0, i - MAX_GAP), i) if j in marked]
                after = [j for j in range(i + 1, min(len(segments), i + MAX_GAP + 1)) if j in marked]
                if before and after:
                    reason = "between appeal lines"
            if reason:
                marked[i] = reason
                changed = True
                for j in range(i + 1, min(len(segments), i + reach + 1)):
                    if j not in marked:
                        heapq.heappush(todo, j)
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
