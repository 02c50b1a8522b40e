"""Streaming: Pub/Sub messages -> documents, cross-window dedup with a TTL, per-window files (TestStream).

The real Pub/Sub path (the emulator) is tests/test_pubsub_emulator.py.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.io.gcp.pubsub import PubsubMessage
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing import test_stream
from apache_beam.transforms.window import TimestampedValue

from pipeline.options import PresswashOptions
from pipeline.streaming import StreamingUsageError, check_streaming_options, stream_settings
from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA
from transforms.beam.streaming import StreamDocuments, StreamSettings, window_file_naming
from transforms.document import Doc, Reject
from transforms.keys import source_id
from transforms.streaming.dedup import Seen, exact_verdict, first_duplicate, near_verdict
from transforms.streaming.messages import message_records
from transforms.streaming.windows import window_summary

PARK = ("The city council voted on Tuesday to expand the river park by forty acres, adding walking trails, "
        "a boat launch and a community garden near the old mill. The plan, first proposed three years ago by a "
        "group of neighbours, was approved by seven votes to two after a long debate about parking and noise. "
        "Work is expected to begin next spring and to last about eighteen months, the mayor said, and the "
        "county will pay for most of it from a fund set aside for flood protection along the river banks.")
SNOW = ("Heavy snow closed three mountain passes on Monday night and left hundreds of drivers stranded at "
        "rest stops, the highway authority said. Crews worked through the night to clear the roads, and the "
        "main pass reopened shortly after dawn with chains required for all vehicles. Forecasters expect "
        "another storm later this week and urged people to avoid travel unless it is necessary.")
CONCERTS = ("The regional orchestra announced a season of free concerts in public libraries, starting with a "
            "programme of chamber music for children in the old town branch. The director said the aim was to "
            "bring people who never go to a concert hall closer to live music, and that tickets would not be "
            "needed. The first concert takes place on the second Saturday of next month.")


def _json_message(doc_id: str, text: str, message_id: str, **attributes) -> PubsubMessage:
    data = json.dumps({"id": doc_id, "title": f"Story {doc_id}", "text": text}).encode()
    return PubsubMessage(data, attributes, message_id=message_id)


# ---------------------------------------------------------------- pure: messages


def test_json_message_uses_its_id_and_attributes_go_to_metadata():
    (doc,) = message_records(json.dumps({"id": "a1", "text": PARK, "url": "https://x.example/a"}).encode(),
                             {"source_feed": "rss"}, "m-1")
    assert isinstance(doc, Doc)
    assert (doc.id, doc.url, doc.input_format) == ("a1", "https://x.example/a", "text")
    assert doc.metadata["source_feed"] == "rss" and doc.metadata["pubsub_message_id"] == "m-1"


def test_message_without_id_is_named_by_message_id_or_path():
    (doc,) = message_records(json.dumps({"text": PARK}).encode(), {}, "m-2")
    assert doc.id == source_id("pubsub:m-2") and doc.source == "pubsub:m-2"
    # published from a file: the same id and source as a batch run over that file
    (line,) = message_records(json.dumps({"text": PARK}).encode(), {"path": "/data/a.jsonl"}, "m-5")
    assert (line.id, line.source) == (source_id("/data/a.jsonl:1"), "/data/a.jsonl:1")
    (page,) = message_records(b"<html><body><p>" + PARK.encode() + b"</p></body></html>",
                              {"path": "/data/pages/a.html"}, "m-3")
    assert (page.id, page.source, page.input_format) == (source_id("/data/pages/a.html"), "/data/pages/a.html", "html")


def test_raw_text_message_is_one_text_document():
    (doc,) = message_records(PARK.encode(), {}, "m-4")
    assert doc.input_format == "text" and doc.text.startswith("The city council")


@pytest.mark.parametrize("data, stage, reason", [
    (b'{"id": "x", "text": ', "parse_jsonl", "malformed_json"),
    (b"", "read", "empty_input"),
    (b"   \n ", "read", "empty_input"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "decode", "binary_content"),
    (b'{"id": "x"}', "parse_jsonl", "missing_text"),
    (b'{"text": 5}', "parse_jsonl", "invalid_field_type"),
])
def test_bad_messages_are_rejects_with_a_reason(data, stage, reason):
    records = message_records(data, {}, "bad-1")
    assert len(records) == 1
    (reject,) = records
    assert isinstance(reject, Reject)
    assert (reject.stage, reject.reason) == (stage, reason)
    assert reject.source == "pubsub:bad-1"


# ---------------------------------------------------------------- pure: dedup decisions, summaries, names


def test_exact_verdict_respects_the_ttl():
    seen = Seen("a", 100.0)
    assert exact_verdict(None, "b", 50.0, ttl=60) is None
    assert exact_verdict(seen, "b", 159.9, ttl=60) == "a"
    assert exact_verdict(seen, "b", 160.0, ttl=60) is None  # expired: the later copy is kept
    assert exact_verdict(seen, "a", 120.0, ttl=60) == "a"  # the same id again (redelivery) is a duplicate too


def test_near_verdict_needs_the_signature_estimate():
    from transforms.corpus.minhash import signature

    seen = Seen("snow-1", 0.0, signature(SNOW))
    assert near_verdict(seen, "snow-2", signature(SNOW.replace("hundreds of", "many")), 10.0, ttl=60) == "snow-1"
    assert near_verdict(seen, "park", signature(PARK), 10.0, ttl=60) is None
    assert near_verdict(seen, "snow-2", signature(SNOW), 70.0, ttl=60) is None
    assert first_duplicate([None, "k2", "k1"]) == "k1" and first_duplicate([None, ""]) is None


def test_window_summary_balance():
    from collections import Counter

    row = window_summary(Counter({"documents_read": 2, "articles_written": 1}), "s", "e")
    assert row["balanced"] is False
    assert window_summary(Counter(), None, None)["balanced"] is True


def test_window_file_names_carry_the_window_and_later_firings(tmp_path):
    from apache_beam.transforms.window import IntervalWindow

    name = window_file_naming(str(tmp_path), "articles", ".parquet")
    win = IntervalWindow(60, 120)
    first = name(win, None, 0, 2, "", None)
    assert first == "articles-19700101T000100Z-19700101T000200Z-00000-of-00002.parquet"
    (tmp_path / first).write_bytes(b"x")
    assert name(win, None, 1, 2, "", None) == "articles-19700101T000100Z-19700101T000200Z-pane1-00001-of-00002.parquet"


# ---------------------------------------------------------------- options


def _options(*args: str) -> PipelineOptions:
    return PipelineOptions(list(args))


@pytest.mark.parametrize("args, message", [
    (("--streaming",), "--streaming needs an unbounded source"),
    (("--streaming", "--input_subscription", "projects/p/subscriptions/s", "--input_topic", "projects/p/topics/t"),
     "not both"),
    (("--streaming", "--input_topic", "projects/p/topics/t", "--input", "x/*.txt"), "--input is for batch runs"),
])
def test_streaming_option_errors(args, message):
    with pytest.raises(StreamingUsageError, match=re.escape(message)):
        check_streaming_options(_options(*args))


def test_a_pubsub_source_switches_streaming_on():
    from apache_beam.options.pipeline_options import StandardOptions

    opts = _options("--input_subscription", "projects/p/subscriptions/s")
    check_streaming_options(opts)
    assert opts.view_as(StandardOptions).streaming is True
    with pytest.raises(StreamingUsageError, match="--input is for batch runs"):
        check_streaming_options(_options("--input_topic", "projects/p/topics/t", "--input", "x/*.txt"))


def test_streaming_options_give_the_settings():
    opts = _options("--streaming", "--input_topic", "projects/p/topics/t", "--window_seconds", "5",
                    "--dedup_ttl_seconds", "30")
    check_streaming_options(opts)
    settings = stream_settings(opts.view_as(PresswashOptions))
    assert (settings.window_seconds, settings.dedup_ttl_seconds) == (5, 30)
    defaults = stream_settings(_options().view_as(PresswashOptions))
    assert (defaults.window_seconds, defaults.dedup_ttl_seconds) == (60, 604800)


def test_cli_streaming_without_a_source_fails_clearly(capsys):
    from pipeline.cli import main

    assert main(["--streaming"]) == 2
    assert "--streaming needs an unbounded source" in capsys.readouterr().err


def test_cli_bigquery_output_points_to_bigquery_table(capsys):
    from pipeline.cli import main

    assert main(["--output", "bigquery://my-project/news/articles"]) == 2
    assert "--bigquery_table PROJECT:DATASET.TABLE" in capsys.readouterr().err


# ---------------------------------------------------------------- the stream (TestStream on the streaming DirectRunner)


def _read_outputs(out: Path) -> dict[str, dict[str, list]]:
    """{file kind + window (+ pane): rows} from the files the stream wrote."""
    found: dict[str, dict[str, list]] = defaultdict(dict)
    for path in sorted(out.glob("*")):
        match = re.fullmatch(r"(articles|rejects|summary|accounting)-(\d{8}T\d{6}Z-\d{8}T\d{6}Z(?:-pane\d+)?)"
                             r"-\d{5}-of-\d{5}\.(parquet|jsonl?)", path.name)
        if not match:
            continue
        kind, win = match.group(1), match.group(2)
        if kind in ("summary", "accounting"):
            rows = [json.loads(line) for line in path.read_text().splitlines()]
        else:
            table = pq.read_table(path)
            assert table.schema.equals(ARTICLE_SCHEMA if kind == "articles" else REJECT_SCHEMA, check_metadata=False)
            rows = table.to_pylist()
        found[kind].setdefault(win, []).extend(rows)
    return found


W0, W1, W5 = ("19700101T000000Z-19700101T000100Z", "19700101T000100Z-19700101T000200Z",
              "19700101T000500Z-19700101T000600Z")


@pytest.fixture(scope="module")
def stream_outputs(tmp_path_factory, resources):
    """One run over two windows (plus a late element and a copy after the TTL)."""
    out = tmp_path_factory.mktemp("stream")
    stream = (
        test_stream.TestStream()
        .advance_watermark_to(0)
        .add_elements([
            TimestampedValue(_json_message("park-1", PARK, "m1"), 1),
            TimestampedValue(_json_message("snow-1", SNOW, "m2"), 2),
        ])
        .advance_watermark_to(61)  # window [0, 60) closes
        .add_elements([
            TimestampedValue(_json_message("park-2", PARK, "m3"), 62),  # exact copy, next window
            TimestampedValue(PubsubMessage(b'{"id": "broken", "text": ', {}, message_id="m4"), 63),  # bad, mid-stream
            TimestampedValue(_json_message("snow-2", SNOW.replace("hundreds of", "many"), "m5"), 64),  # near copy
            TimestampedValue(_json_message("concerts-1", CONCERTS, "m6"), 65),
        ])
        .advance_watermark_to(125)  # window [60, 120) closes
        .add_elements([TimestampedValue(_json_message("late-1", CONCERTS.replace("orchestra", "choir") + " "
                                                      + SNOW[:120], "m7"), 30)])  # late: window [0, 60)
        .advance_watermark_to(400)  # past the TTL (300 s) of park-1 (kept at 1 s): its state is cleared
        .add_elements([TimestampedValue(_json_message("park-3", PARK, "m8"), 330)])  # after the TTL: kept
        .advance_watermark_to_infinity()
    )
    settings = StreamSettings(window_seconds=60, dedup_ttl_seconds=300, allowed_lateness_seconds=3600)
    options = PipelineOptions(streaming=True)
    with beam.Pipeline(options=options) as p:
        p | stream | StreamDocuments(resources, settings, str(out))
    return _read_outputs(out)


def _ids(rows):
    return sorted(row["id"] for row in rows)


def test_first_window_keeps_the_originals(stream_outputs):
    assert _ids(stream_outputs["articles"][W0]) == ["park-1", "snow-1"]
    assert W0 not in stream_outputs["rejects"]


def test_cross_window_copies_are_rejects_pointing_at_the_kept_id(stream_outputs):
    rejects = {row["id"]: row for row in stream_outputs["rejects"][W1]}
    assert (rejects["park-2"]["stage"], rejects["park-2"]["reason"], rejects["park-2"]["duplicate_of"]) == (
        "dedup", "duplicate", "park-1")
    assert (rejects["snow-2"]["reason"], rejects["snow-2"]["duplicate_of"]) == ("near_duplicate", "snow-1")
    assert rejects["park-2"]["raw"]  # the message bytes are kept


def test_bad_message_mid_stream_is_that_windows_reject(stream_outputs):
    rejects = {row["id"]: row for row in stream_outputs["rejects"][W1]}
    broken = rejects[source_id("pubsub:m4")]
    assert (broken["stage"], broken["reason"], broken["raw"]) == ("parse_jsonl", "malformed_json",
                                                                  b'{"id": "broken", "text": ')
    assert _ids(stream_outputs["articles"][W1]) == ["concerts-1"]  # the stream went on


def test_late_element_lands_in_a_later_firing_of_its_window(stream_outputs):
    assert _ids(stream_outputs["articles"][W0 + "-pane1"]) == ["late-1"]
    assert _ids(stream_outputs["articles"][W0]) == ["park-1", "snow-1"]  # on-time files untouched


def test_copy_after_the_ttl_is_kept(stream_outputs):
    assert _ids(stream_outputs["articles"][W5]) == ["park-3"]


def test_every_document_is_accounted_per_window(stream_outputs):
    summaries = stream_outputs["summary"]
    w1 = summaries[W1][0]
    assert (w1["documents_read"], w1["articles_written"], w1["rejects_written"]) == (4, 1, 3)
    assert w1["rejected_by_reason"] == {"dedup/duplicate": 1, "dedup/near_duplicate": 1,
                                        "parse_jsonl/malformed_json": 1}
    assert w1["balanced"]
    assert summaries[W0][0]["balanced"] and summaries[W0][0]["documents_read"] == 2
    # the late element: the window's last firing accumulates the whole window
    last = max((rows[0] for name, rows in summaries.items() if name.startswith(W0)), key=lambda r: r["pane"])
    assert (last["documents_read"], last["articles_written"], last["balanced"]) == (3, 3, True)
    accounting = stream_outputs["accounting"]
    assert sorted(row["file"] for row in accounting[W1]) == [f"pubsub:m{i}" for i in (3, 4, 5, 6)]
    last: dict[tuple[str, str], dict] = {}  # per window and message, the last firing (they accumulate)
    for name in sorted(accounting, key=lambda n: (n[:33], int(n[38:] or 0))):
        for row in accounting[name]:
            last[(name[:33], row["file"])] = row
    assert len(last) == 8 and all(row["balanced"] and row["read"] == 1 for row in last.values())
    total_read = sum(rows[0]["documents_read"] for name, rows in summaries.items() if "pane" not in name)
    assert total_read == 2 + 4 + 1  # on-time firings: W0, W1, W5 (the late one is in W0's later firing)


# ---------------------------------------------------------------- publish (files -> messages), without Pub/Sub


class _FakePublisher:
    """Records what ``publish`` would send (the emulator test sends it for real)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, dict]] = []

    def publish(self, topic, data, **attributes):
        from concurrent.futures import Future

        self.sent.append((topic, data, attributes))
        future: Future = Future()
        future.set_result("id")
        return future


def test_publish_sends_each_file_with_its_path(tmp_path):
    from pipeline.publish import list_files, parse_args, publish_files

    (tmp_path / "a.html").write_bytes(b"<html><body><p>One.</p></body></html>")
    (tmp_path / "b.json").write_text(json.dumps({"id": "b", "text": PARK}))
    args = parse_args([str(tmp_path / "*"), "--topic", "projects/p/topics/t", "--timestamp_attribute", "ts",
                       "--attribute", "feed=rss"])
    publisher = _FakePublisher()
    files = list_files(args.patterns)
    assert publish_files(publisher, args.topic, files, args) == (2, 0)
    (topic, data, attrs), _ = publisher.sent
    assert topic == "projects/p/topics/t" and data.startswith(b"<html>")
    assert attrs["path"] == str(tmp_path / "a.html") and attrs["feed"] == "rss"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", attrs["ts"])
    # what the stream makes of it: the same id as a batch run over the file
    (doc,) = message_records(data, attrs, "m-9")
    assert doc.id == source_id(str(tmp_path / "a.html")) and doc.metadata["feed"] == "rss"


def test_publish_refuses_oversized_files_and_bad_topics(tmp_path, capsys, monkeypatch):
    import pipeline.publish as publish

    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    monkeypatch.setattr(publish, "MAX_MESSAGE_BYTES", 1024)
    args = publish.parse_args([str(tmp_path / "*.txt"), "--topic", "projects/p/topics/t"])
    publisher = _FakePublisher()
    assert publish.publish_files(publisher, args.topic, publish.list_files(args.patterns), args) == (0, 1)
    assert "over Pub/Sub's message limit" in capsys.readouterr().err and not publisher.sent
    with pytest.raises(SystemExit):
        publish.parse_args(["x", "--topic", "my-topic"])
