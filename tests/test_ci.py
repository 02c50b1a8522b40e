""".ci/run runs exactly the README's test command, and its status is pytest's: "no tests collected" fails CI.

The script runs in a copy of the repository with stand-in ``python`` and ``pip``
commands first on PATH (no venv is created, nothing is installed): the stand-in
``python -m pytest`` exits with the status the test asks for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

FAKE_PYTHON = """#!/usr/bin/env bash
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && : > "$3/bin/activate"; exit 0; fi
if [ "$1 $2" = "-m pytest" ]; then echo "pytest ran" >> "$CALLS"; exit "$PYTEST_STATUS"; fi
exit 99
"""
FAKE_PIP = """#!/usr/bin/env bash
echo "pip $*" >> "$CALLS"
"""


def readme_test_command() -> str:
    """The README's one-line test command (the line that installs '.[test]' and runs pytest)."""
    lines = [line.split("#")[0].strip() for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if "'.[test]'" in line and "python -m pytest" in line]
    assert len(commands) == 1, commands
    return commands[0]


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_test_command() in script.splitlines()


@pytest.mark.parametrize("pytest_status, ci_status", [(0, 0), (1, 1), (2, 2), (5, 5)])
def test_ci_status_is_pytest_status_and_no_tests_collected_fails(tmp_path, pytest_status, ci_status):
    repo, bin_dir = tmp_path / "repo", tmp_path / "bin"
    (repo / ".ci").mkdir(parents=True)
    bin_dir.mkdir()
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    for name, text in (("python", FAKE_PYTHON), ("pip", FAKE_PIP)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    calls = tmp_path / "calls"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(calls), "PYTEST_STATUS": str(pytest_status),
           "HOME": str(tmp_path)}
    result = subprocess.run(["bash", str(repo / ".ci" / "run")], env=env, capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    assert result.returncode == ci_status, result.stdout + result.stderr
    assert calls.read_text().splitlines() == ["pip install -q .[test]", "pytest ran"]
    assert not re.search(r"0 passed, 0 failed", result.stdout)
    assert os.path.isdir(repo / ".venv"), "the script works in the repository root"
