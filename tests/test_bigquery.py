"""BigQuery schema derived from the Parquet schemas, and the row conversion, field by field."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA, article_row, reject_row
from schemas.bigquery import bigquery_row, field_schema, parse_table, table_schema
from transforms.document import Caption, Comment, Doc, Reject, Removed, Segment

# Every field of ARTICLE_SCHEMA, written out by hand: what BigQuery must get.
EXPECTED_ARTICLE_FIELDS = [
    ("id", "STRING", "REQUIRED"), ("source", "STRING", "REQUIRED"), ("url", "STRING", "NULLABLE"),
    ("domain", "STRING", "NULLABLE"), ("title", "STRING", "NULLABLE"), ("subtitle", "STRING", "NULLABLE"),
    ("authors", "STRING", "REPEATED"), ("contributors", "STRING", "REPEATED"),
    ("published", "TIMESTAMP", "NULLABLE"), ("captions", "RECORD", "REPEATED"),
    ("paragraphs", "STRING", "REPEATED"), ("body", "STRING", "NULLABLE"), ("language", "STRING", "NULLABLE"),
    ("language_score", "FLOAT", "NULLABLE"), ("word_count", "INTEGER", "NULLABLE"),
    ("comments", "RECORD", "REPEATED"), ("removed", "RECORD", "REPEATED"), ("content_hash", "STRING", "NULLABLE"),
    ("input_format", "STRING", "NULLABLE"), ("pipeline_version", "STRING", "NULLABLE"),
    ("metadata", "RECORD", "REPEATED"),
]
NESTED = {
    "captions": [("text", "STRING", "NULLABLE"), ("credit", "STRING", "NULLABLE")],
    "comments": [("author", "STRING", "NULLABLE"), ("text", "STRING", "NULLABLE"),
                 ("published", "TIMESTAMP", "NULLABLE")],
    "removed": [("kind", "STRING", "NULLABLE"), ("text", "STRING", "NULLABLE"), ("line", "INTEGER", "NULLABLE"),
                ("detail", "STRING", "NULLABLE")],
    "metadata": [("key", "STRING", "REQUIRED"), ("value", "STRING", "NULLABLE")],
}


def _triples(fields):
    return [(f["name"], f["type"], f["mode"]) for f in fields]


def test_article_schema_maps_every_field():
    fields = table_schema(ARTICLE_SCHEMA)["fields"]
    if [f.name for f in ARTICLE_SCHEMA] != [name for name, _, _ in EXPECTED_ARTICLE_FIELDS]:
        pytest.fail("ARTICLE_SCHEMA changed: update EXPECTED_ARTICLE_FIELDS (and check the BigQuery table)")
    assert _triples(fields) == EXPECTED_ARTICLE_FIELDS
    for field in fields:
        if field["name"] in NESTED:
            assert _triples(field["fields"]) == NESTED[field["name"]], field["name"]
        else:
            assert "fields" not in field


def test_reject_schema_maps_every_field():
    assert _triples(table_schema(REJECT_SCHEMA)["fields"]) == [
        ("id", "STRING", "REQUIRED"), ("source", "STRING", "REQUIRED"), ("stage", "STRING", "REQUIRED"),
        ("reason", "STRING", "REQUIRED"), ("error", "STRING", "NULLABLE"), ("raw", "BYTES", "NULLABLE"),
        ("raw_size", "INTEGER", "NULLABLE"), ("duplicate_of", "STRING", "NULLABLE"),
        ("pipeline_version", "STRING", "NULLABLE"),
    ]


def test_schema_is_accepted_by_the_bigquery_clients():
    from apache_beam.io.gcp.bigquery_tools import parse_table_schema_from_json
    from google.cloud.bigquery import SchemaField

    schema = table_schema(ARTICLE_SCHEMA)
    parsed = parse_table_schema_from_json(json.dumps(schema))
    assert [f.name for f in parsed.fields] == [f.name for f in ARTICLE_SCHEMA]
    api_fields = [SchemaField.from_api_repr(f) for f in schema["fields"]]
    assert api_fields[9].field_type == "RECORD" and api_fields[9].mode == "REPEATED"


def test_unknown_arrow_type_is_a_clear_error():
    with pytest.raises(TypeError, match="no BigQuery type"):
        field_schema("x", pa.duration("s"))


def _article() -> Doc:
    doc = Doc(id="a1", source="s3://bucket/a.jsonl:1", file="s3://bucket/a.jsonl", raw=b"{}", input_format="html",
              url="https://www.news.example/a", title="Title", subtitle=None, authors=["Ann Lee"],
              contributors=[], published="2026-03-01T10:30:00+02:00",
              captions=[Caption("A bridge.", "Photo: Bo Li"), Caption("No credit")],
              segments=[Segment("First paragraph.", 2, 1), Segment("Second one.", 4, 2)],
              removed=[Removed("headline", "Title", 0, None), Removed("boilerplate", "Share this", None, "share")],
              language="en", language_score=0.5, metadata={"sitename": "News", "encoding": "utf-8"},
              comments=[Comment("Great piece", "reader1", "2026-03-01T12:00:00Z"), Comment("No date")],
              domain="news.example", content_key="k" * 64)
    return doc


def test_article_row_conversion_field_by_field():
    row = article_row(_article())
    bq = bigquery_row(row, ARTICLE_SCHEMA)
    assert list(bq) == [f.name for f in ARTICLE_SCHEMA]
    expected = {
        "id": "a1", "source": "s3://bucket/a.jsonl:1", "url": "https://www.news.example/a",
        "domain": "news.example", "title": "Title", "subtitle": None, "authors": ["Ann Lee"], "contributors": [],
        "published": "2026-03-01T08:30:00+00:00",
        "captions": [{"text": "A bridge.", "credit": "Photo: Bo Li"}, {"text": "No credit", "credit": None}],
        "paragraphs": ["First paragraph.", "Second one."], "body": "First paragraph.\n\nSecond one.",
        "language": "en", "language_score": 0.5, "word_count": row["word_count"],
        "comments": [{"author": "reader1", "text": "Great piece", "published": "2026-03-01T12:00:00+00:00"},
                     {"author": None, "text": "No date", "published": None}],
        # the Parquet row's structs as they are (their line numbering is schemas.articles' business)
        "removed": [{"kind": "headline", "text": "Title", "line": row["removed"][0]["line"], "detail": None},
                    {"kind": "boilerplate", "text": "Share this", "line": None, "detail": "share"}],
        "content_hash": "k" * 64, "input_format": "html", "pipeline_version": row["pipeline_version"],
        "metadata": [{"key": "encoding", "value": "utf-8"}, {"key": "sitename", "value": "News"}],
    }
    for name, value in expected.items():
        assert bq[name] == value, name
    assert isinstance(bq["word_count"], int) and bq["word_count"] == 4  # first, paragraph, second, one
    json.dumps(bq)  # the file-loads form is plain JSON


def test_storage_write_form_uses_beam_timestamps_and_bytes():
    from apache_beam.utils.timestamp import Timestamp

    bq = bigquery_row(article_row(_article()), ARTICLE_SCHEMA, beam_timestamps=True)
    assert bq["published"] == Timestamp.from_utc_datetime(datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc))
    assert isinstance(bq["comments"][0]["published"], Timestamp)


def test_reject_row_bytes_are_base64_in_json_form():
    reject = Reject("r1", "pubsub:9", "pubsub:9", "dedup", "duplicate", "same text", b"\x00\xffraw", 5,
                    duplicate_of="a1")
    bq = bigquery_row(reject_row(reject), REJECT_SCHEMA)
    assert base64.b64decode(bq["raw"]) == b"\x00\xffraw"
    assert (bq["duplicate_of"], bq["raw_size"]) == ("a1", 5)


@pytest.mark.parametrize("spec, ok", [
    ("my-project-123:news.articles", True), ("my-project-123.news.articles", True),
    ("news.articles", False), ("bigquery://p/d/t", False), ("", False),
])
def test_table_spec(spec, ok):
    if ok:
        assert parse_table(spec) == ("my-project-123", "news", "articles")
    else:
        with pytest.raises(ValueError, match="PROJECT:DATASET.TABLE"):
            parse_table(spec)
