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
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.beam import progress
from transforms.clean import STAGES, CleaningResources, CleanSettings, StageSpec
from transforms.document import Doc, Reject

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
        progress.note(name, value)  # the DirectRunner's live progress line (display only)


def reject_from_exception(doc: Doc, stage: str, exc: BaseException) -> Reject:
    """A reject for a document whose stage raised; ``reason`` comes from the error when it has one."""
    reason = getattr(exc, "reason", None) or f"exception:{type(exc).__name__}"
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if not getattr(exc, "reason", None):
        detail += "\n" + "".join(traceback.format_tb(exc.__traceback__, limit=-3))
    return Reject(doc.id, doc.source, doc.file, stage, reason, detail[:MAX_ERROR_CHARS], doc.raw, len(doc.raw))


class _StageFn(beam.DoFn):
    """Applies one pure stage function; exceptions become rejects of that stage."""

    def __init__(self, spec: StageSpec, kwargs: dict[str, Any]) -> None:
        self._spec, self._kwargs = spec, kwargs

    def setup(self) -> None:
        self._count = Counters()
        self._worker_kwargs = self._spec.worker() if self._spec.worker else {}

    def process(self, doc, **side):
        progress.note_stage(self._spec.name)  # the DirectRunner's live progress line (display only)
        try:
            out = self._spec.func(doc, count=self._count, **self._kwargs, **self._worker_kwargs, **side)
        except Exception as exc:  # noqa: BLE001 - every failure of a document is data, not a crash
            self._count(f"rejected_{self._spec.name}")
            yield TaggedOutput(REJECTS, reject_from_exception(doc, self._spec.name, exc))
            return
        yield out


class ApplyStage(beam.PTransform):
    """One stage of :data:`transforms.clean.STAGES`: ``docs -> (docs, rejects)``.

    ``side`` maps the stage's ``side_inputs`` names to Beam side inputs
    (``beam.pvalue.AsDict(...)``, ...); a stage that names one not given gets an
    empty mapping.
    """

    def __init__(self, spec: StageSpec, kwargs: dict[str, Any] | None = None,
                 side: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._spec, self._kwargs, self._side = spec, dict(kwargs or {}), dict(side or {})

    def expand(self, docs):
        side = {name: self._side[name] for name in self._spec.side_inputs if name in self._side}
        fixed = {name: {} for name in self._spec.side_inputs if name not in self._side}
        out = docs | "Apply" >> beam.ParDo(
            _StageFn(self._spec, {**self._kwargs, **fixed}), **side).with_outputs(REJECTS, main="docs")
        return out.docs, out[REJECTS]


def stage_spec(name: str) -> StageSpec:
    """The entry of :data:`STAGES` called ``name``."""
    return next(spec for spec in STAGES if spec.name == name)


class NormalizeText(ApplyStage):
    """Unicode NFC, white space, invisible characters, doubled quotes; split into segments."""

    def __init__(self) -> None:
        super().__init__(stage_spec("normalize"))


class DedupHeadline(ApplyStage):
    """Take the title, drop its repeats (also with a site suffix), find the subtitle."""

    def __init__(self) -> None:
        super().__init__(stage_spec("headline"))


class RemoveEditorialAppeals(ApplyStage):
    """Donation, membership, subscription, newsletter and editor's-message blocks leave the body."""

    def __init__(self, patterns: Any) -> None:
        super().__init__(stage_spec("appeals"), {"patterns": patterns})


class CleanDocuments(beam.PTransform):
    """Every cleaning stage of :data:`transforms.clean.STAGES` in order: ``docs -> (articles, rejects)``.

    Example::

        articles, rejects = docs | CleanDocuments(load_cleaning_resources())
    """

    def __init__(self, resources: CleaningResources, boilerplate_mode: str = "auto",
                 side: dict[str, Any] | None = None, stages: tuple[StageSpec, ...] = STAGES) -> None:
        super().__init__()
        self._resources, self._side, self._stages = resources, side, stages
        self._settings = CleanSettings(boilerplate_mode=boilerplate_mode)

    def expand(self, docs):
        rejects = []
        for spec in self._stages:
            stage = ApplyStage(spec, spec.args(self._resources, self._settings), self._side)
            docs, stage_rejects = docs | spec.label >> stage
            rejects.append(stage_rejects)
        if _segmented(self._stages):
            docs = docs | "DropText" >> beam.Map(_without_text)
        return docs, rejects | "FlattenStageRejects" >> beam.Flatten()


def _segmented(stages: tuple[StageSpec, ...]) -> bool:
    """Whether documents leave these stages split into segments (normalize ran, here or before)."""
    names = [spec.name for spec in STAGES]
    return bool(stages) and stages[-1].name in names and names.index(stages[-1].name) >= names.index("normalize")


def _without_text(doc: Doc) -> Doc:
    """The document without its decoded text: every stage after ``normalize`` reads the segments.

    Corpus stages (per-site lines, dedup) store every document between steps, and
    the text is a copy of what ``segments`` and ``removed`` hold (about a third
    of a pickled article): the runner stores and sends it no more
    (``explain`` and ``clean_doc`` keep it).
    """
    return doc.replace(text="") if doc.text else doc
