"""Stage 2, pure part: find the headline, drop its repeats, find the subtitle (dek).

The title is the title given with the input (JSONL ``title``, HTML ``<title>``/
metadata) or else the first line, when it is short enough to be one.  Every
line equal to it, also with a site name added or removed (``Title | Site``,
``Title - Site``, ``Site: Title``), leaves the body as ``duplicate_headline``.
"""

from __future__ import annotations

import re

from transforms.document import Counter, Doc, Removed, Segment, no_count
from transforms.keys import domain_of, segment_keys, text_key
from transforms.patterns import lines_with

MAX_TITLE_CHARS = 300
MAX_TITLE_WORDS = 40
MIN_VARIANT_CHARS = 12  # a shorter part of "Title | Site" is a site name, never a headline
# Separators between a headline and a site name: "|", "-", "–", "—", "·", "•", ":", "::", "»".
# ``(?<!\s)``: a white-space run is tried from its start only (linear on long runs of spaces).
_SITE_SEPARATOR_RE = re.compile(r"(?<!\s)\s+(?:\||-|–|—|·|•|::|»|/)\s+|:\s+")
_SENTENCE_END_RE = re.compile(r"[.!?。！？:;]$")
_BYLINE_START_RE = re.compile(r"^(?:by|por|di|von|par)\s", re.IGNORECASE)


# The comparison key of headlines is the project's one text key (NFKC, case-folded, word characters);
# the old name stays for callers outside this package.
headline_key = text_key


def title_variants(title: str) -> set[str]:
    """Keys of the title and of its headline part around site-name separators.

    Only variants at least as long as the longest part count: the shorter parts
    of ``Title | Site`` are site names or sections, never the headline.
    """
    keys = {text_key(title)}
    parts = [p for p in _SITE_SEPARATOR_RE.split(title) if p.strip()]
    if len(parts) > 1:
        longest = max(parts, key=lambda p: len(text_key(p)))
        min_chars = max(MIN_VARIANT_CHARS, len(text_key(longest)))
        # The headline alone; "Title - Subtitle | Site" without the site; "Site: Title" without it.
        for variant in (longest, " ".join(parts[:-1]), " ".join(parts[1:])):
            key = text_key(variant)
            if len(key) >= min_chars:
                keys.add(key)
    keys.discard("")
    return keys


def strip_site_name(title: str, site_names: list[str]) -> str:
    """``Title | Site`` -> ``Title`` when the part is a known site name (sitename, domain)."""
    names = {text_key(n) for n in site_names if n}
    names.discard("")
    if not names:
        return title
    parts = _SITE_SEPARATOR_RE.split(title)
    if len(parts) < 2:
        return title
    if text_key(parts[-1]) in names:
        return title[: title.rfind(parts[-1])].rstrip(" |-–—·•:»/")
    if text_key(parts[0]) in names:
        return title[len(parts[0]):].lstrip(" |-–—·•:»/")
    return title


def site_names(doc: Doc) -> list[str]:
    """Names the site may go by: its sitename metadata and its domain without the TLD."""
    names = [doc.metadata.get("sitename", "")]
    host = domain_of(doc.url)
    if host:
        names += [host, host.rsplit(".", 1)[0].replace("-", " ").replace(".", " ")]
    return [n for n in names if n]


def is_title_like(text: str) -> bool:
    """Short enough, and not a sentence-final paragraph, to be taken as a title."""
    return 0 < len(text) <= MAX_TITLE_CHARS and len(text.split()) <= MAX_TITLE_WORDS


def _matches_title(text: str, keys: set[str], key: str | None = None) -> bool:
    """Whether a line is the title, also with a site name added or removed (``key``: its text key)."""
    if not is_title_like(text):
        return False
    key = text_key(text) if key is None else key
    if not key:
        return False
    if key in keys:
        return True
    # Every variant of the line is a piece of its key (site-name separators are not word
    # characters): a line whose key contains none of the title's keys cannot match, and
    # most lines are spared splitting into variants.
    if not any(k in key for k in keys):
        return False
    # The line carries a site name the title did not (or a different one).
    return bool(title_variants(text) & keys)


def _best_title(title: str, repeats: list[str], keys: set[str]) -> str:
    """The cleanest form: the shortest of the title and its repeats that is a variant of it."""
    candidates = [title] + [r for r in repeats if text_key(r) in keys]
    return min(candidates, key=lambda t: (len(t), t))


def _pick_subtitle(segments: list[Segment], start: int) -> int | None:
    """Index of a dek right after the headline: one short, unpunctuated line of several words."""
    if start >= len(segments):
        return None
    seg = segments[start]
    words = len(seg.text.split())
    if not 6 <= words <= 50 or len(seg.text) > MAX_TITLE_CHARS:
        return None
    if _SENTENCE_END_RE.search(seg.text) or _BYLINE_START_RE.match(seg.text):
        return None
    # A caption pair (line repeated right after it) is not a dek.
    if start + 1 < len(segments):
        key, next_key = segment_keys(segments[start:start + 2])
        if next_key == key:
            return None
    return start


def dedup_headline(doc: Doc, count: Counter = no_count, *, detect_subtitle: bool = True) -> Doc:
    """Set title/subtitle, move the title line and its repeats out of the body."""
    segments = list(doc.segments)
    title = doc.title_hint.strip() if doc.title_hint else None
    removed = list(doc.removed)
    first_is_title = False
    if not title and segments and is_title_like(segments[0].text):
        title = segments[0].text
        first_is_title = True
    if not title:
        return doc
    keys = title_variants(title)
    line_keys = segment_keys(segments)
    # Only a line whose key contains a title key can match (see _matches_title): found for all lines at once.
    candidates = lines_with(line_keys, keys)
    kept: list[Segment] = []
    repeats: list[str] = []
    headline_line = None
    last_headline_index = None
    start = 0  # every line that is neither the first-line title nor a candidate stays: taken in runs
    for i in sorted(candidates | ({0} if first_is_title else set())):
        kept.extend(segments[start:i])
        start = i + 1
        seg = segments[i]
        if first_is_title and i == 0:
            removed.append(Removed("headline", seg.text, seg.line, "first line taken as title"))
            headline_line = seg.line
            last_headline_index = len(kept)
            continue
        if _matches_title(seg.text, keys, line_keys[i]):
            removed.append(Removed("duplicate_headline", seg.text, seg.line, "repeat of the title"))
            count("headline_repeats")
            repeats.append(seg.text)
            if headline_line is None or (first_is_title and len(repeats) == 1):
                headline_line = seg.line
                last_headline_index = len(kept)
            continue
        kept.append(seg)
    kept.extend(segments[start:])
    subtitle = doc.subtitle
    if detect_subtitle and subtitle is None and last_headline_index is not None:
        idx = _pick_subtitle(kept, last_headline_index)
        if idx is not None:
            seg = kept.pop(idx)
            subtitle = seg.text
            removed.append(Removed("subtitle", seg.text, seg.line, "line after the headline"))
            count("subtitle_found")
    title = strip_site_name(_best_title(title, repeats, keys), site_names(doc))
    return doc.replace(
        title=title,
        subtitle=subtitle,
        segments=kept,
        removed=removed,
        headline_line=headline_line,
    )
