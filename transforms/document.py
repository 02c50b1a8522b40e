"""Plain data types shared by every cleaning stage (no Beam import).

A document travels through the pipeline as a :class:`Doc`.  Each stage is a
pure function ``Doc -> Doc`` that moves segments out of ``segments`` into
structured fields (title, captions, contributors, ...) or into ``removed``
with the reason, so that nothing taken out of the body is ever lost.
"""

from __future__ import annotations

import dataclasses
import operator
import pickle
import zlib
from dataclasses import dataclass, field
from typing import Callable

Counter = Callable[[str], None]


def no_count(_name: str) -> None:
    """Counter that counts nothing (default for pure functions)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One line of the normalised input text."""

    text: str
    line: int  # 0-based line number in the normalised text (blank lines included)
    block: int  # 0-based index of the blank-line separated block it belongs to
    # transforms.keys.text_key(text), filled by ``normalize`` for every line at once so that the stages
    # after it do not fold the same line again (read it with transforms.keys.segment_keys, which computes
    # it where it is None).  Not compared, not shown, not pickled: it follows from ``text``.
    key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of the input that left the body, with the reason."""

    kind: str  # why it left: duplicate_headline, duplicate_caption, editorial_appeal, boilerplate, ...
    text: str
    line: int | None = None  # line in the normalised text, where it came from one
    detail: str | None = None  # finer reason (matched pattern, classifier cue) for people reading the audit


@dataclass(frozen=True, slots=True)
class Caption:
    text: str
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader comment, moved out of the body into ``comments``."""

    text: str
    author: str | None = None
    published: str | None = None  # as the page gives it; parsed when the row is built


@dataclass(slots=True)
class Doc:
    """A document between reading and writing."""

    id: str
    source: str  # input URI, with ":<line>" for a JSONL line
    file: str  # the input file, for per-file accounting
    raw: bytes  # the input bytes; emptied once read (rejects re-read them by ``source``, see transforms.beam.io)
    input_format: str  # "text" | "html"
    text: str = ""  # decoded (and, for HTML, extracted) text before segmentation
    url: str | None = None
    title: str | None = None
    title_hint: str | None = None  # title given by the input (JSONL field, HTML metadata)
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO-8601 string; parsed when the row is built
    captions: list[Caption] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    headline_line: int | None = None  # line of the first headline occurrence
    language: str = "und"
    language_score: float = 0.0
    metadata: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    domain: str | None = None  # the site (URL host, else the input's parent folder): key of per-site work
    content_key: str | None = None  # hash of the cleaned body's text key: key of exact dedup

    def replace(self, **changes) -> "Doc":
        # = dataclasses.replace(self, **changes) (every field of Doc is an init field), without its
        # per-field loop in Python: every stage makes a new Doc per document
        values = dict(zip(_DOC_FIELDS, _doc_values(self)))
        values.update(changes)
        return Doc(**values)

    @property
    def paragraphs(self) -> list[str]:
        """Kept segments in input order, one paragraph each."""
        return [seg.text for seg in self.segments]


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that did not become an article: where it failed and why, with its bytes."""

    id: str
    source: str
    file: str  # the input file, for per-file accounting
    stage: str
    reason: str
    error: str
    raw: bytes
    raw_size: int  # size of the original input; larger than len(raw) when raw was cut at the limit
    duplicate_of: str | None = None  # dedup rejects: the id of the kept copy


def _pickle_by_fields(cls: type) -> type:
    """Pickle ``cls`` as ``(cls, field values)``.

    Beam encodes documents with pickle wherever a stage's output is stored or
    sent (Reshuffle, GroupByKey, side inputs, between worker processes); the
    default for frozen slotted dataclasses calls ``dataclasses.fields()`` for every
    object, which made pickling a cleaned document (hundreds of segments and
    removed pieces) about twice as slow (bench/speed.py, docs/performance.md).
    """
    fields = dataclasses.fields(cls)
    if len(fields) < 2 or any(not f.init or f.kw_only for f in fields):
        return cls  # positional construction would not round-trip: keep the default
    values = operator.attrgetter(*(f.name for f in fields))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


for _cls in (Segment, Removed, Caption, Comment, Reject):  # Doc: compressed, below
    _pickle_by_fields(_cls)
del _cls


def _reduce_segment(self: Segment):
    """A segment pickles without its ``key`` (derived from the text, computed again where needed)."""
    return Segment, (self.text, self.line, self.block)


Segment.__reduce__ = _reduce_segment

# Setting a frozen slotted dataclass's fields in __init__ goes through object.__setattr__ once per
# field; the slots' own setters do the same without the call overhead (normalize makes a segment per line).
assert not hasattr(Segment, "__post_init__")  # (make_segment would skip it)
_new_object = object.__new__
_set_text, _set_line, _set_block, _set_key = (getattr(Segment, f.name).__set__ for f in dataclasses.fields(Segment))


def make_segment(text: str, line: int, block: int, key: str | None = None) -> Segment:
    """``Segment(text, line, block, key)``, made faster (for a segment per line of every document)."""
    segment = _new_object(Segment)
    _set_text(segment, text)
    _set_line(segment, line)
    _set_block(segment, block)
    _set_key(segment, key)
    return segment


def _doc_from_packed(data: bytes) -> Doc:
    return Doc(*pickle.loads(zlib.decompress(data)))


_DOC_FIELDS = tuple(f.name for f in dataclasses.fields(Doc))
assert all(f.init for f in dataclasses.fields(Doc))  # Doc.replace passes every field to __init__
_doc_values = operator.attrgetter(*_DOC_FIELDS)


def _reduce_doc_packed(self: Doc):
    """A document pickles as one compressed blob of its field values.

    The DirectRunner keeps every document that crosses a stage boundary (the
    Reshuffle after reading, the per-site side input, dedup) in memory as its
    pickle until the next stage has run, and sends it between worker processes:
    zlib level 1 halves that (a cleaned 9 KB text page: ~12 KB -> ~5 KB) for
    ~0.2 ms per pickle round trip (docs/performance.md).
    """
    return _doc_from_packed, (zlib.compress(pickle.dumps(_doc_values(self), protocol=pickle.HIGHEST_PROTOCOL), 1),)


Doc.__reduce__ = _reduce_doc_packed
