"""The command line: --help, unknown options, directories and empty patterns as input, staged publishing,
progress, exit codes.

Most tests call the launcher or ``pipeline.main.run`` in-process (a DirectRunner
run over a few documents takes a second or two); one runs ``python -m pipeline``
as a user would.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apache_beam.io.filesystem import FileMetadata, FileSystem, MatchResult
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import cli
from pipeline import main as pipeline_main
from pipeline.options import PresswashOptions
from tests.conftest import FIXTURES, ROOT, SAMPLE_ARTICLE
from tests.test_end_to_end import read_output, run_pipeline
from transforms.beam import progress


def _presswash_actions():
    parser = cli.presswash_parser()
    return [a for a in parser._actions if a.option_strings and a.dest not in ("help", "help_beam")]


# --- --help and unknown options ------------------------------------------------------------------------------


def test_help_lists_every_presswash_option_with_its_default_and_how_to_pass_beam_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    actions = _presswash_actions()
    assert len(actions) >= 9
    for action in actions:
        name = action.option_strings[0]
        assert name in text, name
        default = "seeds/samples/*" if action.dest == "input" else action.default
        assert f"(default: {default})" in text, f"{name}: default {default!r} not shown"
    for beam_hint in ("--runner", "--direct_num_workers", "--help-beam", "Beam options"):
        assert beam_hint in text
    assert "explain" in text


def test_help_beam_lists_beam_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help-beam"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for name in ("--runner", "--direct_num_workers", "--direct_running_mode", "--temp_location", "--setup_file"):
        assert name in out


def test_the_launcher_and_beam_read_the_same_option_definitions():
    """Adding an option to PresswashOptions is enough: the launcher's defaults are Beam's parsed values."""
    parsed = PipelineOptions([]).view_as(PresswashOptions)
    for action in _presswash_actions():
        assert getattr(parsed, action.dest) == action.default, action.dest


@pytest.mark.parametrize("argv, hint", [
    (["--ouput", "out/", "--overwrite"], "did you mean --output?"),
    (["--overwrit"], "did you mean --overwrite?"),
    (["--direct_num_workerz", "2"], "did you mean --direct_num_workers?"),
    (["--out", "x"], "did you mean --output?"),  # no abbreviations: Beam would drop them silently
    (["seeds/samples/x.txt"], "inputs are given with --input"),
])
def test_unknown_option_exits_2_with_a_hint_before_any_work(argv, hint, capsys, monkeypatch):
    monkeypatch.setattr(pipeline_main, "run", lambda *a, **k: pytest.fail("the run must not start"))
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err and hint in err, err


def test_bad_value_of_a_known_option_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--max_lines", "many"])
    assert exit_.value.code == 2
    assert "--max_lines" in capsys.readouterr().err


def test_presswash_and_beam_options_are_handed_on_unchanged():
    argv = ["--input", "a/*", "--output", "o", "--runner", "DirectRunner", "--direct_num_workers=2",
            "--direct_running_mode", "multi_threading", "--overwrite"]
    assert cli.check_args(argv) == argv


def test_typo_from_the_shell_exits_2_and_touches_nothing(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "run-summary.json").write_text("{}")
    result = run_pipeline("--ouput", str(tmp_path / "o2"), "--overwrite", cwd=tmp_path)
    assert result.returncode == 2
    assert "did you mean --output?" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["run-summary.json"] and not (tmp_path / "o2").exists()


# --- inputs: directories, patterns that match nothing, 0 documents ----------------------------------------------


def _run(*argv: str) -> dict:
    summary = pipeline_main.run(["--progress_seconds", "0", *argv])
    assert summary is not None
    return summary


def test_a_directory_means_every_file_under_it_recursively(tmp_path):
    data = tmp_path / "data"
    (data / "a" / "b").mkdir(parents=True)
    shutil.copy(SAMPLE_ARTICLE, data / "one.txt")
    shutil.copy(FIXTURES / "appeal_in_middle.txt", data / "a" / "two.txt")
    shutil.copy(FIXTURES / "one_malformed.jsonl", data / "a" / "b" / "three.jsonl")  # 3 documents
    out = tmp_path / "out"
    summary = _run("--input", str(data), "--output", str(out))  # DIR/ is the same: test_directory_patterns
    assert summary["documents_read"] == 5 and summary["balanced"]
    _, articles = read_output(out, "articles")
    _, rejects = read_output(out, "rejects")
    sources = {Path(r["source"].split(":")[0]).name for r in articles + rejects}
    assert sources == {"one.txt", "two.txt", "three.jsonl"}
    assert not any("IsADirectoryError" in r["reason"] for r in rejects)


def test_directory_patterns():
    assert pipeline_main.directory_pattern("gs://bucket/raw/") == "gs://bucket/raw/**"
    assert pipeline_main.directory_pattern("gs://bucket/raw/*.txt") == "gs://bucket/raw/*.txt"
    assert pipeline_main.directory_pattern("gs://bucket/raw/a.txt") == "gs://bucket/raw/a.txt"
    assert pipeline_main.directory_pattern(str(FIXTURES)) == str(FIXTURES) + "/**"
    assert pipeline_main.directory_pattern(str(FIXTURES) + "/") == str(FIXTURES) + "/**"
    assert pipeline_main.directory_pattern(str(SAMPLE_ARTICLE)) == str(SAMPLE_ARTICLE)


class _FakeObjectStore(FileSystem):
    """An object store (scheme ``fakestore://``) holding a few names, so that matching runs on a
    non-local Beam filesystem without a network."""

    OBJECTS = ["fakestore://bucket/raw/2024/a.txt", "fakestore://bucket/raw/2024/b.txt"]
    BROKEN = False

    @classmethod
    def scheme(cls):
        return "fakestore"

    def join(self, base, *paths):
        return "/".join([base.rstrip("/"), *paths])

    def match(self, patterns, limits=None):
        if self.BROKEN:
            raise OSError("403 Forbidden: no access to bucket")
        results = []
        for pattern in patterns:
            regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
            found = [p for p in self.OBJECTS if re.fullmatch(regex, p)]
            results.append(MatchResult(pattern, [FileMetadata(p, 10) for p in found]))
        return results


_FakeObjectStore.__abstractmethods__ = frozenset()


@pytest.mark.parametrize("pattern, resolved", [
    ("fakestore://bucket/raw/2024/*.txt", "fakestore://bucket/raw/2024/*.txt"),
    ("fakestore://bucket/raw/", "fakestore://bucket/raw/**"),
    ("fakestore://bucket/raw", "fakestore://bucket/raw/**"),  # a "folder" without the slash
    ("fakestore://bucket/raw/2024/a.txt", "fakestore://bucket/raw/2024/a.txt"),
])
def test_remote_patterns_are_checked_and_folders_expanded(pattern, resolved):
    assert pipeline_main.resolve_inputs([pattern]) == [resolved]


@pytest.mark.parametrize("pattern", ["fakestore://bucket/raw/2024/*.htm", "fakestore://bukcet/raw/"])
def test_remote_pattern_that_matches_nothing_fails_the_run(pattern, tmp_path, capsys):
    status = pipeline_main.run_command(["--input", pattern, "--output", str(tmp_path / "o")])
    assert status == 2
    err = capsys.readouterr().err
    assert f"--input {pattern!r} matches no file on fakestore://" in err
    assert not (tmp_path / "o").exists()


def test_unreadable_remote_location_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_FakeObjectStore, "BROKEN", True)
    status = pipeline_main.run_command(["--input", "fakestore://bucket/raw/", "--output", str(tmp_path / "o")])
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot be listed" in err and "403 Forbidden" in err


def test_local_pattern_that_matches_nothing_and_empty_directory(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    for pattern in (str(tmp_path / "nothing-*.txt"), str(tmp_path / "empty")):
        assert pipeline_main.run_command(["--input", pattern, "--output", str(tmp_path / "o")]) == 2
        assert "matches no file" in capsys.readouterr().err


def test_dry_run_does_not_match_inputs():
    assert pipeline_main.resolve_inputs(["fakestore://nothing/here/*"], check=False) == ["fakestore://nothing/here/*"]


def test_a_run_that_reads_no_documents_exits_1_and_publishes_nothing(tmp_path, capsys):
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n   \n")
    out = tmp_path / "out"
    status = pipeline_main.run_command(["--input", str(blank), "--output", str(out), "--progress_seconds", "0"])
    assert status == 1
    assert "read 0 documents" in capsys.readouterr().err
    assert not list(out.glob("*.parquet")) and not (out / "run-summary.json").exists()
    assert not (out / ".staging").exists()


# --- --overwrite publishes only a finished run ---------------------------------------------------------------


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _failing_row(doc):
    raise RuntimeError("writer broke in the middle of the run")


def test_a_failed_overwrite_run_leaves_the_previous_outputs_byte_for_byte(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("articles-00000-of-00002.parquet", "articles-00001-of-00002.parquet",
                 "rejects-00000-of-00001.parquet", "run-summary.json"):
        (out / name).write_bytes(f"previous run: {name}".encode())  # only their bytes matter here
    before = _snapshot(out)
    monkeypatch.setattr(pipeline_main, "article_row", _failing_row)  # the graph fails while writing
    with pytest.raises(Exception, match="writer broke"):
        pipeline_main.run(["--input", str(FIXTURES / "appeal_in_middle.txt"), "--output", str(out),
                           "--overwrite", "--progress_seconds", "0"])
    assert _snapshot(out) == before
    assert not (out / ".staging").exists(), "the failed run's staging folder is removed"


def test_overwrite_publishes_the_new_run_and_removes_old_shards(tmp_path):
    out = tmp_path / "out"
    _run("--input", str(FIXTURES), "--output", str(out), "--num_shards", "3")
    assert len(list(out.glob("articles-*-of-00003.parquet"))) == 3
    summary = _run("--input", str(SAMPLE_ARTICLE), "--output", str(out), "--overwrite")
    assert sorted(p.name for p in out.glob("articles-*")) == ["articles-00000-of-00001.parquet"]
    _, rows = read_output(out, "articles")
    assert [Path(r["source"]).name for r in rows] == [SAMPLE_ARTICLE.name]
    assert json.loads((out / "run-summary.json").read_text())["documents_read"] == summary["documents_read"] == 1
    assert not (out / ".staging").exists()


def test_publish_moves_every_staged_file_and_the_summary_last(tmp_path, monkeypatch):
    out, staging = tmp_path / "out", tmp_path / "out" / ".staging" / "run1"
    staging.mkdir(parents=True)
    for name in ("articles-00000-of-00001.parquet", "rejects-00000-of-00001.parquet", "run-summary.json"):
        (staging / name).write_text(name)
    (out / "articles-00001-of-00002.parquet").write_text("old")
    (out / "unrelated.txt").write_text("keep me")
    renamed = []
    real_rename = pipeline_main.FileSystems.rename
    monkeypatch.setattr(pipeline_main.FileSystems, "rename",
                        lambda src, dst: (renamed.extend(dst), real_rename(src, dst)))
    pipeline_main.publish(str(staging), str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        "articles-00000-of-00001.parquet", "rejects-00000-of-00001.parquet", "run-summary.json", "unrelated.txt"]
    assert Path(renamed[-1]).name == "run-summary.json"
    assert not (out / ".staging").exists()


# --- progress ---------------------------------------------------------------------------------------------------

_PROGRESS_RE = re.compile(r"^progress +[\d.]+s: ([\d,]+) documents read \([\d.,]+/s\), "
                          r"(?:[\d,]+ at stage \w+ \(\d+ of \d+; [\d.,]+/s\), )?([\d,]+) written "
                          r"\(([\d,]+) articles, ([\d,]+) rejects; [\d.,]+/s\)$")


def test_progress_reporter_prints_counts_and_rates_while_running():
    out = io.StringIO()
    ticks = iter(range(100))
    with progress.ProgressReporter(0.01, out=out, clock=lambda: float(next(ticks))) as reporter:
        progress.note("documents_read", 7)
        progress.note("articles_written", 3)
        progress.note("rejects_written", 1)
        progress.note("rejected_read", 5)  # not a progress count
        deadline = time.monotonic() + 10
        while reporter.lines < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
    lines = out.getvalue().splitlines()
    match = _PROGRESS_RE.match(lines[0])
    assert match, lines[0]
    assert match.groups() == ("7", "4", "3", "1")


_WORKER = """
import time
from transforms.beam import progress
progress.note("documents_read", 5)
progress.note_stage("normalize")
progress.note("articles_written", 2)
time.sleep(3 * progress.FLUSH_SECONDS)
"""


def test_worker_processes_share_their_counts_with_the_driver():
    """--direct_running_mode=multi_processing: the work runs in processes started with the driver's environment."""
    out = io.StringIO()
    with progress.ProgressReporter(0.05, out=out, stage_order=("normalize",)) as reporter:
        progress.note("documents_read", 1)  # the driver's own
        workers = [subprocess.Popen([sys.executable, "-c", _WORKER], cwd=ROOT) for _ in range(2)]
        assert all(w.wait(timeout=60) == 0 for w in workers)
        deadline = time.monotonic() + 10
        while "11 documents read" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        shared_dir = os.environ[progress.DIR_ENV]
    last = out.getvalue().splitlines()[-1]
    assert _PROGRESS_RE.match(last).groups() == ("11", "4", "4", "0"), last
    assert "2 at stage normalize" in last and reporter.lines >= 1
    assert progress.DIR_ENV not in os.environ and not os.path.exists(shared_dir), "cleaned up after the run"


def test_progress_line_names_the_furthest_stage_reached():
    counts = {"documents_read": 50, "articles_written": 0, "rejects_written": 0, "stage:normalize": 40,
              "stage:language": 30}
    line = progress.progress_line(counts, 10.0, ("normalize", "headline", "language", "finish"))
    assert "30 at stage language (3 of 4; 3.0/s)" in line and _PROGRESS_RE.match(line)


def test_progress_reporter_is_quiet_until_documents_are_read_and_when_off():
    out = io.StringIO()
    with progress.ProgressReporter(0.01, out=out) as reporter:
        pass
    with progress.ProgressReporter(0, out=out) as off:
        progress.note("documents_read", 3)
    assert out.getvalue() == "" and reporter.lines == 0 and off.lines == 0


def _many_docs(path: Path, docs: int) -> Path:
    from tests.hostile.make_corpus import _SENTENCES

    with open(path, "w", encoding="utf-8") as f:
        for i in range(docs):
            body = "\n\n".join(" ".join(_SENTENCES[(i + k) % len(_SENTENCES):][:3]) for k in range(4))
            f.write(json.dumps({"id": f"doc-{i}", "title": f"Ferry report {i}", "text": body}) + "\n")
    return path


def test_a_direct_runner_run_prints_progress_lines(tmp_path, capsys):
    source = _many_docs(tmp_path / "many.jsonl", 150)
    pipeline_main.run(["--input", str(source), "--output", str(tmp_path / "o"), "--progress_seconds", "0.05"])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("progress")]
    assert lines, "no progress line"
    counts = [tuple(int(g.replace(",", "")) for g in _PROGRESS_RE.match(line).groups()) for line in lines]
    assert all(read <= 150 and written <= read for read, written, *_ in counts)
    assert counts == sorted(counts), "the counts only grow"
    assert any(" at stage " in line for line in lines), "progress while cleaning, before anything is written"


@pytest.mark.parametrize("argv, interval", [
    ([], 5.0),
    (["--progress_seconds", "2"], 2.0),
    (["--progress_seconds", "0"], 0.0),
    (["--direct_running_mode", "multi_processing", "--direct_num_workers", "2"], 5.0),
    (["--runner", "DataflowRunner"], 0.0),
])
def test_progress_only_on_the_in_process_direct_runner(argv, interval):
    options = PipelineOptions(argv)
    assert pipeline_main._progress_interval(options, options.view_as(PresswashOptions)) == interval


def test_console_entry_point_is_the_launcher(capsys):
    with pytest.raises(SystemExit) as exit_:
        pipeline_main.main(["--ouput", "x"])
    assert exit_.value.code == 2 and "did you mean --output?" in capsys.readouterr().err


def test_python_dash_m_pipeline_help_from_a_shell():
    result = subprocess.run([sys.executable, "-m", "pipeline", "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m pipeline") and "--output" in result.stdout
