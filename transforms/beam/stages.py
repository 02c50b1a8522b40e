"""Beam stages: one composite ``PTransform`` per cleaning stage over the pure functions.

Each stage maps ``Doc -> Doc``: a document whose stage raises becomes a
:class:`~transforms.document.Reject` naming the stage and the error, and the
rest of the run goes on.  :class:`CleanDocuments` runs a whole run of stages in
one ``ParDo`` (the pipeline's path); :class:`ApplyStage` wraps one stage (tests,
benchmarks).  Counters are
``Metrics.counter("presswash", name)``, handed to the pure functions as their
``count`` callable.

Example (a whole run is ``python -m pipeline``)::

    docs, rejects = raw_docs | "Appeals" >> RemoveEditorialAppeals(resources.appeals)
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import traceback
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.beam import progress
from transforms.clean import STAGES, CleaningResources, CleanSettings, StageSpec
from transforms.document import Doc, Reject, no_count

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


class _SharedArgs:
    """The stages' arguments as one pickled blob, loaded once per process (:class:`_StagesFn`'s state).

    The arguments hold the cleaning resources (~0.45 MB pickled, mostly the line classifier's
    two tree ensembles; Beam bz2-compresses each step's pickle and each worker decompresses it
    per step, docs/performance.md).  A worker process creates one instance of a step's
    ``DoFn`` per fused stage that runs it (the documents of small and of large files, the
    dedup-keys pass, ...), and Beam unpickles each from the graph: with the blob's digest as
    the key, the second and later instances share the first one's loaded arguments, which
    every stage treats as read-only.
    """

    _loaded: dict[bytes, Any] = {}
    _lock = threading.Lock()

    def __init__(self, value: Any) -> None:
        self.blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.digest = hashlib.blake2b(self.blob, digest_size=16).digest()

    def load(self) -> Any:
        with self._lock:
            value = self._loaded.get(self.digest)
            if value is None:
                value = self._loaded[self.digest] = pickle.loads(self.blob)
            return value

    def __getstate__(self):
        return {"blob": self.blob, "digest": self.digest}

    def __setstate__(self, state) -> None:
        self.blob, self.digest = state["blob"], state["digest"]


def _shared(value: Any) -> Any:
    """``value`` packed as :class:`_SharedArgs`, or as it is when plain ``pickle`` cannot take it
    (e.g. a test's lambda: then Beam's own pickler does, once per instance)."""
    try:
        return _SharedArgs(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return value


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
        fn = _StagesFn((self._spec,), {self._spec.name: {**self._kwargs, **fixed}})
        out = docs | "Apply" >> beam.ParDo(fn, **side).with_outputs(REJECTS, main="docs")
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


class _StagesFn(beam.DoFn):
    """Applies a run of stages to each document in one step (one ``ParDo`` for the whole run).

    A stage that raises makes the document a reject of *that* stage, exactly as
    :class:`ApplyStage` does; the later stages do not see it.  ``outputs`` are extra
    tagged outputs computed from each surviving document where it already is in
    memory (e.g. the per-site line keys), as ``{tag: func(doc) -> iterable}``, so
    the documents need not be read a second time after a stage boundary.
    """

    def __init__(self, specs: tuple[StageSpec, ...], kwargs: dict[str, dict[str, Any]],
                 outputs: dict[str, Any] | None = None, drop_text: bool = False, only_outputs: bool = False) -> None:
        self._specs, self._kwargs = specs, kwargs
        self._outputs, self._drop_text, self._only_outputs = dict(outputs or {}), drop_text, only_outputs

    def __getstate__(self):
        state = dict(self.__dict__)
        packed = state.pop("_packed_kwargs", None)
        if packed is None:
            packed = self.__dict__["_packed_kwargs"] = _shared(self._kwargs)  # once per instance
        state["_kwargs"] = packed
        return state

    def __setstate__(self, state) -> None:
        kwargs = state["_kwargs"]
        if isinstance(kwargs, _SharedArgs):
            state = {**state, "_kwargs": kwargs.load()}
        self.__dict__.update(state)

    def setup(self) -> None:
        # only_outputs: a second run of the same stages that yields only the extra outputs; it counts
        # nothing (the run that yields the documents and rejects counts them).
        self._count = no_count if self._only_outputs else Counters()
        self._calls = [
            (spec, {**self._kwargs.get(spec.name, {}), **(spec.worker() if spec.worker else {})})
            for spec in self._specs
        ]

    def process(self, doc, **side):
        count, only_outputs = self._count, self._only_outputs
        for spec, kwargs in self._calls:
            if not only_outputs:
                progress.note_stage(spec.name)  # the DirectRunner's live progress line (display only)
            if spec.side_inputs:
                kwargs = {**kwargs, **{name: side[name] for name in spec.side_inputs if name in side}}
            try:
                doc = spec.func(doc, count=count, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every failure of a document is data, not a crash
                if not only_outputs:
                    count(f"rejected_{spec.name}")
                    yield TaggedOutput(REJECTS, reject_from_exception(doc, spec.name, exc))
                return
        if self._drop_text:
            doc = _without_text(doc)
        for tag, func in self._outputs.items():
            for item in func(doc):
                yield TaggedOutput(tag, item)
        if not only_outputs:
            yield doc


class CleanDocuments(beam.PTransform):
    """Every cleaning stage of :data:`transforms.clean.STAGES` in order: ``docs -> (articles, rejects)``.

    The stages run in one ``ParDo`` (one call per document for the whole run of
    stages: Beam's per-step overhead is paid once); a document whose stage raises
    is a reject of that stage.  ``outputs`` adds tagged outputs computed from each
    cleaned document (``{tag: doc -> iterable}``); they are returned after the
    rejects, in the order given.  With ``only_outputs`` the step yields only those
    (its documents and rejects come out empty, and it counts nothing): a cheap
    run of deterministic stages whose documents another step produces again.

    Example::

        articles, rejects = docs | CleanDocuments(load_cleaning_resources())
    """

    def __init__(self, resources: CleaningResources, boilerplate_mode: str = "auto",
                 side: dict[str, Any] | None = None, stages: tuple[StageSpec, ...] = STAGES,
                 outputs: dict[str, Any] | None = None, only_outputs: bool = False) -> None:
        super().__init__()
        self._resources, self._side, self._stages = resources, dict(side or {}), stages
        self._settings = CleanSettings(boilerplate_mode=boilerplate_mode)
        self._outputs, self._only_outputs = dict(outputs or {}), only_outputs

    def expand(self, docs):
        kwargs: dict[str, dict[str, Any]] = {}
        side: dict[str, Any] = {}
        for spec in self._stages:
            kwargs[spec.name] = dict(spec.args(self._resources, self._settings))
            for name in spec.side_inputs:
                if name in self._side:
                    side[name] = self._side[name]
                else:
                    kwargs[spec.name][name] = {}  # a side input not given: empty
        fn = _StagesFn(self._stages, kwargs, self._outputs, drop_text=_segmented(self._stages),
                       only_outputs=self._only_outputs)
        out = docs | "Stages" >> beam.ParDo(fn, **side).with_outputs(REJECTS, *self._outputs, main="docs")
        return (out.docs, out[REJECTS], *(out[tag] for tag in self._outputs))


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
