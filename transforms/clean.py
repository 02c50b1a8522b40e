"""The whole cleaning chain as plain functions (no Beam import).

The Beam pipeline runs these same functions one stage at a time
(``transforms.beam.stages``); this module strings them together for the
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
from typing import Any, Callable

from transforms.corpus.site_lines import remove_site_boilerplate
from transforms.document import Counter, Doc, Removed, no_count
from transforms.html.audit import not_main_content
from transforms.keys import domain_for, segments_content_key
from transforms.patterns import SEEDS_DIR
from transforms.text.appeals import AppealPatterns, load_appeal_patterns, remove_appeals
from transforms.text.captions import CaptionPatterns, extract_captions, load_caption_patterns, tidy_caption
from transforms.text.comments import CommentPatterns, extract_comments, load_comment_patterns
from transforms.text.credits import CreditPatterns, extract_credits, load_credit_patterns
from transforms.text.headline import dedup_headline
from transforms.text.language import LanguageDetector, detect_language
from transforms.text.normalize import normalize_doc, normalize_text
from transforms.text.photo_captions import PhotoCaptionPatterns, extract_lone_captions, load_photo_caption_patterns

BOILERPLATE_MODES = ("auto", "on", "off")


@dataclass(frozen=True)
class CleaningResources:
    """Everything the stages read from ``seeds/``, loaded once by the driver."""

    appeals: AppealPatterns
    captions: CaptionPatterns
    credits: CreditPatterns
    boilerplate: Any  # transforms.text.boilerplate.BoilerplateResources
    comments: CommentPatterns | None = None  # reader-comment markers (text mode)
    photo_captions: PhotoCaptionPatterns | None = None  # lone photo caption cues (text mode)


def load_cleaning_resources(seeds_dir: str | Path = SEEDS_DIR) -> CleaningResources:
    """Read and compile every pattern list and model under ``seeds_dir``."""
    from transforms.text import boilerplate

    return CleaningResources(
        appeals=load_appeal_patterns(seeds_dir),
        captions=load_caption_patterns(seeds_dir),
        credits=load_credit_patterns(seeds_dir),
        boilerplate=boilerplate.load_resources(seeds_dir),
        comments=load_comment_patterns(seeds_dir),
        photo_captions=load_photo_caption_patterns(seeds_dir),
    )


def use_boilerplate(doc: Doc, mode: str) -> bool:
    """Whether the line classifier runs: always, never, or (auto) for text input only."""
    return mode == "on" or (mode == "auto" and doc.input_format == "text")


def extract_html_doc(doc: Doc, count: Counter = no_count, *, caption_patterns: CaptionPatterns | None = None) -> Doc:
    """For HTML input: main content and metadata with trafilatura; text input passes unchanged."""
    if doc.input_format != "html":
        return doc
    from transforms.html.extract import extract_html

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
    # the page's blocks come from the extraction's own parse (one parse per page)
    dropped = not_main_content(page.page_blocks, page.text, title=title, captions=captions, authors=authors,
                               moved=page.moved)
    moved: list[Removed] = []
    if page.subtitle and not doc.subtitle and page.subtitle not in page.text:
        # (a standfirst the page shows as its first paragraph stays in the text as well)
        moved.append(Removed("subtitle", page.subtitle, None, "standfirst (dek) of the page"))
        count("html_standfirst")
    for i, comment in enumerate(page.comments):
        # the text lives in ``comments``; the audit says where it went
        moved.append(Removed("comment", "", None, f"reader comment moved to comments[{len(doc.comments) + i}]"
                             + (f" (by {comment.author})" if comment.author else "")))
        count("html_comment")
    if page.metadata.get("extractor", "trafilatura") != "trafilatura":
        count("html_fallback_" + page.metadata["extractor"].rsplit("-", 1)[-1])
    return doc.replace(
        text=page.text,
        title_hint=title,
        subtitle=doc.subtitle or page.subtitle,
        url=doc.url or page.url,
        authors=authors,
        published=doc.published or page.published,
        captions=captions,
        comments=list(doc.comments) + list(page.comments),
        metadata=metadata,
        removed=list(doc.removed) + moved + dropped,
    )


def finish_doc(doc: Doc) -> Doc:
    """Normalise the fields filled from metadata (title, subtitle) like the body."""
    return doc.replace(
        title=normalize_text(doc.title) if doc.title else None,
        subtitle=normalize_text(doc.subtitle) if doc.subtitle else None,
    )


class EmptyArticle(ValueError):
    """No article text is left after cleaning."""

    reason = "empty_after_cleaning"


def finish_article(doc: Doc, count: Counter = no_count) -> Doc:
    """Final field clean-up; a document with no article text left raises :class:`EmptyArticle`."""
    doc = finish_doc(doc)
    if not doc.segments:
        kinds = ", ".join(sorted({r.kind for r in doc.removed})) or "nothing (the input had no text)"
        raise EmptyArticle(f"no article text left; removed: {kinds}")
    return doc


def assign_keys(doc: Doc, count: Counter = no_count) -> Doc:
    """The keys corpus and streaming work group by: ``domain`` and ``content_key``."""
    return doc.replace(
        domain=doc.domain or domain_for(doc.url, doc.file),
        # = content_key("\n\n".join(doc.paragraphs)), from the keys normalize stored on the segments
        content_key=segments_content_key(doc.segments),
    )


def boilerplate_step(doc: Doc, count: Counter = no_count, *, mode: str = "auto", resources: Any = None) -> Doc:
    """The line classifier, where :func:`use_boilerplate` says it runs."""
    from transforms.text.boilerplate import remove_boilerplate

    return remove_boilerplate(doc, count, resources) if use_boilerplate(doc, mode) else doc


@dataclass(frozen=True)
class StageSpec:
    """One cleaning stage: the pure function and where its arguments come from.

    ``func(doc, count=..., **kwargs)`` with kwargs from ``args(resources,
    settings)`` (read by the driver), ``worker()`` (built once per worker, e.g.
    the language detector) and ``side_inputs`` (names of corpus-level side
    inputs, e.g. per-site line counts, given by the caller).
    """

    name: str  # stage name in rejects and counters
    label: str  # Beam transform label
    func: Callable[..., Doc]
    args: Callable[[CleaningResources, "CleanSettings"], dict[str, Any]] = lambda res, settings: {}
    worker: Callable[[], dict[str, Any]] | None = None
    side_inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class CleanSettings:
    """The options that change what the stages do."""

    boilerplate_mode: str = "auto"


def _detector_kwargs() -> dict[str, Any]:
    return {"detector": default_detector()}


@functools.cache
def _worker_kwargs(name: str) -> dict[str, Any]:
    """A stage's per-worker arguments, built once per process outside Beam (Beam builds them in setup)."""
    spec = next(spec for spec in STAGES if spec.name == name)
    return spec.worker() if spec.worker else {}


# The stage order, written once: the Beam graph (transforms.beam.stages.CleanDocuments),
# clean_doc (explain, bench, tests) and the training script all run this table.
STAGES: tuple[StageSpec, ...] = (
    StageSpec("extract_html", "ExtractHtml", extract_html_doc,
              lambda res, settings: {"caption_patterns": res.captions}),
    StageSpec("normalize", "Normalize", normalize_doc),
    StageSpec("headline", "Headline", dedup_headline),
    # Appeals before captions: a caption repeated on both sides of an appeal box is
    # adjacent only once the box is gone (and one pass then cleans it for good).
    StageSpec("appeals", "Appeals", remove_appeals, lambda res, settings: {"patterns": res.appeals}),
    StageSpec("captions", "Captions", extract_captions, lambda res, settings: {"patterns": res.captions}),
    StageSpec("credits", "Credits", extract_credits, lambda res, settings: {"patterns": res.credits}),
    StageSpec("language", "Language", detect_language, worker=_detector_kwargs),
    # Reader comments after the article (text input; HTML comments come from extract_html) -> Doc.comments,
    # before the line classifier, which never sees them.
    StageSpec("comments", "Comments", extract_comments,
              lambda res, settings: {"patterns": res.comments, "mode": settings.boilerplate_mode}),
    StageSpec("boilerplate", "Boilerplate", boilerplate_step,
              lambda res, settings: {"mode": settings.boilerplate_mode, "resources": res.boilerplate}),
    # A lone photo caption between the paragraphs the classifier kept -> captions (text input).
    StageSpec("photo_captions", "PhotoCaptions", extract_lone_captions,
              lambda res, settings: {"patterns": res.photo_captions, "mode": settings.boilerplate_mode}),
    # Lines the document's site repeats in many documents (side input learned from the corpus by
    # transforms.beam.corpus.LearnSiteBoilerplate; without it the stage only fills Doc.domain).
    StageSpec("site_boilerplate", "SiteBoilerplate", remove_site_boilerplate, side_inputs=("site_lines",)),
    StageSpec("finish", "Finish", finish_article),
    StageSpec("keys", "Keys", assign_keys),
)
STAGE_NAMES = tuple(spec.name for spec in STAGES)


def clean_doc(doc: Doc, resources: CleaningResources, detector: LanguageDetector | None = None,
              count: Counter = no_count, *, boilerplate_mode: str = "auto", side: dict[str, Any] | None = None,
              until: str | None = None, skip: tuple[str, ...] = ("finish",)) -> Doc:
    """Run the stages of :data:`STAGES` on one document, in pipeline order.

    ``until`` stops before the named stage (the training script uses the input
    of the boilerplate stage); ``skip`` leaves stages out (by default ``finish``'s
    empty-article check, so that explain and the bench see what is left; its
    field clean-up still runs).  ``side`` holds the corpus-level side inputs
    the stages name (missing ones are empty).
    """
    settings = CleanSettings(boilerplate_mode=boilerplate_mode)
    for spec in STAGES:
        if spec.name == until:
            return doc
        if spec.name in skip:
            if spec.name == "finish":
                doc = finish_doc(doc)
            continue
        doc = spec.func(doc, count=count, **stage_kwargs(spec, resources, settings, detector, side))
    return doc


def stage_kwargs(spec: StageSpec, resources: CleaningResources, settings: CleanSettings,
                 detector: LanguageDetector | None = None, side: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keyword arguments of one stage outside Beam: from the resources and settings, the
    per-process worker objects (``detector`` replaces the language detector when given) and the
    corpus side inputs ``side`` (missing ones are empty)."""
    kwargs = spec.args(resources, settings)
    if spec.worker is not None:
        kwargs.update(_worker_kwargs(spec.name))
        if detector is not None and "detector" in kwargs:
            kwargs["detector"] = detector
    for name in spec.side_inputs:
        kwargs[name] = (side or {}).get(name, {})
    return kwargs


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
