"""``python -m pipeline explain``: bad paths are one line, directories and globs explain each file, the header
counts what is listed, and its line numbers are the Parquet ``removed.line`` numbers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from pipeline import explain
from pipeline import main as pipeline_main
from tests.conftest import FIXTURES, ROOT, SAMPLE_ARTICLE
from tests.test_end_to_end import read_output

_ROW_RE = re.compile(r"^ *(\d+|-)  (\S+)")


def _explain(capsys, *argv: str) -> tuple[int, str, str]:
    status = explain.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("target, message", [
    ("no/such/file.txt", "no such file"),
    ("no/such/*.txt", "matches no file"),
])
def test_a_bad_path_is_one_line_and_a_non_zero_status(capsys, tmp_path, target, message):
    status, out, err = _explain(capsys, str(tmp_path / target))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("explain: error:") and message in err


def test_an_empty_directory_is_one_line(capsys, tmp_path):
    status, _, err = _explain(capsys, str(tmp_path))
    assert status == 2 and err.count("\n") == 1 and "directory with no files" in err


def test_no_traceback_from_the_shell(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pipeline", "explain", str(tmp_path / "missing.txt")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_a_directory_or_a_glob_explains_each_file(capsys, tmp_path):
    (tmp_path / "sub").mkdir()
    shutil.copy(SAMPLE_ARTICLE, tmp_path / "a.txt")
    shutil.copy(FIXTURES / "appeal_in_middle.txt", tmp_path / "sub" / "b.txt")
    for target in (str(tmp_path), str(tmp_path / "**" / "*.txt")):
        status, out, _ = _explain(capsys, target)
        assert status == 0
        headers = [line.split()[1] for line in out.splitlines() if line.startswith("# /")]
        assert headers == [str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.txt")], target


def _header_counts(out: str) -> tuple[int, int]:
    kept, removed = re.search(r"^# (\d+) lines kept, (\d+) removed$", out, re.M).groups()
    return int(kept), int(removed)


@pytest.mark.parametrize("path", [FIXTURES / "page.html", SAMPLE_ARTICLE])
def test_header_counts_equal_the_lines_listed(capsys, path):
    status, out, _ = _explain(capsys, str(path))
    assert status == 0
    rows = [m.groups() for m in map(_ROW_RE.match, out.splitlines()) if m]
    kept, removed = _header_counts(out)
    assert kept == sum(1 for _, decision in rows if decision == "KEEP")
    assert removed == sum(1 for _, decision in rows if decision not in ("KEEP", "?"))
    assert removed > 0
    if path.suffix == ".html":
        assert any(number == "-" for number, _ in rows), "page text outside the article is listed"
    _, only_removed, _ = _explain(capsys, str(path), "--only-removed")
    assert _header_counts(only_removed) == (kept, removed)
    assert sum(1 for line in only_removed.splitlines() if _ROW_RE.match(line)) == removed


def test_explain_line_numbers_are_the_parquet_removed_line_numbers(capsys, tmp_path):
    pipeline_main.run(["--input", str(SAMPLE_ARTICLE), "--output", str(tmp_path / "o"), "--progress_seconds", "0"])
    _, [row] = read_output(tmp_path / "o", "articles")
    removed = [(r["line"], r["kind"], r["text"]) for r in row["removed"] if r["line"] is not None]
    assert removed and min(line for line, _, _ in removed) >= 1, "1-based"
    _, out, _ = _explain(capsys, str(SAMPLE_ARTICLE))
    listed = {}
    for line in out.splitlines():
        match = re.match(r"^ *(\d+)  (\S+)", line)
        if match:
            listed[int(match.group(1))] = (match.group(2), line)
    for number, kind, text in removed:
        decision, line = listed[number]
        assert decision == kind, (number, kind, line)
        assert text[:40] in line, (number, text, line)
