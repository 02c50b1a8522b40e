"""Raw bytes: documents travel without them; stage rejects get them re-read from ``source`` by the writer."""

from __future__ import annotations

import bz2
import glob
import gzip
import json
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.main import build
from pipeline.options import PresswashOptions
from tests.conftest import FIXTURES, SAMPLE_ARTICLE, SAMPLES
from transforms.beam.io import AttachRawBytes, ReadDocuments
from transforms.document import Doc, Reject
from transforms.ingest.raw import RawBytes, local_open, needs_raw, read_raw, read_raw_many, split_source
from transforms.ingest.readers import ReadLimits, read_records

APPEAL_ONLY = b"Donate now\n\nSupport our journalism\n"


def _reader_docs(path: Path, limits: ReadLimits) -> list[Doc | Reject]:
    return list(read_records(str(path), lambda: open(path, "rb"), limits=limits))


@pytest.mark.parametrize("name, compress", [("lines.jsonl", None), ("lines.jsonl.gz", gzip.compress),
                                            ("lines.jsonl.bz2", bz2.compress)])
def test_jsonl_lines_reread_exactly_as_the_reader_read_them(tmp_path, name, compress):
    limits = ReadLimits(max_doc_bytes=400)
    lines = [json.dumps({"text": f"Story {i}\n\nBody of story {i}."}) for i in range(5)]
    content = "\r\n".join([lines[0], "", lines[1], json.dumps({"text": "x" * 1000}), lines[2], "   ", *lines[3:]])
    data = (content + "\n").encode()
    path = tmp_path / name
    path.write_bytes(compress(data) if compress else data)
    items = _reader_docs(path, limits)
    docs = [item for item in items if isinstance(item, Doc)]
    assert len(docs) == 5 and any(isinstance(i, Reject) and i.reason == "document_too_large" for i in items)
    found = read_raw_many(str(path), [d.source for d in docs], local_open, limits)
    assert {s: r.data for s, r in found.items()} == {d.source: d.raw for d in docs}
    assert all(r.error is None and r.size == len(r.data) for r in found.values())


def test_whole_file_reread_is_bounded_and_reports_the_full_size(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abcdefghij" * 100)
    raw = read_raw(str(path), str(path), local_open, ReadLimits(max_reject_raw_bytes=64))
    assert raw == RawBytes(b"abcdefghij" * 6 + b"abcd", 1000, None)


def test_unreadable_sources_give_an_error_not_an_exception(tmp_path):
    missing = str(tmp_path / "gone.jsonl")
    assert "FileNotFoundError" in read_raw(missing + ":3", missing, local_open).error
    path = tmp_path / "short.jsonl"
    path.write_text('{"text": "a"}\n')
    assert "not found" in read_raw(f"{path}:7", str(path), local_open).error
    assert "unknown source form" in read_raw(f"{path}#x", str(path), local_open).error
    assert "does not name a part" in read_raw("elsewhere.txt", str(path), local_open).error
    assert split_source("gs://b/x.jsonl:12", "gs://b/x.jsonl") == (":", "12")


def test_reader_rejects_and_payload_docs_keep_their_bytes():
    assert not needs_raw("read", b"") and not needs_raw("parse_jsonl", b"{bad")
    assert not needs_raw("finish", b"pubsub payload")  # e.g. a streaming message kept in Doc.raw
    assert needs_raw("finish", b"") and needs_raw("extract_html", b"")


def test_read_step_empties_doc_raw():
    """The bytes do not travel through the stages and the reshuffle."""
    with TestPipeline() as p:
        docs, _ = p | ReadDocuments([str(FIXTURES / "one_malformed.jsonl"), str(SAMPLE_ARTICLE)])
        assert_that(docs | beam.Map(lambda d: d.raw), equal_to([b""] * 3))


def test_attach_raw_bytes_rereads_stage_rejects_only(tmp_path):
    path = tmp_path / "only-appeal.txt"
    path.write_bytes(APPEAL_ONLY)
    gone = str(tmp_path / "gone.txt")
    rejects = [
        Reject("a", str(path), str(path), "finish", "empty_after_cleaning", "no text", b"", 0),
        Reject("b", gone, gone, "extract_html", "not_html", "not html", b"", 0),
        Reject("c", "x.txt", "x.txt", "read", "empty_input", "empty", b"", 0),
        Reject("d", "msg-1", "topic", "finish", "empty_after_cleaning", "", b"payload", 7),
    ]
    with TestPipeline() as p:
        out = p | beam.Create(rejects) | AttachRawBytes(ReadLimits(max_reject_raw_bytes=10))
        assert_that(out | beam.Map(lambda r: (r.id, r.raw, r.raw_size, "could not re-read" in r.error)),
                    equal_to([("a", APPEAL_ONLY[:10], len(APPEAL_ONLY), False), ("b", b"", 0, True),
                              ("c", b"", 0, False), ("d", b"payload", 7, False)]))


def test_stage_rejects_of_a_run_carry_the_original_bytes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "only-appeal.txt").write_bytes(APPEAL_ONLY)
    good = (SAMPLES / "articles.jsonl").read_bytes().splitlines()[0]
    appeal_line = json.dumps({"id": "appeal", "text": "Subscribe now\n\nAlready a subscriber? Log in"}).encode()
    (folder / "lines.jsonl.gz").write_bytes(gzip.compress(good + b"\n" + appeal_line + b"\n"))
    (folder / "page.html").write_bytes(b"<html><body></body></html>")
    out = tmp_path / "out"
    options = PipelineOptions(["--input", str(folder / "*"), "--output", str(out)])
    p = beam.Pipeline(options=options)
    build(p, options.view_as(PresswashOptions))
    p.run().wait_until_finish()
    rows = [r for f in glob.glob(str(out / "rejects-*.parquet")) for r in pq.read_table(f).to_pylist()]
    by_name = {Path(r["source"]).name: r for r in rows}
    assert set(by_name) == {"only-appeal.txt", "lines.jsonl.gz:2", "page.html"}, [(r["source"], r["stage"], r["reason"], r["error"][:2000]) for r in rows]
    assert by_name["only-appeal.txt"]["stage"] == "finish"
    assert by_name["only-appeal.txt"]["raw"] == APPEAL_ONLY and by_name["only-appeal.txt"]["raw_size"] == len(APPEAL_ONLY)
    assert by_name["lines.jsonl.gz:2"]["raw"] == appeal_line and by_name["lines.jsonl.gz:2"]["id"] == "appeal"
    assert by_name["page.html"]["stage"] == "extract_html"
    assert by_name["page.html"]["raw"] == b"<html><body></body></html>"

