"""The performance work: the benchmark corpus, the bounded language sample, fast pickling, the bench loops.

No timing here (speed is measured by ``bench/speed.py``, docs/performance.md);
these tests pin the behaviour the speed work must not change.
"""

from __future__ import annotations

import glob
import json
import pickle
from collections import Counter

import pytest

from bench.corpus import APPEALS, generate, write_corpus
from tests.conftest import SAMPLE_ARTICLE, SHARED
from transforms.clean import clean_text
from transforms.document import Caption, Doc, Reject, Removed, Segment
from transforms.ingest.readers import read_records
from transforms.text.language import SAMPLE_CHARS, language_sample, spread_order

EVAL = SHARED / "eval"


# --- the corpus generator -------------------------------------------------------------------------


def test_corpus_is_deterministic_and_the_seed_changes_it(tmp_path):
    a = write_corpus(tmp_path / "a", 24, seed=3, formats=("txt", "jsonl", "html", "warc"), eval_dir=EVAL)
    b = write_corpus(tmp_path / "b", 24, seed=3, formats=("txt", "jsonl", "html", "warc"), eval_dir=EVAL)
    c = write_corpus(tmp_path / "c", 24, seed=4, formats=("txt", "jsonl", "html", "warc"), eval_dir=EVAL)
    assert a["sha256"] == b["sha256"]
    assert a["sha256"] != c["sha256"]
    for rel in ("warc/part-0000003.warc.gz", "jsonl/part-0000001.jsonl", "txt/0000000.txt"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert a["documents_by_format"] == {"txt": 6, "jsonl": 6, "html": 6, "warc": 6}
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["docs"] == 24


def test_every_corpus_document_is_read_by_the_pipeline_readers(tmp_path):
    manifest = write_corpus(tmp_path, 40, seed=1, formats=("txt", "jsonl", "html", "warc"), eval_dir=EVAL)
    docs, rejects = [], []
    for path in sorted(glob.glob(str(tmp_path / "*" / "*"))):
        if path.endswith("manifest.json"):
            continue
        for item in read_records(path, lambda path=path: open(path, "rb")):
            (rejects if isinstance(item, Reject) else docs).append(item)
    assert rejects == []
    assert len(docs) == manifest["docs"] == 40
    assert Counter(d.input_format for d in docs) == {"text": 20, "html": 20}
    warc = [d for d in docs if "@" in d.source]
    assert len(warc) == 10 and all(d.url and d.input_format == "html" for d in warc)


def test_corpus_duplicates_and_appeals_come_at_the_requested_rates():
    docs = list(generate(600, seed=0, formats=("txt",), dup_rate=0.05, near_dup_rate=0.05, appeal_rate=0.3,
                         eval_dir=EVAL))
    exact = [d for d in docs if d.duplicate_of is not None and not d.near]
    near = [d for d in docs if d.near]
    assert 15 <= len(exact) <= 50 and 15 <= len(near) <= 50
    for d in exact:
        assert d.body == docs[d.duplicate_of].body
    for d in near:
        assert d.body != docs[d.duplicate_of].body
    originals = [d for d in docs if d.duplicate_of is None]
    assert len({d.body for d in originals}) == len(originals), "edited documents are all distinct"
    with_appeal = sum(1 for d in originals if any(box[1] in d.body for box in APPEALS))
    assert 0.2 * len(originals) <= with_appeal <= 0.4 * len(originals)


# --- the bounded language sample --------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 100, 1000])
def test_spread_order_is_a_permutation_whose_prefixes_spread(n):
    order = spread_order(n)
    assert sorted(order) == list(range(n))
    if n >= 8:
        first = order[:4]
        assert min(first) < n / 4 + 1 and max(first) >= n / 2, "the first picks cover both halves"


def test_language_sample_is_bounded_spread_and_prefers_prose():
    prose = [f"Paragraph number {i} of the article says something long enough to count as prose." for i in range(40)]
    nav = ["Home", "News", "Sport", "Log in"]
    texts = nav + prose + nav
    sample = language_sample(texts)
    assert len(sample) <= SAMPLE_CHARS + 1
    picked = [line for line in sample.split("\n")]
    assert not set(picked) & set(nav), "short navigation lines are not sampled when prose exists"
    numbers = [int(line.split()[2]) for line in picked]
    assert numbers == sorted(numbers), "in document order"
    assert min(numbers) < 13 and max(numbers) > 26, "from the whole document, not from its start"


def test_language_sample_cuts_long_lines_at_a_word_and_falls_back_to_short_lines():
    long_line = "word " * 400
    sample = language_sample([long_line])
    assert 0 < len(sample) <= 200 and not sample.endswith(" ") and set(sample.split()) == {"word"}
    assert language_sample(["Home", "News"]) == "Home\nNews"
    assert language_sample([]) == ""


def test_language_is_still_found_on_the_sample_article():
    doc = clean_text(SAMPLE_ARTICLE.read_text(encoding="utf-8"))
    assert doc.language == "en" and doc.language_score > 0.9


# --- pickling by fields -------------------------------------------------------------------------------


def test_documents_round_trip_through_pickle():
    doc = Doc(id="d", source="s", file="f", raw=b"\x00raw", input_format="text", text="t", url="u",
              title="T", authors=["A"], captions=[Caption("c", "credit")],
              segments=[Segment("line", 3, 1)], removed=[Removed("caption", "x", 2, "why")],
              metadata={"k": "v"}, content_key="ck")
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(doc, protocol=protocol))
        assert back == doc and type(back.segments[0]) is Segment and back.removed[0].detail == "why"
    reject = Reject("i", "s", "f", "stage", "reason", "error", b"raw", 3, duplicate_of="j")
    assert pickle.loads(pickle.dumps(reject)) == reject
    assert Segment.__reduce__ is not object.__reduce__


# --- the speed harness' loops and ratios ------------------------------------------------------------------


def test_floor_and_bare_loops_write_every_document(tmp_path):
    import pyarrow.parquet as pq

    from bench.speed import loop_bare, loop_floor

    write_corpus(tmp_path / "corpus", 8, seed=2, formats=("txt", "jsonl"), eval_dir=EVAL)
    inputs = [str(tmp_path / "corpus" / "txt" / "*.txt"), str(tmp_path / "corpus" / "jsonl" / "*.jsonl")]
    (tmp_path / "floor").mkdir()
    (tmp_path / "bare").mkdir()
    assert loop_floor(inputs, str(tmp_path / "floor")) == {"documents": 8, "articles": 8, "rejects": 0}
    assert pq.read_table(tmp_path / "floor" / "floor.parquet").num_rows == 8
    bare = loop_bare(inputs, str(tmp_path / "bare"))
    assert bare["documents"] == 8 and bare["articles"] + bare["rejects"] == 8 and bare["articles"] >= 6
    table = pq.read_table(tmp_path / "bare" / "articles.parquet")
    assert table.num_rows == bare["articles"] and set(table.column("language").to_pylist()) <= {"en", "pt", "ru",
                                                                                                  "ko", "ja", "und"}


def test_ratios_name_each_target_and_whether_it_is_met():
    from bench.speed import ratios

    rows = {"floor": {"docs_per_s": 100.0, "cpu_ms_per_doc": 5.0, "returncode": 0},
            "default": {"docs_per_s": 40.0, "cpu_ms_per_doc": 30.0, "returncode": 0},
            "direct1": {"docs_per_s": 10.0, "returncode": 0}, "direct2": {"docs_per_s": 18.0, "returncode": 0}}
    by_name = {r["ratio"]: r for r in ratios(rows)}
    assert by_name["default / floor"]["value"] == 0.4 and by_name["default / floor"]["met"] is False
    assert by_name["2 workers / 1 worker"]["value"] == 1.8 and by_name["2 workers / 1 worker"]["met"] is True
    assert by_name["CPU per doc: default / floor"]["value"] == 6.0
    assert "HTML default / trafilatura" not in by_name  # not measured: no ratio
