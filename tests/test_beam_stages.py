"""Beam stage tests with TestPipeline: outputs, rejects with their stage, reading."""

from __future__ import annotations

import json
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import FIXTURES, SAMPLE_ARTICLE
from transforms.beam.io import ReadDocuments
from transforms.beam.stages import CleanDocuments, DedupHeadline, NormalizeText, RemoveEditorialAppeals
from transforms.document import Doc
from transforms.ingest.readers import ReadLimits


def text_doc(doc_id: str, text: str, fmt: str = "text") -> Doc:
    return Doc(id=doc_id, source=f"mem:{doc_id}", file="mem", raw=text.encode(), input_format=fmt, text=text)


def test_normalize_and_headline_stages():
    with TestPipeline() as p:
        docs = p | beam.Create([text_doc("a", "Title here\n\nTitle here\n\n““Quote” body.")])
        docs, rejects1 = docs | "Norm" >> NormalizeText()
        docs, rejects2 = docs | "Head" >> DedupHeadline()
        assert_that(docs | beam.Map(lambda d: (d.title, d.paragraphs)), equal_to([("Title here", ["“Quote” body."])]),
                    label="docs")
        assert_that((rejects1, rejects2) | beam.Flatten(), equal_to([]), label="no_rejects")


def test_appeals_stage_removes_block(resources):
    text = (FIXTURES / "appeal_in_middle.txt").read_text()
    with TestPipeline() as p:
        docs = p | beam.Create([text_doc("a", text)]) | "Norm" >> NormalizeText()
        docs = docs[0]
        cleaned, _ = docs | RemoveEditorialAppeals(resources.appeals)
        assert_that(
            cleaned | beam.Map(lambda d: sorted(r.text for r in d.removed if r.kind == "editorial_appeal")),
            equal_to([sorted(["Support our journalism", "Donate now",
                              "Independent reporting like this costs money. If you value it, please make a donation today."])]),
        )


def test_clean_documents_routes_failures_to_rejects(resources):
    docs = [
        text_doc("good", SAMPLE_ARTICLE.read_text(encoding="utf-8")),
        text_doc("empty", "   \n\n  "),
        text_doc("html-garbage", "\x00\x01 not html at all", fmt="html"),
    ]
    with TestPipeline() as p:
        articles, rejects = p | beam.Create(docs) | CleanDocuments(resources)
        assert_that(articles | beam.Map(lambda d: (d.id, len(d.paragraphs))), equal_to([("good", 18)]),
                    label="articles")
        assert_that(rejects | beam.Map(lambda r: (r.id, r.stage, r.reason)),
                    equal_to([("empty", "finish", "empty_after_cleaning"),
                              ("html-garbage", "extract_html", "not_html")]),
                    label="rejects")


def test_read_documents_jsonl_with_malformed_line():
    with TestPipeline() as p:
        docs, rejects = p | ReadDocuments([str(FIXTURES / "one_malformed.jsonl")], "auto", ReadLimits())
        assert_that(docs | beam.Map(lambda d: (d.id, d.source.rsplit(":", 1)[1])), equal_to([("a1", "1"), ("a3", "3")]),
                    label="docs")
        assert_that(rejects | beam.Map(lambda r: (r.stage, r.reason, r.source.rsplit(":", 1)[1])),
                    equal_to([("parse_jsonl", "malformed_json", "2")]), label="rejects")


def test_large_files_are_redistributed_document_by_document(resources, tmp_path):
    """A file over ``redistribute_bytes`` has its documents spread one by one; the cleaned output is the same."""
    from transforms.beam.corpus import CleanCorpus

    corpus = FIXTURES / "corpus"
    files = [str(FIXTURES / "one_malformed.jsonl"), str(SAMPLE_ARTICLE)] + sorted(
        str(p) for p in corpus.glob("*.jsonl"))
    sizes = sorted(Path(f).stat().st_size for f in files)
    threshold = sizes[-1]  # the largest file is "large", the others are read and cleaned in place

    with TestPipeline() as p:  # every file read and cleaned in place
        docs, _ = p | "Plain" >> ReadDocuments(files, "auto", ReadLimits(), redistribute_bytes=10**12)
        articles, _ = docs | CleanCorpus(resources)
        (articles | beam.Map(lambda d: json.dumps([d.id, d.paragraphs]))
         | beam.io.WriteToText(str(tmp_path / "plain"), num_shards=1, shard_name_template=""))
    expected = {doc_id: tuple(paragraphs) for doc_id, paragraphs in
                (json.loads(line) for line in (tmp_path / "plain").read_text().splitlines())}
    assert len(expected) >= 10
    with TestPipeline() as p:
        parts, _ = p | ReadDocuments(files, "auto", ReadLimits(), redistribute_bytes=threshold, split=True)
        small, large = parts
        assert_that(large | "LargeSources" >> beam.Map(lambda d: d.file) | beam.Distinct(),
                    equal_to([f for f in files if Path(f).stat().st_size >= threshold]), label="large")
        articles, _ = parts | CleanCorpus(resources)
        assert_that(articles | beam.Map(lambda d: (d.id, tuple(d.paragraphs))), equal_to(sorted(expected.items())),
                    label="same_articles")


def test_stage_arguments_are_loaded_once_per_process(resources):
    """Every instance of the stages' DoFn unpickled in one process shares one loaded copy of the
    stage arguments (the cleaning resources), and a copy made elsewhere still cleans the same."""
    from apache_beam.internal import pickler

    from transforms.beam.corpus import split_stages
    from transforms.beam.stages import _SharedArgs, _StagesFn
    from transforms.clean import CleanSettings, clean_doc

    before, _ = split_stages()

    def make():  # as CleanDocuments builds it: its own dict of the same arguments
        return _StagesFn(before, {s.name: dict(s.args(resources, CleanSettings())) for s in before})

    first, second = pickler.loads(pickler.dumps(make())), pickler.loads(pickler.dumps(make()))
    assert first._kwargs is second._kwargs
    assert first._kwargs["boilerplate"]["resources"] is not resources.boilerplate  # a loaded copy
    first.setup()
    doc = Doc(id="a", source="s", file="s", raw=b"", input_format="text", text=SAMPLE_ARTICLE.read_text())
    (out,) = [o for o in first.process(doc) if isinstance(o, Doc)]
    expected = clean_doc(doc, resources, until="site_boilerplate")
    assert out.paragraphs == expected.paragraphs and out.title == expected.title

    # Arguments plain pickle cannot take are left to Beam's pickler (one load per instance).
    odd = _StagesFn(before[:1], {before[0].name: {"f": lambda x: x}})
    assert not isinstance(odd.__getstate__()["_kwargs"], _SharedArgs)
    assert pickler.loads(pickler.dumps(odd))._kwargs[before[0].name]["f"](3) == 3
