"""The whole cleaning chain as plain functions (no Beam import).

The Beam pipeline runs these same functions one stage at a time
(``transforms.stages``); this module strings them together for the
``explain`` command, the quality benchmark and tests.

>>> doc = clean_text("My headline\\n\\nMy headline\\n\\nFirst paragraph of the story, long enough.")
>>> doc.title, doc.paragraphs
('My headline', ['First paragraph of the story, long enough.'])
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from transforms.appeals import AppealPatterns, load_appeal_patterns, remove_appeals
from transforms.captions import CaptionPatterns, extract_captions, load_caption_patterns, tidy_caption
from transforms.credits import CreditPatterns, extract_credits, load_credit_patterns
from transforms.document import Counter, Doc, no_count
from transforms.headline import dedup_headline
from transforms.html_audit import not_main_content
from transforms.language import LanguageDetector, detect_language
from transforms.normalize import normalize_doc, normalize_text
from transforms.patterns import SEEDS_DIR

BOILERPLATE_MODES = ("auto", "on", "off")


@dataclass(frozen=True)
class CleaningResources:
    """Everything the stages read from ``seeds/``, loaded once by the driver."""

    appeals: AppealPatterns
    captions: CaptionPatterns
    credits: CreditPatterns
    boilerplate: Any  # transforms.boilerplate.BoilerplateResources


def load_cleaning_resources(seeds_dir: str | Path = SEEDS_DIR) -> CleaningResources:
    """Read and compile every pattern list and model under ``seeds_dir``."""
    from transforms import boilerplate

    return CleaningResources(
        appeals=load_appeal_patterns(seeds_dir),
        captions=load_caption_patterns(seeds_dir),
        credits=load_credit_patterns(seeds_dir),
        boilerplate=boilerplate.load_resources(seeds_dir),
    )


def use_boilerplate(doc: Doc, mode: str) -> bool:
    """Whether the line classifier runs: always, never, or (auto) for text input only."""
    return mode == "on" or (mode == "auto" and doc.input_format == "text")


def extract_html_doc(doc: Doc, count: Counter = no_count, *, caption_patterns: CaptionPatterns | None = None) -> Doc:
    """For HTML input: main content and metadata with trafilatura; text input passes unchanged."""
    if doc.input_format != "html":
        return doc
    from transforms.html_extract import extract_html

    page = extract_html(doc.text, url=doc.url)
    metadata = {**page.metadata, **doc.metadata}
    if page.sitename:
        metadata.setdefault("sitename", page.sitename)
    if page.description:
        metadata.setdefault("description", page.description)
    count("html_extracted")
    title = doc.title_hint or page.title
    authors = list(doc.authors) or list(page.authors)
    captions = list(doc.captions) + list(page.captions)
    if caption_patterns is not None:
        captions = [tidy_caption(c, caption_patterns) for c in captions]
    dropped = not_main_content(doc.text, page.text, title=title, captions=captions, authors=authors)
    return doc.replace(
        text=page.text,
        title_hint=title,
        url=doc.url or page.url,
        authors=authors,
        published=doc.published or page.published,
        captions=captions,
        metadata=metadata,
        removed=list(doc.removed) + dropped,
    )


def finish_doc(doc: Doc) -> Doc:
    """Normalise the fields filled from metadata (title, subtitle) like the body."""
    return doc.replace(
        title=normalize_text(doc.title) if doc.title else None,
        subtitle=normalize_text(doc.subtitle) if doc.subtitle else None,
    )


def clean_doc(doc: Doc, resources: CleaningResources, detector: LanguageDetector, count: Counter = no_count,
              *, boilerplate_mode: str = "auto") -> Doc:
    """Run every stage on one document, in pipeline order."""
    from transforms.boilerplate import remove_boilerplate

    doc = extract_html_doc(doc, count, caption_patterns=resources.captions)
    doc = normalize_doc(doc, count)
    doc = dedup_headline(doc, count)
    # Appeals before captions: a caption repeated on both sides of an appeal box is
    # adjacent only once the box is gone (and one pass then cleans it for good).
    doc = remove_appeals(doc, resources.appeals, count)
    doc = extract_captions(doc, resources.captions, count)
    doc = extract_credits(doc, resources.credits, count)
    doc = detect_language(doc, detector, count)
    if use_boilerplate(doc, boilerplate_mode):
        doc = remove_boilerplate(doc, count, resources.boilerplate)
    return finish_doc(doc)


@functools.cache
def default_resources() -> CleaningResources:
    """Resources from the project's ``seeds/``, loaded once (for interactive use and tests)."""
    return load_cleaning_resources()


@functools.cache
def default_detector() -> LanguageDetector:
    """A language detector, built once (for interactive use and tests)."""
    return LanguageDetector()


def clean_text(text: str, *, title_hint: str | None = None, url: str | None = None, html: bool = False,
               resources: CleaningResources | None = None, detector: LanguageDetector | None = None,
               boilerplate_mode: str = "auto", count: Counter = no_count) -> Doc:
    """Clean one text (or HTML page with ``html=True``) outside Beam."""
    resources = resources or default_resources()
    detector = detector or default_detector()
    doc = Doc(id="", source="<text>", file="<text>", raw=b"", input_format="html" if html else "text",
              text=text, url=url, title_hint=title_hint)
    return clean_doc(doc, resources, detector, count, boilerplate_mode=boilerplate_mode)


def parse_published(value: str | None) -> datetime | None:
    """ISO-8601 (or a common date format) to an aware UTC datetime; None if unparseable."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            from dateutil import parser as date_parser

            parsed = date_parser.parse(text)
        except (ValueError, OverflowError, ImportError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
