"""Reader comments in scraped text: moved out of the body into ``Doc.comments`` (pure, no Beam import).

A comment thread after the article is told apart by its markers (phrases in
``seeds/comments/markers.txt``, several languages):

* a heading that opens the section: ``12 Comments``, ``Comments (3)``,
  ``5 thoughts on “Title”``, ``Reader comments``;
* comment headers: a commenter's name and a verb (``Jane Doe says:``,
  ``Max schreibt:``), or a short name line directly followed by a timestamp;
* per-comment timestamps (``November 19, 2019 at 8:40 am``, ``3 hours ago``);
* per-comment buttons (``Reply``, ``Report``, ``Antworten``).

A thread is only taken when it comes after article prose and has at least two
comments, or one comment under a section heading, each made of a header or
a button plus text; otherwise nothing moves (an article that quotes someone
who "says:" keeps its lines).  Every line of the thread leaves the body as a
``removed`` record of kind ``comment`` (detail: heading, header, timestamp,
button or text); the comments themselves go to ``Doc.comments`` as
``Comment(text, author, published)``, with what the page gives.

>>> p = load_comment_patterns()
>>> lines = ["A long first paragraph of the article, with enough words to count as prose here.",
...          "2 Comments", "Jane Doe says:", "May 3, 2019 at 8:40 am", "Great story, thanks.", "Reply",
...          "Bob says:", "I disagree with the second point.", "Reply"]
>>> [(c.author, c.published, c.text) for c in find_comments(lines, p).comments]
[('Jane Doe', 'May 3, 2019 at 8:40 am', 'Great story, thanks.'), ('Bob', None, 'I disagree with the second point.')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from transforms.document import Comment, Counter, Doc, Removed, no_count
from transforms.patterns import SEEDS_DIR, fold, phrase_alternation, require_sections

MARKER_SECTIONS = ("says", "reply", "heading", "ago")
MIN_PROSE_WORDS = 12  # a line of article prose before the thread
MAX_NAME_WORDS = 6
MAX_STAMP_CHARS = 60

_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-zäéû]*\.?")
# A timestamp line: a date (numeric, or with a month name) and/or a time, and little else.
_STAMP_RE = re.compile(
    r"^(?:on\s+|am\s+|le\s+|em\s+|el\s+|il\s+)?(?:[a-z]+,?\s+)?"
    r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}\.?\s+" + _MONTH + r",?\s+\d{4}|\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?)"
    r"(?:,?\s+(?:at|um|às|à|alle|a las|в)?\s*\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s*(?:uhr|hrs|h|utc|gmt|[a-z]{2,4}t))?"
    r"\s*[.:|]?\s*$"
)
_NUMBER_RE = re.compile(r"\d+")


@dataclass(frozen=True)
class CommentPatterns:
    """Compiled comment markers (picklable; built on the driver)."""

    header: re.Pattern[str]  # "<name> says:" -> group "name"
    reply: re.Pattern[str]  # a button line
    heading: re.Pattern[str]  # a section heading line
    ago: re.Pattern[str]  # "3 hours ago" line


def load_comment_patterns(seeds_dir: str | Path = SEEDS_DIR) -> CommentPatterns:
    """Read ``seeds/comments/markers.txt``; refuses a missing file or an empty marker group."""
    path = Path(seeds_dir) / "comments" / "markers.txt"
    sections = require_sections(path, MARKER_SECTIONS)
    says = phrase_alternation(sections["says"])
    reply = phrase_alternation(sections["reply"])
    heading = phrase_alternation(sections["heading"])
    ago = phrase_alternation(sections["ago"])
    name = r"[^\s:|][^:|]{0,60}?"
    return CommentPatterns(
        header=re.compile(rf"^(?P<name>{name})\s+(?:{says})\s*:?\s*$"),
        reply=re.compile(rf"^[\W\d]*(?:{reply})(?:\s*\(?\d+\)?)?[\W]*$"),
        heading=re.compile(
            rf"^[\W]*(?:\d+\s+)?(?:{heading})(?:\s*\(\d+\)|\s*:?\s*\d+)?(?:\s+(?:to|on|zu|a|à|em|sobre)\s+.{{1,200}})?[\W]*$"),
        ago=re.compile(rf"^(?:\d{{1,4}}|an?|one|un|una|uno|ein|eine|vor|hace|il y a|há)\s*(?:[^\W\d]+\s+){{0,2}}"
                       rf"(?:{ago})\b.{{0,20}}$"
                       rf"|^(?:vor|hace|il y a|há)\s+\d+\s+\w+\s*$"),
    )


@dataclass
class CommentThread:
    """The comments found in a page's lines and the role of every line of the thread."""

    comments: list[Comment] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)  # line index -> heading|header|timestamp|button|text


def _is_stamp(folded: str, p: CommentPatterns) -> bool:
    return len(folded) <= MAX_STAMP_CHARS and bool(_STAMP_RE.match(folded) or p.ago.match(folded))


def _is_prose(text: str) -> bool:
    return len(text.split()) >= MIN_PROSE_WORDS


def _name_like(text: str) -> bool:
    """A short line that can be a commenter's name (no sentence end, few words)."""
    words = text.split()
    return 0 < len(words) <= MAX_NAME_WORDS and not text.endswith((".", "!", "?", ":", ",")) and len(text) <= 60


def find_comments(texts: Sequence[str], patterns: CommentPatterns) -> CommentThread:
    """The reader-comment thread in a page's lines (empty when there is none, see the module doc)."""
    n = len(texts)
    folded = [fold(t).strip() for t in texts]
    kind: list[str | None] = [None] * n
    authors: dict[int, str] = {}
    says: set[int] = set()  # headers with a verb ("Jane says:"), stronger than a name over a timestamp
    for i, f in enumerate(folded):
        m = patterns.header.match(f)
        if m and len(texts[i]) <= 80:
            kind[i] = "header"
            says.add(i)
            authors[i] = texts[i][: len(m.group("name"))].strip()
        elif patterns.reply.match(f):
            kind[i] = "button"
        elif _is_stamp(f, patterns):
            kind[i] = "timestamp"
        elif patterns.heading.match(f):
            kind[i] = "heading"
    # A short name line directly followed by a timestamp is a header too.
    for i in range(n - 1):
        if kind[i] is None and kind[i + 1] == "timestamp" and _name_like(texts[i]):
            kind[i] = "header"
            authors[i] = texts[i].strip()
    first_prose = next((i for i, t in enumerate(texts) if _is_prose(t) and kind[i] is None), None)
    if first_prose is None:
        return CommentThread()
    # Build comments from the first heading/header after the first prose line.
    start = next((i for i in range(first_prose + 1, n) if kind[i] in ("heading", "header")), None)
    if start is None:
        return CommentThread()
    thread = CommentThread()
    roles: dict[int, str] = {}
    current: dict | None = None
    comments: list[dict] = []
    i = start
    while i < n:
        k = kind[i]
        if k == "heading":
            if comments and current is None and not _followed_by_comment(kind, i):
                break  # a later heading (a form, "Leave a comment") after closed comments ends the thread
            roles[i] = "heading"
        elif k == "header":
            current = {"author": authors.get(i), "published": None, "text": [], "lines": [i], "closed": False}
            comments.append(current)
            roles[i] = "header"
        elif k == "timestamp":
            if current is not None and not current["text"] and current["published"] is None:
                current["published"] = texts[i].strip()
                roles[i] = "timestamp"
            elif current is None and _followed_by_comment(kind, i):
                roles[i] = "timestamp"
            else:
                roles[i] = "timestamp"
        elif k == "button":
            roles[i] = "button"
            if current is not None:
                current["closed"] = True
                current = None
        else:
            if current is None:
                # Text outside any open comment: the thread has ended unless a comment header follows soon.
                if comments and not _followed_by_comment(kind, i, window=2):
                    break
                if not comments:
                    i += 1
                    continue
                current = {"author": None, "published": None, "text": [], "lines": [], "closed": False}
                comments.append(current)
            elif current["text"] and not _is_prose(texts[i]) and not _is_prose(current["text"][-1]) \
                    and not current["closed"] and not _followed_by_comment(kind, i, window=3):
                break
            current["text"].append(texts[i])
            roles[i] = "text"
        i += 1
    real = [c for c in comments if c["text"] and (c["author"] or c["closed"])]
    n_roles = {r: sum(1 for v in roles.values() if v == r) for r in ("header", "button", "timestamp")}
    n_says = sum(1 for i, r in roles.items() if r == "header" and i in says)
    counted = any(r == "heading" and _NUMBER_RE.search(texts[i]) for i, r in roles.items())
    # Evidence of a thread, not of an interview ("Smith says:" alone) or a teaser list (name, time, headline):
    # per-comment buttons under headers; or "says" headers with timestamps; or a counted heading
    # ("12 Comments") over "says" headers or buttons.
    if not real or not ((n_roles["button"] and n_roles["header"])
                        or (n_says >= 2 and n_roles["timestamp"])
                        or (counted and (n_says or n_roles["button"]))):
        return CommentThread()
    thread.roles = roles
    thread.comments = [Comment(text="\n".join(c["text"]), author=c["author"], published=c["published"])
                       for c in comments if c["text"]]
    return thread


def _followed_by_comment(kind: list[str | None], i: int, window: int = 4) -> bool:
    """A comment header or button within the next ``window`` lines."""
    return any(k in ("header", "button") for k in kind[i + 1: i + 1 + window])


def extract_comments(doc: Doc, count: Counter = no_count, *, patterns: CommentPatterns | None = None,
                     mode: str = "auto") -> Doc:
    """Move a reader-comment thread from the body to ``comments`` (``removed`` kind ``comment``).

    Runs where the line classifier runs (``mode`` as ``--boilerplate``: ``auto`` = text input only;
    HTML comments are taken from the page's markup by the HTML stage).
    """
    if patterns is None:
        raise ValueError("extract_comments needs CommentPatterns (load them on the driver with "
                         "load_comment_patterns())")
    if not (mode == "on" or (mode == "auto" and doc.input_format == "text")) or not doc.segments:
        return doc
    thread = find_comments([s.text for s in doc.segments], patterns)
    if not thread.comments:
        return doc
    kept = []
    removed = list(doc.removed)
    for i, seg in enumerate(doc.segments):
        role = thread.roles.get(i)
        if role is None:
            kept.append(seg)
        else:
            removed.append(Removed(kind="comment", text=seg.text, line=seg.line, detail=f"comment_{role}"))
    count("comments_extracted")
    for _ in thread.comments:
        count("comment")
    return doc.replace(segments=kept, removed=removed, comments=list(doc.comments) + thread.comments)
