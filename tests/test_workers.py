"""``--workers``: how a local batch run (no --runner) uses the machine's cores (pipeline/main.py)."""

from __future__ import annotations

import pytest
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

from pipeline.cli import main as cli_main
from pipeline.main import cpu_count, pin_local_batch_runner
from pipeline.options import AUTO_WORKERS_MAX_MB, AUTO_WORKERS_MIN_MB

MB = 1024 * 1024


def _pinned(argv: list[str], input_bytes: int | None):
    options = PipelineOptions(argv)
    workers = pin_local_batch_runner(options, argv, input_bytes)
    direct = options.view_as(DirectOptions)
    return workers, direct.direct_running_mode, direct.direct_num_workers


def test_auto_runs_small_inputs_in_this_process():
    assert _pinned([], 1 * MB) == (1, "in_memory", 1)
    assert _pinned([], None) == (1, "in_memory", 1)  # size unknown: no processes started


def test_auto_uses_every_core_for_large_inputs():
    n = cpu_count()
    expected = (n, "multi_processing", n) if n > 1 else (1, "in_memory", 1)
    assert _pinned([], AUTO_WORKERS_MIN_MB * MB) == expected


def test_auto_runs_very_large_inputs_in_this_process(capsys):
    """Beam's multi-process runner lost documents on a 447 MB corpus (docs/performance.md, "Known problem"):
    auto goes back to one process from AUTO_WORKERS_MAX_MB on, and says so; --workers N still chooses."""
    assert _pinned([], AUTO_WORKERS_MAX_MB * MB - 1)[0] == (cpu_count() if cpu_count() > 1 else 1)
    assert _pinned([], AUTO_WORKERS_MAX_MB * MB) == (1, "in_memory", 1)
    if cpu_count() > 1:
        assert "one in-process worker" in capsys.readouterr().err
    assert _pinned(["--workers", "2"], 10 * AUTO_WORKERS_MAX_MB * MB) == (2, "multi_processing", 2)


def test_workers_number_is_the_number_of_processes():
    assert _pinned(["--workers", "3"], 1) == (3, "multi_processing", 3)
    assert _pinned(["--workers", "1"], 100 * MB) == (1, "in_memory", 1)


def test_beams_own_flags_win():
    argv = ["--direct_running_mode", "multi_processing", "--direct_num_workers", "2"]
    assert _pinned(argv, 1) == (None, "multi_processing", 2)
    argv = ["--direct_num_workers=1"]
    assert _pinned(argv, 100 * MB) == (None, "in_memory", 1)


def test_other_runners_are_left_alone():
    options = PipelineOptions(["--runner", "PortableRunner"])
    assert pin_local_batch_runner(options, ["--runner", "PortableRunner"], 100 * MB) is None
    assert options.view_as(StandardOptions).runner == "PortableRunner"
    assert options.view_as(DirectOptions).direct_running_mode == "in_memory"


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_workers_value_is_refused(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["--workers", value])
    assert exit_info.value.code == 2
    assert "argument --workers: takes 'auto' or a number of worker processes >= 1" in capsys.readouterr().err
