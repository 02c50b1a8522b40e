"""The article and reject schemas, and the functions that build their rows."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from schemas.version import PIPELINE_VERSION, SCHEMA_VERSION
from transforms.clean import parse_published
from transforms.document import Doc, Reject
from transforms.keys import content_key, domain_of

_META = {b"presswash.schema_version": SCHEMA_VERSION.encode(), b"presswash.pipeline_version": PIPELINE_VERSION.encode()}

CAPTION_TYPE = pa.struct([pa.field("text", pa.string()), pa.field("credit", pa.string())])
COMMENT_TYPE = pa.struct([
    pa.field("author", pa.string()),
    pa.field("text", pa.string()),
    pa.field("published", pa.timestamp("us", tz="UTC")),
])
REMOVED_TYPE = pa.struct([
    pa.field("kind", pa.string()),
    pa.field("text", pa.string()),
    pa.field("line", pa.int32()),
    pa.field("detail", pa.string()),
])

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("domain", pa.string()),
        pa.field("title", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("contributors", pa.list_(pa.string())),
        pa.field("published", pa.timestamp("us", tz="UTC")),
        pa.field("captions", pa.list_(CAPTION_TYPE)),
        pa.field("paragraphs", pa.list_(pa.string())),
        pa.field("body", pa.string()),
        pa.field("language", pa.string()),
        pa.field("language_score", pa.float32()),
        pa.field("word_count", pa.int32()),
        pa.field("comments", pa.list_(COMMENT_TYPE)),
        pa.field("removed", pa.list_(REMOVED_TYPE)),
        pa.field("content_hash", pa.string()),
        pa.field("input_format", pa.string()),
        pa.field("pipeline_version", pa.string()),
        pa.field("metadata", pa.map_(pa.string(), pa.string())),
    ],
    metadata=_META,
)

REJECT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("raw", pa.binary()),
        pa.field("raw_size", pa.int64()),
        pa.field("duplicate_of", pa.string()),
        pa.field("pipeline_version", pa.string()),
    ],
    metadata=_META,
)


def body_of(paragraphs: list[str]) -> str:
    """Paragraphs joined by a blank line."""
    return "\n\n".join(paragraphs)


_CJK_CHAR_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_RE = re.compile(r"\w+")


def count_words(text: str) -> int:
    """Words of any script: runs of word characters, each Chinese/Japanese character counted as one."""
    cjk = len(_CJK_CHAR_RE.findall(text))
    return cjk + len(_WORD_RE.findall(_CJK_CHAR_RE.sub(" ", text)))


def article_row(doc: Doc) -> dict[str, Any]:
    """A row of :data:`ARTICLE_SCHEMA` from a cleaned document."""
    paragraphs = doc.paragraphs
    body = body_of(paragraphs)
    metadata = dict(doc.metadata)
    published = parse_published(doc.published)
    if doc.published and published is None:
        metadata["published_raw"] = doc.published
    return {
        "id": doc.id,
        "source": doc.source,
        "url": doc.url,
        "domain": doc.domain or domain_of(doc.url),
        "title": doc.title,
        "subtitle": doc.subtitle,
        "authors": list(doc.authors),
        "contributors": list(doc.contributors),
        "published": published,
        "captions": [{"text": c.text, "credit": c.credit} for c in doc.captions],
        "paragraphs": paragraphs,
        "body": body,
        "language": doc.language,
        "language_score": doc.language_score,
        "word_count": count_words(body),
        "comments": [{"author": c.author, "text": c.text, "published": parse_published(c.published)}
                     for c in doc.comments],
        # removed.line is 1-based, as `python -m pipeline explain` prints it (Doc/Segment lines are 0-based)
        "removed": [{"kind": r.kind, "text": r.text, "line": None if r.line is None else r.line + 1,
                     "detail": r.detail} for r in doc.removed],
        "content_hash": doc.content_key or content_key(body),
        "input_format": doc.input_format,
        "pipeline_version": PIPELINE_VERSION,
        "metadata": sorted(metadata.items()),
    }


def reject_row(reject: Reject) -> dict[str, Any]:
    """A row of :data:`REJECT_SCHEMA`."""
    return {
        "id": reject.id,
        "source": reject.source,
        "stage": reject.stage,
        "reason": reject.reason,
        "error": reject.error,
        "raw": reject.raw,
        "raw_size": reject.raw_size,
        "duplicate_of": reject.duplicate_of,
        "pipeline_version": PIPELINE_VERSION,
    }
