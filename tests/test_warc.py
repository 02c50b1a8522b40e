"""WARC input (transforms/ingest/warc.py): record by record, documents and rejects with reasons."""

from __future__ import annotations

import gzip
import io
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.fixtures.corpus import build
from transforms.document import Doc, Reject
from transforms.ingest.raw import local_open, read_raw
from transforms.ingest.readers import ReadLimits, read_records, sniff_format
from transforms.ingest.warc import parse_warc_source, read_warc_record
from transforms.keys import source_id


def _read(path: Path, **kwargs) -> list[Doc | Reject]:
    return list(read_records(str(path), lambda: open(path, "rb"), **kwargs))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build.write_corpus(tmp_path_factory.mktemp("corpus"))


def _warc(records, gz: bool = True) -> bytes:
    """A WARC written with warcio: ``records`` are (url, payload, content type, status, extra http headers)."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, payload, content_type, status, extra in records:
        http = StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))
    return buf.getvalue()


PAGE = ("<html><head><title>Ferry back</title></head><body><article><h1>Ferry back</h1>"
        "<p>The harbour ferry resumed its crossings on Tuesday after the storm had stopped it for three days.</p>"
        "<p>Engineers found only minor damage to the landing stages and the railings.</p></article></body></html>")


def test_fixture_warc_documents_and_rejects_in_file_order(corpus):
    items = _read(corpus["warc"])
    _, names = build.warc_bytes()
    # warcinfo, request and metadata records are not documents: one item per response/conversion record.
    assert len(items) == len(names) == 18
    outcome = {name: ("article" if isinstance(item, Doc) else (item.stage, item.reason))
               for name, item in zip(names, items)}
    for name in build.WARC_ONLY:
        assert outcome[name] == build.EXPECTED[name][:2], name
    assert [name for name, o in outcome.items() if o == "article"] == [n for n in names if n not in build.WARC_ONLY]
    docs = [item for item in items if isinstance(item, Doc)]
    assert Counter(d.input_format for d in docs) == {"html": 13, "text": 1}


def test_response_record_fields(corpus):
    path = str(corpus["warc"])
    first = _read(corpus["warc"])[0]
    assert first.url == "https://www.ledger.example/2024/03/01/bridge"
    assert first.metadata["fetch_time"] == "2024-03-10T00:00:00Z"
    assert first.metadata["warc_record_id"] == "<urn:uuid:00000000-0000-4000-8000-000000000002>"
    assert first.metadata["http_charset"] == "utf-8" and first.metadata["encoding"] == "utf-8"
    file, offset = parse_warc_source(first.source)
    assert file == path and offset > 0  # after the warcinfo and request records
    assert first.id == source_id(first.source) and first.file == path
    assert "Bridge repairs to start in autumn" in first.text


def test_conversion_record_is_a_text_document(corpus):
    [wet] = [d for d in _read(corpus["warc"]) if isinstance(d, Doc) and d.input_format == "text"]
    assert wet.url == "https://notes.example/summary"
    assert wet.text.startswith("Summary of the week")
    assert wet.metadata["warc_type"] == "conversion"


def test_reject_reasons_and_raw_bytes(corpus):
    rejects = {r.reason: r for r in _read(corpus["warc"]) if isinstance(r, Reject)}
    assert rejects["unsupported_content_type"].raw.startswith(b"\x89PNG")
    assert "image/png" in rejects["unsupported_content_type"].error
    assert rejects["http_status"].error == "HTTP status 404"
    truncated = [r for r in _read(corpus["warc"]) if isinstance(r, Reject) and r.reason == "truncated_record"]
    assert len(truncated) == 2
    assert any("WARC-Truncated" in r.error for r in truncated)
    cut = next(r for r in truncated if "declared" in r.error)
    assert 0 < len(cut.raw) < cut.raw_size  # the bytes that were there, and the size the record declared


def test_read_warc_record_returns_the_payload_the_reader_saw(corpus):
    for doc in _read(corpus["warc"])[:3]:
        file, offset = parse_warc_source(doc.source)
        assert read_warc_record(file, offset, 10**7) == doc.raw
        assert read_warc_record(file, offset, 100) == doc.raw[:100]
    # and through the rejects writer's dispatch (transforms/ingest/raw.py)
    doc = _read(corpus["warc"])[5]
    again = read_raw(doc.source, doc.file, local_open, ReadLimits())
    assert again.error is None and again.data == doc.raw


def test_records_over_max_doc_bytes_are_rejected_and_the_file_goes_on(corpus):
    items = _read(corpus["warc"], limits=ReadLimits(max_doc_bytes=2000))
    assert len(items) == 18
    too_large = [i for i in items if isinstance(i, Reject) and i.reason == "document_too_large"]
    assert too_large and all("--max_doc_bytes" in r.error for r in too_large)
    assert any(isinstance(i, Doc) for i in items)  # the smaller records are still read


def test_plain_and_gzip_warc_give_the_same_documents(tmp_path):
    records = [(f"https://example.org/{i}", PAGE.replace("Tuesday", f"day {i}").encode(), "text/html", "200 OK", [])
               for i in range(3)]
    (tmp_path / "a.warc").write_bytes(_warc(records, gz=False))
    (tmp_path / "a.warc.gz").write_bytes(_warc(records, gz=True))
    plain, zipped = _read(tmp_path / "a.warc"), _read(tmp_path / "a.warc.gz")
    assert [d.text for d in plain] == [d.text for d in zipped] and len(plain) == 3
    assert [d.url for d in plain] == [f"https://example.org/{i}" for i in range(3)]


def test_http_charset_is_used_for_decoding(tmp_path):
    page = PAGE.replace("Ferry back", "Fähre zurück").encode("iso-8859-1")
    (tmp_path / "l.warc.gz").write_bytes(_warc([("https://example.de/", page, "text/html; charset=ISO-8859-1",
                                                "200 OK", [])]))
    [doc] = _read(tmp_path / "l.warc.gz")
    assert "Fähre zurück" in doc.text
    assert doc.metadata["http_charset"] == "iso-8859-1" and doc.metadata["encoding"] == "iso8859-1"


def test_utf8_page_labelled_latin1_is_read_as_utf8(tmp_path):
    page = PAGE.replace("Ferry back", "Fähre zurück").encode("utf-8")
    (tmp_path / "u.warc.gz").write_bytes(_warc([("https://example.de/", page, "text/html; charset=ISO-8859-1",
                                                "200 OK", [])]))
    [doc] = _read(tmp_path / "u.warc.gz")
    assert "Fähre zurück" in doc.text and doc.metadata["encoding"] == "utf-8"


def test_content_encoding_gzip_is_undone(tmp_path):
    (tmp_path / "z.warc.gz").write_bytes(_warc([("https://example.org/z", gzip.compress(PAGE.encode()), "text/html",
                                                "200 OK", [("Content-Encoding", "gzip")])]))
    [doc] = _read(tmp_path / "z.warc.gz")
    assert isinstance(doc, Doc) and "harbour ferry" in doc.text


def test_not_a_warc_is_one_reject(tmp_path):
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(gzip.compress(b"this is no WARC file\n" * 50))
    [reject] = _read(path)
    assert (reject.stage, reject.reason) == ("read", "corrupt_warc")


def test_broken_framing_keeps_the_records_before_it(tmp_path):
    good = _warc([(f"https://example.org/{i}", PAGE.encode(), "text/html", "200 OK", []) for i in range(2)], gz=False)
    path = tmp_path / "broken.warc"
    path.write_bytes(good + b"GARBAGE that is not a WARC header\r\n\r\n" + good)
    items = _read(path)
    assert [type(i).__name__ for i in items] == ["Doc", "Doc", "Reject"]
    assert items[-1].reason == "corrupt_warc" and "reading stopped" in items[-1].error


def test_warc_is_sniffed_without_extension(tmp_path):
    path = tmp_path / "crawl-0001"
    path.write_bytes(_warc([("https://example.org/", PAGE.encode(), "text/html", "200 OK", [])], gz=False))
    assert sniff_format(path.read_bytes()[:100]) == "warc"
    [doc] = _read(path)
    assert doc.url == "https://example.org/" and doc.source.startswith(str(path) + "@")


def test_fixture_files_are_up_to_date(tmp_path):
    """The checked-in fixture corpus is what the builder writes (python -m tests.fixtures.corpus.build)."""
    fresh = build.write_corpus(tmp_path)
    for key, path in fresh.items():
        assert (build.HERE / path.name).read_bytes() == path.read_bytes(), key
