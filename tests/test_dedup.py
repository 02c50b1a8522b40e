"""Exact and near-duplicate articles: MinHash helpers, the kept-copy rule, Beam == pure, and the
fixture corpus end to end (WARC and JSONL; DirectRunner and the multi-process DirectRunner agree)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import ROOT
from tests.fixtures.corpus import build
from tests.test_end_to_end import read_output, run_pipeline
from transforms.beam.corpus import Dedup
from transforms.corpus import minhash
from transforms.corpus.dedup import DedupSettings, dedup_docs, group_pairs, member, rank
from transforms.document import Doc, Segment
from transforms.keys import content_key

WORDS = ("harbour ferry council budget storm bridge river school market tower library station road canal farm "
         "engineer mayor resident volunteer museum court train bus grain water summer winter night morning").split()


def _text(seed: int, n: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _edit(text: str, changes: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), changes):
        words[i] = "edited" + str(i)
    return " ".join(words)


def _doc(doc_id: str, body: str, published: str | None = None, source: str | None = None) -> Doc:
    return Doc(id=doc_id, source=source or f"in.jsonl:{doc_id}", file="in.jsonl", raw=b"", input_format="text",
               published=published, segments=[Segment(body, 0, 0)], content_key=content_key(body))


# --- minhash.py -------------------------------------------------------------------------------

def test_signature_shape_and_identity():
    sig = minhash.signature(_text(1))
    assert sig.dtype == np.uint32 and sig.shape == (minhash.DEFAULT_NUM_PERM,)
    assert minhash.estimated_jaccard(sig, minhash.signature(_text(1).upper() + " !")) == 1.0
    assert minhash.estimated_jaccard(sig, minhash.signature(_text(2))) < 0.3


def test_signature_is_the_same_in_another_process():
    code = ("from transforms.corpus.minhash import signature; import sys; "
            "sys.stdout.write(','.join(map(str, signature(sys.argv[1]).tolist())))")
    out = subprocess.run([sys.executable, "-c", code, _text(3)], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": "", "PYTHONPATH": str(ROOT)})
    assert out.stdout == ",".join(map(str, minhash.signature(_text(3)).tolist()))


def test_estimate_follows_true_jaccard():
    base = _text(4, 400)
    edited = _edit(base, 12, seed=1)
    true = len(minhash.shingles(base) & minhash.shingles(edited)) / len(minhash.shingles(base) | minhash.shingles(edited))
    est = minhash.estimated_jaccard(minhash.signature(base), minhash.signature(edited))
    assert abs(est - true) < 0.12  # 128 permutations: standard error ~0.04


def test_shingles():
    assert minhash.shingles("One, two THREE four five six") == {"one two three four five", "two three four five six"}
    assert minhash.shingles("short text") == {"short text"}
    assert minhash.shingles(" ... ") == set()


def test_lsh_params_and_band_keys():
    assert minhash.lsh_params(0.8) == (12, 10)
    assert minhash.lsh_params(0.8, fp_weight=0.5, fn_weight=0.5) == (9, 13)  # datasketch's criterion
    b, r = minhash.lsh_params(0.5)
    assert b * r <= 128 and b > 12  # a lower threshold: more, shorter bands
    sig = minhash.signature(_text(5))
    keys = minhash.band_keys(sig, 9, 13)
    assert len(keys) == 9 and [k.split(":")[0] for k in keys] == [str(i) for i in range(9)]
    other = sig.copy()
    other[0] ^= 1  # differs in band 0 only
    assert [a == b for a, b in zip(keys, minhash.band_keys(other, 9, 13))] == [False] + [True] * 8
    assert minhash.band_keys(minhash.signature(""), 9, 13) == []  # an empty body is never a candidate
    with pytest.raises(ValueError):
        minhash.band_keys(sig, 20, 13)


# --- the kept copy ----------------------------------------------------------------------------

def test_rank_prefers_earliest_published_then_smallest_id():
    docs = [_doc("b", "x", "2024-01-02"), _doc("a", "x", "2024-01-02T00:00:00Z"), _doc("0", "x"),
            _doc("c", "x", "2024-01-01T23:00:00-05:00")]  # = 2024-01-02T04:00Z
    assert [d.id for d in sorted(docs, key=rank)] == ["a", "b", "c", "0"]


def test_exact_dedup_keeps_one_and_names_it():
    body = _text(6)
    docs = [_doc("z", body, "2024-05-01"), _doc("y", body, "2024-04-01"), _doc("x", body.upper()),
            _doc("w", _text(7))]
    for order in (docs, docs[::-1]):
        kept, rejects = dedup_docs(order, DedupSettings(mode="exact"))
        assert sorted(d.id for d in kept) == ["w", "y"]
        assert sorted((r.id, r.stage, r.reason, r.duplicate_of) for r in rejects) == [
            ("x", "dedup", "duplicate", "y"), ("z", "dedup", "duplicate", "y")]


def test_near_dedup_clusters_edited_copies_only():
    base = _text(8, 400)  # 3-4 words changed: true Jaccard of the shingles ~0.9
    docs = [_doc("orig", base, "2024-01-01"), _doc("copy1", _edit(base, 3, 1), "2024-01-02"),
            _doc("copy2", _edit(base, 4, 2), "2024-01-03"), _doc("far", _edit(base, 150, 3), "2024-01-04"),
            _doc("other", _text(9, 400))]
    kept, rejects = dedup_docs(docs, DedupSettings())
    assert sorted(d.id for d in kept) == ["far", "orig", "other"]
    assert sorted((r.id, r.reason, r.duplicate_of) for r in rejects) == [
        ("copy1", "near_duplicate", "orig"), ("copy2", "near_duplicate", "orig")]
    assert dedup_docs(docs, DedupSettings(mode="exact"))[1] == []
    assert dedup_docs(docs, DedupSettings(mode="off")) == (docs, [])


def test_giant_band_group_is_capped_but_still_finds_copies():
    base = _text(10, 200)
    members = [member(_doc(f"d{i:03d}", _edit(base, 1, i)), DedupSettings())[0] for i in range(60)]
    full = group_pairs(members, DedupSettings())
    capped = group_pairs(members, DedupSettings(max_group=20, anchors=4))
    assert len(full) == 60 * 59 // 2  # every pair verified
    assert len(capped) == sum(60 - 1 - i for i in range(4))  # each member against the 4 best-ranked
    first = min(m[0] for m in members)
    assert {b for a, b, _ in capped if a == first} == {m[0] for m in members} - {first}


def test_settings_are_checked():
    with pytest.raises(ValueError, match="--dedup"):
        DedupSettings(mode="fuzzy")
    with pytest.raises(ValueError, match="near_dup_threshold"):
        DedupSettings(threshold=1.5)


# --- Beam == pure ------------------------------------------------------------------------------

def _outcome(items) -> list[tuple]:
    return sorted((i.id, "kept", None) if isinstance(i, Doc) else (i.id, i.reason, i.duplicate_of) for i in items)


@pytest.mark.parametrize("mode", ["exact", "near"])
def test_beam_dedup_matches_the_pure_version(mode):
    base, story = _text(11, 250), _text(12, 250)
    docs = [_doc("a1", base, "2024-02-01"), _doc("a2", base, "2024-01-01"), _doc("a3", _edit(base, 4, 1)),
            _doc("b1", story), _doc("b2", _edit(story, 3, 2)), _doc("b3", _edit(_edit(story, 3, 2), 3, 3)),
            _doc("c1", _text(13, 250))]
    settings = DedupSettings(mode=mode)
    kept, rejects = dedup_docs(docs, settings)
    expected = _outcome(kept + rejects)
    assert sum(1 for e in expected if e[1] != "kept") == (1 if mode == "exact" else 4)
    with TestPipeline() as p:
        out_docs, out_rejects = p | beam.Create(docs) | Dedup(settings)
        both = ((out_docs | "K" >> beam.Map(lambda d: (d.id, "kept", None))),
                (out_rejects | "R" >> beam.Map(lambda r: (r.id, r.reason, r.duplicate_of)))) | beam.Flatten()
        assert_that(both, equal_to(expected))


# --- the fixture corpus, end to end ------------------------------------------------------------

def _by_name(rows: list[dict], names: list[str], sources: list[str]) -> dict[str, dict]:
    index = {source: name for source, name in zip(sources, names)}
    return {index[row["source"]]: row for row in rows}


def _check_run(out: Path, names: list[str], sources: list[str]) -> dict[str, tuple]:
    _, articles = read_output(out, "articles")
    try:
        _, rejects = read_output(out, "rejects")
    except AssertionError:
        rejects = []
    summary = json.loads((out / "run-summary.json").read_text())
    assert summary["documents_read"] == len(names) == len(articles) + len(rejects)
    assert summary["balanced"] is True
    arts, rejs = _by_name(articles, names, sources), _by_name(rejects, names, sources)
    ids = {name: row["id"] for name, row in {**arts, **rejs}.items()}
    outcome = {}
    for name in names:
        want = build.EXPECTED[name]
        if want == "article":
            assert name in arts, (name, rejs.get(name, {}).get("reason"))
            outcome[name] = ("article",)
        else:
            row = rejs[name]
            stage, reason, dup_of = want
            assert (row["stage"], row["reason"]) == (stage, reason), name
            assert row["duplicate_of"] == (ids[dup_of] if dup_of else None), name
            outcome[name] = (stage, reason, dup_of)
    by_reason = {k: v for k, v in summary["rejected_by_reason"].items()}
    assert by_reason.get("dedup/duplicate") == 2 and by_reason.get("dedup/near_duplicate") == 1
    # the site notice left every article of the three sites; the shared quote stayed in both
    notices = [text for _, text in build.SITES.values()]
    for name, row in arts.items():
        assert not any(n in row["body"] for n in notices), name
        kinds = [r["kind"] for r in row["removed"]]
        assert kinds.count("site_boilerplate") == (0 if name == "wet-text" else 1), name
    assert build.QUOTE in arts["ledger-1"]["paragraphs"] and build.QUOTE in arts["ledger-2"]["paragraphs"]
    return outcome


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build.write_corpus(tmp_path_factory.mktemp("corpus-in"))


def _warc_sources(path: Path) -> list[str]:
    from transforms.ingest.readers import read_records

    return [item.source for item in read_records(str(path), lambda: open(path, "rb"))]


def test_warc_corpus_end_to_end_direct_and_multiprocess_agree(corpus, tmp_path):
    _, names = build.warc_bytes()
    sources = _warc_sources(corpus["warc"])
    outcomes = []
    for extra in ([], ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]):
        out = tmp_path / f"out{len(outcomes)}"
        result = run_pipeline("--input", str(corpus["warc"]), "--output", str(out), *extra)
        assert result.returncode == 0, result.stderr[-3000:]
        outcomes.append(_check_run(out, names, sources))
        articles = sorted((r["id"], r["body"]) for r in read_output(out, "articles")[1])
        outcomes.append(articles)
    assert outcomes[0] == outcomes[2] and outcomes[1] == outcomes[3]


def test_jsonl_corpus_end_to_end(corpus, tmp_path):
    _, names = build.jsonl_bytes()
    sources = [f"{corpus['jsonl']}:{i}" for i in range(1, len(names) + 1)]
    out = tmp_path / "out"
    result = run_pipeline("--input", str(corpus["jsonl"]), "--output", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    _check_run(out, names, sources)


def test_dedup_exact_option_keeps_the_near_copy(corpus, tmp_path):
    out = tmp_path / "out"
    result = run_pipeline("--input", str(corpus["jsonl"]), "--output", str(out), "--dedup", "exact")
    assert result.returncode == 0, result.stderr[-3000:]
    _, rows = read_output(out, "articles")
    assert len(rows) == 12  # 14 documents, the two wire copies rejected, the edited copy kept
    summary = json.loads((out / "run-summary.json").read_text())
    assert summary["rejected_by_reason"].get("dedup/duplicate") == 2
    assert "dedup/near_duplicate" not in summary["rejected_by_reason"]


def test_beam_dedup_off_passes_everything_through():
    docs = [_doc("a", _text(14)), _doc("b", _text(14))]
    with TestPipeline() as p:
        out_docs, out_rejects = p | beam.Create(docs) | Dedup(DedupSettings(mode="off"))
        assert_that(out_docs | beam.Map(lambda d: d.id), equal_to(["a", "b"]), label="docs")
        assert_that(out_rejects, equal_to([]), label="rejects")


def test_module_examples():
    import doctest

    from transforms.corpus import dedup, minhash, site_lines

    for module in (minhash, site_lines, dedup):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_signature_from_segment_keys_is_the_body_signature():
    """signature_bytes reads the words from the segments' keys: the same as hashing the joined body."""
    import pickle

    from transforms.clean import clean_text
    from transforms.corpus import minhash
    from transforms.corpus.dedup import body_text, signature_bytes

    settings = DedupSettings()
    texts = ["Headline\n\nFirst paragraph, with “quotes” — and dashes… 12,5 %.\n\nZweiter Absatz: Straße ĲSSEL ﬁn.",
             "Only one short line", "Ａ full-width ＡＢＣ text\n\nnext line here, and one more with five words"]
    for text in texts:
        doc = clean_text(text)
        expected = minhash.signature(body_text(doc), settings.num_perm, k=settings.shingle).astype("<u4").tobytes()
        assert signature_bytes(doc, settings) == expected
        assert signature_bytes(pickle.loads(pickle.dumps(doc)), settings) == expected  # keys computed again


def test_components_merge_partial_forests_in_any_order():
    """The union-find combine: pairs split over bundles and merged in any order give whole components
    rooted at their smallest rank, whatever the chain length (no round limit)."""
    from transforms.beam.corpus import _Components

    chain = [((f"r{i:02d}",), (f"r{i + 1:02d}",)) for i in range(12)]  # a 13-node chain
    other = [(("s1",), ("s0",))]
    fn = _Components()
    expected = {(f"r{i:02d}",): ("r00",) for i in range(1, 13)} | {("s1",): ("s0",)}
    for order in (chain + other, list(reversed(chain + other))):
        parts = [order[i::3] for i in range(3)]
        accs = []
        for part in parts:
            acc = fn.create_accumulator()
            for edge in part:
                acc = fn.add_input(acc, edge)
            accs.append(acc)
        for merge_order in (accs, list(reversed(accs))):
            merged = fn.merge_accumulators([dict(a) for a in merge_order])
            assert fn.extract_output(merged) == expected
