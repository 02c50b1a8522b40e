"""The read-back commands users copy from README.md and docs/reading-output.md work on a real run's output.

Every ``python -c`` line of README.md's "read it back" code block and of the
``bash`` blocks in docs/reading-output.md runs in a folder holding ``output/``
from a real run over the samples; a command that exits non-zero fails the test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.test_end_to_end import run_pipeline

README = ROOT / "README.md"
READING_DOC = ROOT / "docs" / "reading-output.md"

_BLOCK_RE = re.compile(r"```(?:bash|sh|console)?\n(.*?)```", re.S)


def _commands(block: str) -> list[str]:
    return [line.strip() for line in block.splitlines() if line.strip().startswith("python -c ")]


def readme_read_back_block(text: str) -> str:
    """The first code block after the line that says "read it back" (case-insensitive)."""
    at = re.search(r"read it back", text, re.I)
    assert at, "README.md has no 'read it back' paragraph"
    block = _BLOCK_RE.search(text, at.end())
    assert block, "README.md: no code block after 'read it back'"
    return block.group(1)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with ``output/`` from a real run over the samples."""
    directory = tmp_path_factory.mktemp("readme")
    result = run_pipeline("--input", str(SAMPLES / "*"), "--output", str(directory / "output"),
                          "--progress_seconds", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (directory / "output" / ".staging").exists()
    return directory


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)  # the test's python first, as in an activated venv
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


DOC_COMMANDS = [cmd for block in _BLOCK_RE.findall(READING_DOC.read_text(encoding="utf-8")) for cmd in _commands(block)]


def test_the_doc_has_read_back_commands_for_pyarrow_duckdb_and_the_summary():
    joined = "\n".join(DOC_COMMANDS)
    assert len(DOC_COMMANDS) >= 4
    assert "pyarrow" in joined and "duckdb" in joined and "run-summary.json" in joined


@pytest.mark.parametrize("command", DOC_COMMANDS, ids=[f"doc-{i}" for i in range(len(DOC_COMMANDS))])
def test_reading_output_doc_commands_work(command, workdir):
    result = _run(command, workdir)
    assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
    assert result.stdout.strip(), f"{command} printed nothing"


def test_readme_read_back_commands_work(workdir):
    block = readme_read_back_block(README.read_text(encoding="utf-8"))
    commands = _commands(block)
    assert commands, "README.md's read-back block has no `python -c` command"
    assert not re.search(r"^\s*duckdb ", block, re.M), "`pip install duckdb` installs no duckdb command"
    for command in commands:
        result = _run(command, workdir)
        assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"


def test_the_old_readme_command_really_fails(workdir):
    """Why the README changed: the folder holds run-summary.json, so reading it whole as Parquet fails."""
    result = _run("python -c \"import pyarrow.parquet as pq; pq.read_table('output')\"", workdir)
    assert result.returncode != 0
