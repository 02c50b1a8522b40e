"""Beam stages over the whole corpus: boilerplate learned per site, exact and near-duplicate articles.

Everything is keyed aggregation (no process-global state, no in-memory index), so the
DirectRunner, a multi-process DirectRunner and a distributed runner give the same output:

* :class:`LearnSiteBoilerplate`: ``CombinePerKey`` counts of distinct documents per
  ``(domain, line key)`` and per domain, a ``CoGroupByKey`` by domain applies the threshold;
  the result is the side input (``AsMultiMap``) of the ``site_boilerplate`` stage.
* :class:`Dedup`: from each document's ``(content_key, (rank, MinHash signature))``
  (computed where the document is cleaned: :func:`dedup_info`), ``CombinePerKey`` keeps the
  best-ranked copy per content key (exact duplicates); the survivors' MinHash band keys ->
  ``GroupByKey`` -> candidate pairs -> verified pairs -> connected components with a
  union-find ``CombineGlobally`` (every component whole, whatever its diameter); both
  decisions are side inputs of one step that drops the copies.
* :class:`CleanCorpus`: the per-document stages (which also emit each document's line keys),
  the site boilerplate, finish and keys stages run once for the dedup keys only, then again
  fused with the dedup step: the documents cross one stage boundary (stored once).

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
SITE_LINES = "site_lines"
DEDUP_INFO = "dedup_info"


def _first(values):
    """Any one of equal values, chosen deterministically (CombinePerKey)."""
    return min(values)


class LearnSiteBoilerplate(beam.PTransform):
    """Documents -> ``(domain, (line_hash, n_docs, domain_docs))`` for every line over the threshold.

    ``n_docs`` counts distinct bodies of the domain holding the line (equal bodies once).
    Use as ``beam.pvalue.AsMultiMap(...)`` for the ``site_lines`` side input.  With
    ``lines=True`` the input is already :func:`transforms.corpus.site_lines.doc_lines`
    records (what :class:`CleanCorpus` has the per-document stages emit), not documents.
    """

    def __init__(self, settings: sl.SiteSettings, lines: bool = False) -> None:
        super().__init__()
        self._settings, self._lines = settings, lines

    def expand(self, docs):
        settings = self._settings
        records = docs if self._lines else docs | "LineKeys" >> beam.Map(sl.doc_lines)
        distinct = (
            records
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
            | "LineOnes" >> beam.FlatMap(lambda kv: (((kv[0][0], key), 1) for key in sl.unpack_hashes(kv[1])))
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


def _content_key(doc) -> str:
    return doc.content_key or f"no-key:{doc.source}"


def dedup_info(settings: dd.DedupSettings):
    """``doc -> [(content key, (rank, signature))]``: all the dedup step needs of a document
    (the signature only in ``near`` mode), computed where the document already is."""
    near = settings.mode == "near"

    def info(doc):
        own = dd.rank(doc)
        sig = dd.signature_bytes(doc, settings) if near else b""
        return [(_content_key(doc), (own, sig))]

    return info


class _BestCopy(beam.CombineFn):
    """``(count, best (rank, signature))`` of the documents with one content key."""

    def create_accumulator(self):
        return 0, None

    def add_input(self, acc, value):
        count, best = acc
        return count + 1, value if best is None or value[0] < best[0] else best

    def merge_accumulators(self, accs):
        count, best = 0, None
        for c, b in accs:
            count += c
            if b is not None and (best is None or b[0] < best[0]):
                best = b
        return count, best

    def extract_output(self, acc):
        return acc


class _BandEntries(beam.DoFn):
    """A surviving copy's ``(rank, signature)`` -> its band entries ``(band key, rank)`` (and the
    signature on a side output for the verification joins)."""

    def __init__(self, settings: dd.DedupSettings) -> None:
        self._settings = settings

    def setup(self) -> None:
        self._count = Counters()

    def process(self, member):
        rank, sig = member
        keys = dd.band_keys_of(sig, self._settings)
        self._count("near_dup_signatures")
        if keys:
            yield TaggedOutput(SIGNATURES, (rank, sig))
        for key in keys:
            yield key, rank


def _memberships(item):
    """(band key, [rank, ...]) -> (rank, band key) for every member of a group of two or more."""
    key, ranks = item
    ranks = set(ranks)
    if len(ranks) > 1:
        for rank in ranks:
            yield rank, key


def _with_signature(item):
    """(rank, {sig: [sig], band: [key, ...]}) -> (band key, (rank, sig)) for each of its groups."""
    rank, grouped = item
    sigs = list(grouped["sig"])
    if not sigs:
        return
    for key in grouped["band"]:
        yield key, (rank, sigs[0])


class _VerifyGroup(beam.DoFn):
    """(band key, [(rank, sig), ...]) -> the group's pairs whose estimated Jaccard is >= threshold
    (``(rank_a, rank_b)``, rank_a < rank_b), compared at once with numpy (:func:`dedup.group_pairs`)."""

    def __init__(self, settings: dd.DedupSettings) -> None:
        self._settings = settings

    def setup(self) -> None:
        self._count = Counters()

    def process(self, item):
        _, members = item
        members = list(members)
        n = len(members)
        s = self._settings
        self._count("near_dup_candidate_pairs", dd.candidate_count(n, s))
        for a, b, _ in dd.group_pairs(members, s, self._count):
            yield a, b


class _Count(beam.DoFn):
    """Counts the elements that pass (Beam counter ``name``)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def setup(self) -> None:
        self._count = Counters()

    def process(self, element):
        self._count(self._name)
        yield element


class _Components(beam.CombineFn):
    """Verified pairs -> ``{node: smallest node of its component}`` for every node that is not its
    component's smallest (the copies to drop): union-find, merged across bundles and workers.

    The accumulator holds the documents that have a near duplicate (one entry each, a few
    hundred bytes); every component comes out whole, whatever its diameter."""

    def create_accumulator(self):
        return {}

    def add_input(self, parent, edge):
        dd.union(parent, *edge)
        return parent

    def merge_accumulators(self, accs):
        accs = list(accs)
        merged = accs[0]
        for other in accs[1:]:
            for node, up in other.items():
                dd.union(merged, node, up)
        return merged

    def extract_output(self, parent):
        return {node: root for node, root in dd.roots(parent).items() if node != root}


class _DropCopies(beam.DoFn):
    """Documents whose content key has another kept copy (``exact``: key -> kept rank), or whose
    near-duplicate component has a smaller rank (``near``: rank -> kept rank), become rejects."""

    def setup(self) -> None:
        self._count = Counters()

    def process(self, doc, exact, near):
        own = dd.rank(doc)
        kept = exact.get(_content_key(doc))
        if kept is not None and kept != own:
            self._count("dedup_duplicate")
            yield TaggedOutput(REJECTS, dd.exact_reject(doc, kept))
            return
        root = near.get(own)
        if root is not None:
            self._count("dedup_near_duplicate")
            yield TaggedOutput(REJECTS, dd.near_reject(doc, root))
            return
        yield doc


class NearComponents(beam.PTransform):
    """``(rank, signature)`` of distinct bodies -> one ``{copy rank: kept rank}`` dict (a singleton).

    Band entries ``(band key, rank)`` are grouped; each body in a group of two or more gets its
    signature joined to it (by rank), so each band group is verified at once where its members
    are (numpy over the group's signatures): what is shuffled is bounded by ``bands`` entries
    per body, whatever the number of candidate pairs.  The verified pairs go to one union-find
    combine."""

    def __init__(self, settings: dd.DedupSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, members):
        s = self._settings
        bands = members | "Bands" >> beam.ParDo(_BandEntries(s)).with_outputs(SIGNATURES, main="bands")
        in_groups = (
            bands.bands
            | "GroupBands" >> beam.GroupByKey()
            | "Memberships" >> beam.FlatMap(_memberships)
        )
        groups = (
            {"sig": bands[SIGNATURES], "band": in_groups}
            | "JoinSignatures" >> beam.CoGroupByKey()
            | "WithSignature" >> beam.FlatMap(_with_signature)
            | "GroupMembers" >> beam.GroupByKey()
        )
        edges = (
            groups
            | "VerifyGroups" >> beam.ParDo(_VerifyGroup(s))
            | "DistinctPairs" >> beam.Distinct()
            | "CountVerified" >> beam.ParDo(_Count("near_dup_verified_pairs"))
        )
        return edges | "Components" >> beam.CombineGlobally(_Components())


class Dedup(beam.PTransform):
    """``--dedup``: ``off`` passes through; ``exact`` drops copies with the same content key;
    ``near`` also drops the near duplicates (MinHash) among the remaining bodies:
    ``docs -> (docs, rejects)``.

    ``info`` is the documents' :func:`dedup_info` (``CleanCorpus`` has the cleaning step emit
    it); without it, it is computed here from ``docs``.  Only keys, ranks and signatures are
    shuffled; the documents are read once more, by the step that drops the copies (its side
    inputs: the repeated content keys with their kept rank, and the near-duplicate copies)."""

    def __init__(self, settings: dd.DedupSettings, info=None) -> None:
        super().__init__()
        self._settings, self._info = settings, info

    def expand(self, docs):
        s = self._settings
        if s.mode == "off":
            return docs, docs.pipeline | "NoRejects" >> beam.Create([])
        info = self._info if self._info is not None else docs | "Info" >> beam.FlatMap(dedup_info(s))
        best = info | "BestPerKey" >> beam.CombinePerKey(_BestCopy())
        exact = (
            best
            | "Repeated" >> beam.Filter(lambda kv: kv[1][0] > 1)
            | "KeptRank" >> beam.Map(lambda kv: (kv[0], kv[1][1][0]))
        )
        if s.mode == "near":
            near = (
                best
                | "Survivors" >> beam.Map(lambda kv: kv[1][1])
                | "Near" >> NearComponents(s)
            )
        else:
            near = docs.pipeline | "NoNear" >> beam.Create([{}])
        out = docs | "DropCopies" >> beam.ParDo(
            _DropCopies(), exact=beam.pvalue.AsDict(exact), near=beam.pvalue.AsSingleton(near),
        ).with_outputs(REJECTS, main="docs")
        return out.docs, out[REJECTS]


def _line_record(doc):
    """What a cleaned document adds to the per-site line counts (one record)."""
    return (sl.doc_lines(doc),)


def split_stages(name: str = SITE_STAGE):
    """:data:`STAGES` before the named stage and from it on."""
    names = [spec.name for spec in STAGES]
    i = names.index(name)
    return STAGES[:i], STAGES[i:]


class CleanCorpus(beam.PTransform):
    """Every cleaning stage with corpus knowledge: ``docs -> (articles, rejects)``.

    The per-document stages up to the line classifier, which also emit each document's line
    keys; the per-site line counts learned from those; the remaining stages with the counts
    as the ``site_lines`` side input (site boilerplate, finish, keys), which also emit each
    document's dedup keys; then the step that drops exact and near duplicates (``--dedup``).
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
        learn = self._site.enabled
        outputs = {SITE_LINES: _line_record} if learn else None
        # Several parts (ReadDocuments(split=True)): each is cleaned where it was read, then the cleaned
        # documents are flattened (a Flatten before cleaning would make the DirectRunner store every document).
        parts = docs if isinstance(docs, (tuple, list)) else (docs,)
        cleaned, early, lines = [], [], []
        for i, part in enumerate(parts):
            label = "PerDocument" if i == 0 else f"PerDocument{i}"
            part_docs, part_rejects, *part_lines = part | label >> CleanDocuments(
                self._resources, self._mode, self._side, stages=before, outputs=outputs)
            cleaned.append(part_docs)
            early.append(part_rejects)
            lines.extend(part_lines)
        if len(parts) == 1:
            docs, early = cleaned[0], early[0]
        else:
            docs = cleaned | "CleanedParts" >> beam.Flatten()
            early = early | "EarlyRejects" >> beam.Flatten()
        side = dict(self._side)
        if learn:
            records = lines[0] if len(lines) == 1 else lines | "LineParts" >> beam.Flatten()
            site = records | "LearnSiteBoilerplate" >> LearnSiteBoilerplate(self._site, lines=True)
            side["site_lines"] = beam.pvalue.AsMultiMap(site)
        info = None
        if self._dedup.mode != "off":
            # The late stages (site boilerplate, finish, keys) are cheap and deterministic: they run twice
            # over the stored documents, once for the dedup keys only, once (with the dedup decisions as
            # side inputs) for the articles.  So the runner stores the documents once, not again between
            # the late stages and the dedup step (the DirectRunner keeps every stored collection to the end).
            _, _, info = docs | "DedupKeys" >> CleanDocuments(
                self._resources, self._mode, side, stages=after,
                outputs={DEDUP_INFO: dedup_info(self._dedup)}, only_outputs=True)
        docs, late = docs | "WithCorpus" >> CleanDocuments(self._resources, self._mode, side, stages=after)
        docs, dups = docs | "Dedup" >> Dedup(self._dedup, info)
        return docs, (early, late, dups) | "CorpusRejects" >> beam.Flatten()


def corpus_site_settings(opts) -> sl.SiteSettings:
    """``--site_min_docs`` / ``--site_min_fraction`` from the pipeline options."""
    return sl.SiteSettings(min_docs=opts.site_min_docs, min_fraction=opts.site_min_fraction,
                           enabled=getattr(opts, "site_boilerplate", "on") != "off")


def corpus_dedup_settings(opts) -> dd.DedupSettings:
    """``--dedup`` / ``--near_dup_threshold`` from the pipeline options."""
    return dd.DedupSettings(mode=opts.dedup, threshold=opts.near_dup_threshold)
