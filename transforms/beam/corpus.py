"""Beam stages over the whole corpus: boilerplate learned per site, exact and near-duplicate articles.

Everything is keyed aggregation (no process-global state, no in-memory index), so the
DirectRunner, a multi-process DirectRunner and a distributed runner give the same output:

* :class:`LearnSiteBoilerplate`: ``CombinePerKey`` counts of distinct documents per
  ``(domain, line key)`` and per domain, a ``CoGroupByKey`` by domain applies the threshold;
  the result is the side input (``AsMultiMap``) of the ``site_boilerplate`` stage.
* :class:`DedupExact`: ``GroupByKey`` on ``Doc.content_key``; the best-ranked copy is kept.
* :class:`DedupNear`: MinHash band key -> ``GroupByKey`` -> verified pairs -> connected
  components by min-label propagation (``rounds`` rounds of ``CoGroupByKey`` +
  ``CombinePerKey(min)``) -> the documents joined to their labels.
* :class:`CleanCorpus`: the per-document stages, the site boilerplate, then dedup.

Example::

    articles, rejects = docs | CleanCorpus(resources, "auto", SiteSettings(), DedupSettings())
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput

from transforms.beam.stages import REJECTS, CleanDocuments, Counters
from transforms.clean import STAGES, CleaningResources
from transforms.corpus import dedup as dd
from transforms.corpus import site_lines as sl

SITE_STAGE = "site_boilerplate"
SIGNATURES = "signatures"


def _first(values):
    """Any one of equal values, chosen deterministically (CombinePerKey)."""
    return min(values)


class LearnSiteBoilerplate(beam.PTransform):
    """Documents -> ``(domain, (line_key, n_docs, domain_docs))`` for every line over the threshold.

    ``n_docs`` counts distinct bodies of the domain holding the line (equal bodies once).
    Use as ``beam.pvalue.AsMultiMap(...)`` for the ``site_lines`` side input.
    """

    def __init__(self, settings: sl.SiteSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, docs):
        settings = self._settings
        distinct = (
            docs
            | "LineKeys" >> beam.Map(sl.doc_lines)
            | "ByBody" >> beam.Map(lambda e: ((e[0], e[1]), e[2]))
            | "OnePerBody" >> beam.CombinePerKey(_first)
        )
        domain_docs = (
            distinct
            | "DomainOne" >> beam.Map(lambda kv: (kv[0][0], 1))
            | "DomainDocs" >> beam.CombinePerKey(sum)
        )
        lines = (
            distinct
            | "LineOnes" >> beam.FlatMap(lambda kv: (((kv[0][0], key), 1) for key in kv[1]))
            | "LineDocs" >> beam.CombinePerKey(sum)
            | "Repeated" >> beam.Filter(lambda kv, m: kv[1] >= m, settings.min_docs)  # most lines: 1 doc
            | "ByDomain" >> beam.Map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
        )

        def apply(item):
            domain, grouped = item
            totals = list(grouped["total"])
            if not totals:
                return
            yield from sl.over_threshold(domain, totals[0], grouped["lines"], settings)

        return (
            {"total": domain_docs, "lines": lines}
            | "JoinDomain" >> beam.CoGroupByKey()
            | "Threshold" >> beam.FlatMap(apply)
        )


class _CountMin(beam.CombineFn):
    """(count, smallest rank) of the documents with one content key."""

    def create_accumulator(self):
        return 0, None

    def add_input(self, acc, rank):
        count, best = acc
        return count + 1, rank if best is None or rank < best else best

    def merge_accumulators(self, accs):
        count, best = 0, None
        for c, b in accs:
            count += c
            if b is not None and (best is None or b < best):
                best = b
        return count, best

    def extract_output(self, acc):
        return acc


def _content_key(doc) -> str:
    return doc.content_key or f"no-key:{doc.source}"


class _DropCopies(beam.DoFn):
    """Documents whose key names another kept copy become rejects (``kept``: key -> kept rank)."""

    def __init__(self, key_of, reject_of, counter: str) -> None:
        self._key_of, self._reject_of, self._counter = key_of, reject_of, counter

    def setup(self) -> None:
        self._count = Counters()

    def process(self, doc, kept):
        own = dd.rank(doc)
        best = kept.get(self._key_of(doc, own))
        if best is not None and best != own:
            self._count(self._counter)
            yield TaggedOutput(REJECTS, self._reject_of(doc, best))
        else:
            yield doc


def _exact_reject(doc, kept):
    return dd.dedup_reject(doc, kept[1], dd.DUPLICATE, f"same cleaned body as {kept[1]} ({kept[2]})")


class DedupExact(beam.PTransform):
    """Documents with the same ``content_key``: the best-ranked one kept, the others rejects
    ``dedup/duplicate`` with ``duplicate_of``: ``docs -> (docs, rejects)``.

    Only (key, rank) pairs are shuffled (``CombinePerKey``: count and smallest rank); the
    keys held by more than one document (the duplicates: a small share) are a side input of
    the step that drops the copies, so the documents themselves are never grouped."""

    def expand(self, docs):
        kept = (
            docs
            | "KeyRank" >> beam.Map(lambda d: (_content_key(d), dd.rank(d)))
            | "CountMin" >> beam.CombinePerKey(_CountMin())
            | "Repeated" >> beam.Filter(lambda kv: kv[1][0] > 1)
            | "KeptRank" >> beam.Map(lambda kv: (kv[0], kv[1][1]))
        )
        out = docs | "DropCopies" >> beam.ParDo(
            _DropCopies(lambda d, own: _content_key(d), _exact_reject, "dedup_duplicate"),
            kept=beam.pvalue.AsDict(kept)).with_outputs(REJECTS, main="docs")
        return out.docs, out[REJECTS]


class _BandEntries(beam.DoFn):
    def __init__(self, settings: dd.DedupSettings) -> None:
        self._settings = settings

    def setup(self) -> None:
        self._count = Counters()

    def process(self, doc):
        (rank, sig), keys = dd.member(doc, self._settings)
        self._count("near_dup_signatures")
        if keys:
            yield TaggedOutput(SIGNATURES, (rank, sig))
        for key in keys:
            yield key, rank


class _CandidatePairs(beam.DoFn):
    def __init__(self, settings: dd.DedupSettings) -> None:
        self._settings = settings

    def setup(self) -> None:
        self._count = Counters()

    def process(self, item):
        _, ranks = item
        for pair in dd.candidate_pairs(ranks, self._settings, self._count):
            self._count("near_dup_candidate_pairs")
            yield pair


def _with_first_signature(item):
    """(a, {sig: [sig_a], pair: [b, ...]}) -> (b, (a, sig_a)) for each b."""
    a, grouped = item
    sigs = list(grouped["sig"])
    if not sigs:
        return
    for b in grouped["pair"]:
        yield b, (a, sigs[0])


class _Verify(beam.DoFn):
    """(b, {sig: [sig_b], half: [(a, sig_a), ...]}) -> (a, b) when the estimate is >= threshold."""

    def __init__(self, threshold: float) -> None:
        self._threshold = threshold

    def setup(self) -> None:
        self._count = Counters()

    def process(self, item):
        b, grouped = item
        sigs = list(grouped["sig"])
        if not sigs:
            return
        for a, sig_a in grouped["half"]:
            if dd.similarity(sig_a, sigs[0]) >= self._threshold:
                self._count("near_dup_verified_pairs")
                yield a, b


def _both_ways(edge):
    a, b = edge
    yield a, b
    yield b, a


def _propagate(item):
    node, grouped = item
    labels = list(grouped["label"])
    if not labels:
        return
    label = min(labels)
    yield node, label
    for neighbour in grouped["adj"]:
        yield neighbour, label


class DedupNear(beam.PTransform):
    """MinHash/LSH near-duplicate clusters; one kept per cluster: ``docs -> (docs, rejects)``.

    Shuffles per document ``bands`` entries of (band key, rank) and twice its signature
    (``4 * num_perm`` bytes, joined to the distinct candidate pairs to verify them), then
    ``rounds`` times the edges and labels of the documents that have a near duplicate; the
    labels of the copies (documents not kept) are the side input of the step that drops
    them (the documents are never grouped)."""

    def __init__(self, settings: dd.DedupSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, docs):
        s = self._settings
        bands = docs | "Bands" >> beam.ParDo(_BandEntries(s)).with_outputs(SIGNATURES, main="bands")
        sigs = bands[SIGNATURES]
        candidates = (
            bands.bands
            | "GroupBands" >> beam.GroupByKey()
            | "Candidates" >> beam.ParDo(_CandidatePairs(s))
            | "DistinctCandidates" >> beam.Distinct()
        )
        halves = (
            {"sig": sigs, "pair": candidates}
            | "JoinFirst" >> beam.CoGroupByKey()
            | "FirstSignature" >> beam.FlatMap(_with_first_signature)
        )
        edges = (
            {"sig": sigs, "half": halves}
            | "JoinSecond" >> beam.CoGroupByKey()
            | "Verify" >> beam.ParDo(_Verify(s.threshold))
        )
        adj = edges | "BothWays" >> beam.FlatMap(_both_ways)
        labels = (
            adj
            | "Nodes" >> beam.Keys()
            | "DistinctNodes" >> beam.Distinct()
            | "OwnLabel" >> beam.Map(lambda n: (n, n))
        )
        for i in range(s.rounds):
            labels = (
                {"label": labels, "adj": adj}
                | f"Round{i}Join" >> beam.CoGroupByKey()
                | f"Round{i}Send" >> beam.FlatMap(_propagate)
                | f"Round{i}Min" >> beam.CombinePerKey(min)
            )
        # Only the documents that are not their component's kept copy: a side input, so the
        # documents are not grouped again.
        copies = labels | "Copies" >> beam.Filter(lambda kv: kv[0] != kv[1])
        out = docs | "DropCopies" >> beam.ParDo(
            _DropCopies(lambda d, own: own, dd.near_reject, "dedup_near_duplicate"),
            kept=beam.pvalue.AsDict(copies)).with_outputs(REJECTS, main="docs")
        return out.docs, out[REJECTS]


class Dedup(beam.PTransform):
    """``--dedup``: ``off`` passes through, ``exact`` groups by content key, ``near`` also by MinHash."""

    def __init__(self, settings: dd.DedupSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, docs):
        if self._settings.mode == "off":
            return docs, docs.pipeline | "NoRejects" >> beam.Create([])
        docs, exact = docs | "Exact" >> DedupExact()
        if self._settings.mode == "exact":
            return docs, exact
        docs, near = docs | "Near" >> DedupNear(self._settings)
        return docs, (exact, near) | "DedupRejects" >> beam.Flatten()


def split_stages(name: str = SITE_STAGE):
    """:data:`STAGES` before the named stage and from it on."""
    names = [spec.name for spec in STAGES]
    i = names.index(name)
    return STAGES[:i], STAGES[i:]


class CleanCorpus(beam.PTransform):
    """Every cleaning stage with corpus knowledge: ``docs -> (articles, rejects)``.

    The per-document stages up to the line classifier; the per-site line counts learned from
    their output; the remaining stages with those counts as the ``site_lines`` side input
    (site boilerplate, finish, keys); then exact and near dedup (``--dedup``).
    """

    def __init__(self, resources: CleaningResources, boilerplate_mode: str = "auto",
                 site: sl.SiteSettings | None = None, dedup: dd.DedupSettings | None = None,
                 side: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._resources, self._mode = resources, boilerplate_mode
        self._site, self._dedup = site or sl.SiteSettings(), dedup or dd.DedupSettings()
        self._side = dict(side or {})

    def expand(self, docs):
        before, after = split_stages()
        docs, early = docs | "PerDocument" >> CleanDocuments(self._resources, self._mode, self._side, stages=before)
        side = dict(self._side)
        if self._site.enabled:
            site = docs | "LearnSiteBoilerplate" >> LearnSiteBoilerplate(self._site)
            side["site_lines"] = beam.pvalue.AsMultiMap(site)
        docs, late = docs | "WithCorpus" >> CleanDocuments(self._resources, self._mode, side, stages=after)
        docs, dups = docs | "Dedup" >> Dedup(self._dedup)
        return docs, (early, late, dups) | "CorpusRejects" >> beam.Flatten()


def corpus_site_settings(opts) -> sl.SiteSettings:
    """``--site_min_docs`` / ``--site_min_fraction`` from the pipeline options."""
    return sl.SiteSettings(min_docs=opts.site_min_docs, min_fraction=opts.site_min_fraction,
                           enabled=getattr(opts, "site_boilerplate", "on") != "off")


def corpus_dedup_settings(opts) -> dd.DedupSettings:
    """``--dedup`` / ``--near_dup_threshold`` from the pipeline options."""
    return dd.DedupSettings(mode=opts.dedup, threshold=opts.near_dup_threshold)
