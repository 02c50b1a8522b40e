"""End-to-end: ``python -m pipeline`` as a user runs it, outputs read back from Parquet."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA
from tests.conftest import FIXTURES, ROOT, SAMPLE_ARTICLE
from tests.golden import check_sample_record


def run_pipeline(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def read_output(out: Path, name: str):
    files = sorted(glob.glob(str(out / f"{name}-*.parquet")))
    assert files, f"no {name} files in {out}"
    tables = [pq.read_table(f) for f in files]
    return files, [row for t in tables for row in t.to_pylist()]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample-run") / "output"
    result = run_pipeline("--output", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_default_run_reads_every_sample(sample_run):
    out, result = sample_run
    summary = json.loads((out / "run-summary.json").read_text())
    inputs = [p for p in (ROOT / "seeds" / "samples").iterdir() if p.is_file()]
    jsonl_docs = sum(1 for p in inputs if p.suffix == ".jsonl" for line in p.read_text().splitlines() if line.strip())
    expected_docs = jsonl_docs + sum(1 for p in inputs if p.suffix != ".jsonl")
    assert summary["documents_read"] == expected_docs
    assert summary["articles_written"] + summary["rejects_written"] == expected_docs
    assert summary["balanced"] is True and summary["unbalanced_files"] == []
    assert summary["files_read"] == len(inputs)
    assert summary["elapsed_seconds"] > 0
    # The Beam counters carry the same numbers as the summary.
    counters = summary["counters"]
    for key in ("documents_read", "articles_written", "rejects_written"):
        assert counters.get(key, 0) == summary[key], key
    for kind, value in summary["removed_by_kind"].items():
        assert counters[f"removed:{kind}"] == value, kind
    assert "documents read" in result.stdout


def test_schemas_match_the_schema_module(sample_run):
    out, _ = sample_run
    for name, schema in (("articles", ARTICLE_SCHEMA), ("rejects", REJECT_SCHEMA)):
        files, _ = read_output(out, name)
        for f in files:
            written = pq.read_schema(f)
            # Field by field: Parquet names a map's entries group after its column when read
            # back, which Schema.equals counts as a difference; names, types, nullability
            # and the schema metadata must all match.
            assert written.names == schema.names
            for got, want in zip(written, schema):
                assert (got.name, got.type, got.nullable) == (want.name, want.type, want.nullable)
            assert written.metadata == schema.metadata


def test_sample_article_golden_from_parquet(sample_run):
    out, _ = sample_run
    _, rows = read_output(out, "articles")
    [record] = [r for r in rows if r["source"].endswith(SAMPLE_ARTICLE.name)]
    check_sample_record(record)
    assert record["input_format"] == "text" and record["word_count"] > 500
    assert len(record["content_hash"]) == 64


def test_html_sample_becomes_an_article(sample_run):
    out, _ = sample_run
    _, rows = read_output(out, "articles")
    [record] = [r for r in rows if r["source"].endswith("news-page.html")]
    assert record["title"] == "City council approves new cycle lanes"
    assert record["input_format"] == "html"
    assert "cycle lanes" in record["body"]
    assert "newsletter" not in record["body"].lower()
    assert "Home" not in record["paragraphs"]


def test_fixture_directory_accounts_for_every_document(tmp_path):
    out = tmp_path / "out"
    result = run_pipeline("--input", str(FIXTURES / "*"), "--output", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    _, articles = read_output(out, "articles")
    _, rejects = read_output(out, "rejects")
    summary = json.loads((out / "run-summary.json").read_text())
    # 6 single-document files + 3 JSONL lines.
    assert summary["documents_read"] == 9
    assert len(articles) + len(rejects) == 9
    assert [(r["stage"], r["reason"]) for r in rejects] == [("parse_jsonl", "malformed_json")]
    assert rejects[0]["raw"].startswith(b'{"id": "a2"')
    per_file = {Path(row["file"]).name: row for row in summary["files"]}
    assert per_file["one_malformed.jsonl"] == {
        "file": per_file["one_malformed.jsonl"]["file"], "read": 3, "articles": 2, "rejects": 1, "balanced": True}


def test_existing_output_is_refused_without_overwrite(tmp_path):
    out = tmp_path / "out"
    first = run_pipeline("--input", str(SAMPLE_ARTICLE), "--output", str(out))
    assert first.returncode == 0, first.stderr[-2000:]
    again = run_pipeline("--input", str(SAMPLE_ARTICLE), "--output", str(out))
    assert again.returncode != 0 and "--overwrite" in again.stderr
    replaced = run_pipeline("--input", str(FIXTURES / "appeal_in_middle.txt"), "--output", str(out), "--overwrite")
    assert replaced.returncode == 0, replaced.stderr[-2000:]
    _, rows = read_output(out, "articles")
    assert [Path(r["source"]).name for r in rows] == ["appeal_in_middle.txt"]


def test_input_that_matches_nothing_is_a_clear_error(tmp_path):
    result = run_pipeline("--input", str(tmp_path / "nothing-*.txt"), "--output", str(tmp_path / "o"))
    assert result.returncode != 0 and "matches no file" in result.stderr


def test_explain_prints_every_line_with_its_decision():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pipeline", "explain", str(SAMPLE_ARTICLE)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#") and line.strip()]
    source_lines = [line for line in SAMPLE_ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == len(source_lines)
    decisions = [line.split()[1] for line in lines]
    assert decisions.count("KEEP") == 18
    assert any(line.split()[1] == "editorial_appeal" and "Join us!" in line for line in lines)
