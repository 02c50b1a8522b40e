"""Beam stages: one composite ``PTransform`` per cleaning stage over the pure functions.

Each stage maps ``Doc -> Doc`` and returns ``(docs, rejects)``: a document
whose stage raises becomes a :class:`~transforms.document.Reject` naming the
stage and the error, and the rest of the run goes on.  Counters are
``Metrics.counter("presswash", name)``, handed to the pure functions as their
``count`` callable.

Example (a whole run is ``python -m pipeline``)::

    docs, rejects = raw_docs | "Appeals" >> RemoveEditorialAppeals(resources.appeals)
"""

from __future__ import annotations

import traceback
from typing import Any, Callable

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.appeals import AppealPatterns, remove_appeals
from transforms.captions import CaptionPatterns, extract_captions
from transforms.clean import extract_html_doc, finish_doc, use_boilerplate
from transforms.credits import CreditPatterns, extract_credits
from transforms.document import Doc, Reject
from transforms.headline import dedup_headline
from transforms.language import LanguageDetector, detect_language
from transforms.normalize import normalize_doc

NAMESPACE = "presswash"
REJECTS = "rejects"
MAX_ERROR_CHARS = 4000


class Counters:
    """A ``count(name, value=1)`` callable backed by Beam counters, created lazily per worker."""

    def __init__(self) -> None:
        self._counters: dict[str, Any] = {}

    def __call__(self, name: str, value: int = 1) -> None:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = Metrics.counter(NAMESPACE, name)
        counter.inc(value)


def reject_from_exception(doc: Doc, stage: str, exc: BaseException) -> Reject:
    """A reject for a document whose stage raised; ``reason`` comes from the error when it has one."""
    reason = getattr(exc, "reason", None) or f"exception:{type(exc).__name__}"
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if not getattr(exc, "reason", None):
        detail += "\n" + "".join(traceback.format_tb(exc.__traceback__, limit=-3))
    return Reject(doc.id, doc.source, doc.file, stage, reason, detail[:MAX_ERROR_CHARS], doc.raw, len(doc.raw))


class _StageFn(beam.DoFn):
    """Applies one pure stage function; exceptions become rejects of that stage."""

    def __init__(self, stage: str, func: Callable[..., Doc], **kwargs: Any) -> None:
        self._stage, self._func, self._kwargs = stage, func, kwargs

    def setup(self) -> None:
        self._count = Counters()

    def _apply(self, doc: Doc) -> Doc:
        return self._func(doc, count=self._count, **self._kwargs)

    def process(self, doc: Doc):
        try:
            out = self._apply(doc)
        except Exception as exc:  # noqa: BLE001 - every failure of a document is data, not a crash
            self._count(f"rejected_{self._stage}")
            yield TaggedOutput(REJECTS, reject_from_exception(doc, self._stage, exc))
            return
        yield out


class _Stage(beam.PTransform):
    """Base of the stage transforms: ``docs -> (docs, rejects)`` through ``func(doc, count, **kwargs)``."""

    stage = "stage"
    func: Callable[..., Doc]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._kwargs = kwargs

    def _fn(self) -> beam.DoFn:
        return _StageFn(self.stage, type(self).func, **self._kwargs)

    def expand(self, docs):
        out = docs | "Apply" >> beam.ParDo(self._fn()).with_outputs(REJECTS, main="docs")
        return out.docs, out[REJECTS]


class ExtractHtmlContent(_Stage):
    """HTML documents: main content and metadata with trafilatura (text passes through)."""

    stage = "extract_html"
    func = staticmethod(extract_html_doc)

    def __init__(self, caption_patterns: CaptionPatterns | None = None) -> None:
        super().__init__(caption_patterns=caption_patterns)


class NormalizeText(_Stage):
    """Unicode NFC, white space, invisible characters, doubled quotes; split into segments."""

    stage = "normalize"
    func = staticmethod(normalize_doc)


class DedupHeadline(_Stage):
    """Take the title, drop its repeats (also with a site suffix), find the subtitle."""

    stage = "headline"
    func = staticmethod(dedup_headline)


class ExtractCaptions(_Stage):
    """Repeated and credited captions leave the body as structured ``{text, credit}``."""

    stage = "captions"
    func = staticmethod(extract_captions)

    def __init__(self, patterns: CaptionPatterns) -> None:
        super().__init__(patterns=patterns)


class RemoveEditorialAppeals(_Stage):
    """Donation, membership, subscription, newsletter and editor's-message blocks leave the body."""

    stage = "appeals"
    func = staticmethod(remove_appeals)

    def __init__(self, patterns: AppealPatterns) -> None:
        super().__init__(patterns=patterns)


class ExtractCredits(_Stage):
    """'X contributed to this report' fills ``contributors``; bylines fill ``authors``."""

    stage = "credits"
    func = staticmethod(extract_credits)

    def __init__(self, patterns: CreditPatterns) -> None:
        super().__init__(patterns=patterns)


class _LanguageFn(_StageFn):
    def setup(self) -> None:
        super().setup()
        self._detector = LanguageDetector()  # profiles loaded once per worker

    def _apply(self, doc: Doc) -> Doc:
        return detect_language(doc, self._detector, self._count)


class DetectLanguage(_Stage):
    """langdetect (seed 0) on a bounded sample of the body: ``language`` and ``language_score``."""

    stage = "language"
    func = staticmethod(detect_language)

    def _fn(self):
        return _LanguageFn(self.stage, detect_language)


def _boilerplate_step(doc: Doc, count, *, mode: str, resources: Any) -> Doc:
    from transforms.boilerplate import remove_boilerplate

    return remove_boilerplate(doc, count, resources) if use_boilerplate(doc, mode) else doc


class RemoveBoilerplate(_Stage):
    """Line classifier for scraped text: navigation, share bars, related links, footers leave the body."""

    stage = "boilerplate"
    func = staticmethod(_boilerplate_step)

    def __init__(self, resources: Any, mode: str = "auto") -> None:
        super().__init__(mode=mode, resources=resources)


class EmptyArticle(ValueError):
    """No article text is left after cleaning."""

    reason = "empty_after_cleaning"


def _finish_step(doc: Doc, count) -> Doc:
    doc = finish_doc(doc)
    if not doc.segments:
        kinds = ", ".join(sorted({r.kind for r in doc.removed})) or "nothing (the input had no text)"
        raise EmptyArticle(f"no article text left; removed: {kinds}")
    return doc


class FinishArticles(_Stage):
    """Final field clean-up; a document with no article text left becomes a reject."""

    stage = "finish"
    func = staticmethod(_finish_step)


class CleanDocuments(beam.PTransform):
    """Every cleaning stage in order: ``docs -> (articles, rejects)``.

    Example::

        articles, rejects = docs | CleanDocuments(load_cleaning_resources())
    """

    def __init__(self, resources: Any, boilerplate_mode: str = "auto") -> None:
        super().__init__()
        self._resources, self._mode = resources, boilerplate_mode

    def expand(self, docs):
        stages = [
            ("ExtractHtml", ExtractHtmlContent(self._resources.captions)),
            ("Normalize", NormalizeText()),
            ("Headline", DedupHeadline()),
            ("Appeals", RemoveEditorialAppeals(self._resources.appeals)),
            ("Captions", ExtractCaptions(self._resources.captions)),
            ("Credits", ExtractCredits(self._resources.credits)),
            ("Language", DetectLanguage()),
            ("Boilerplate", RemoveBoilerplate(self._resources.boilerplate, self._mode)),
            ("Finish", FinishArticles()),
        ]
        rejects = []
        for label, stage in stages:
            docs, stage_rejects = docs | label >> stage
            rejects.append(stage_rejects)
        return docs, rejects | "FlattenStageRejects" >> beam.Flatten()
