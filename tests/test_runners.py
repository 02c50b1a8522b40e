"""The same pipeline on several runners: the same articles and rejects, dedup included (all offline).

* DirectRunner (in process);
* DirectRunner with ``--direct_num_workers=2 --direct_running_mode=multi_processing``;
* PortableRunner with an external SDK worker pool started here: the Fn API path that
  Dataflow Runner v2, Flink and Spark use;
* DataflowRunner ``--dry_run``: the batch graph (with and without the BigQuery sink) and the
  streaming graph are translated, and the translated pipeline is inspected.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT, SAMPLES

DRY_RUN = ["--runner=DataflowRunner", "--dry_run=True", "--no_auth", "--project=my-project-123",
           "--region=us-central1", "--temp_location=gs://bucket-x/tmp", f"--setup_file={ROOT / 'setup.py'}"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    """The sample inputs plus the multi-site corpus (exact and near duplicates across sites)."""
    from tests.fixtures.corpus.build import write_corpus

    corpus = write_corpus(tmp_path_factory.mktemp("corpus"))
    return [str(SAMPLES / "*"), str(corpus["jsonl"]), str(corpus["warc"])]


def _run(inputs: list[str], output: Path, *extra: str) -> dict:
    from pipeline.main import run

    argv = [f"--input={','.join(inputs)}", f"--output={output}", "--progress_seconds=0", *extra]
    summary = run(argv)
    assert summary is not None and summary["balanced"], summary
    return summary


def _rows(output: Path, kind: str) -> list[tuple]:
    files = sorted(output.glob(f"{kind}-*.parquet"))
    assert files, f"no {kind} files in {output}"
    rows = [row for path in files for row in pq.read_table(path).to_pylist()]
    return sorted((tuple(sorted((k, repr(v)) for k, v in row.items())) for row in rows))


@pytest.fixture(scope="module")
def direct(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("direct")
    summary = _run(inputs, out)
    return out, summary


def _same_outputs(reference: Path, other: Path) -> None:
    for kind in ("articles", "rejects"):
        ref, got = _rows(reference, kind), _rows(other, kind)
        assert len(got) == len(ref), kind
        assert got == ref, kind


def test_direct_runner_covers_dedup(direct):
    out, summary = direct
    reasons = summary["rejected_by_reason"]
    assert summary["articles_written"] > 0
    dedup = {k: v for k, v in reasons.items() if k.startswith("dedup/")}
    if not dedup:
        pytest.fail(f"the corpus should produce dedup rejects; got {reasons}")


def test_multi_processing_direct_runner_gives_the_same_outputs(inputs, direct, tmp_path):
    _run(inputs, tmp_path, "--direct_num_workers=2", "--direct_running_mode=multi_processing")
    _same_outputs(direct[0], tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture
def worker_pool():
    """An external SDK worker pool (the Fn API harness), stopped after the test."""
    port = _free_port()
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")  # workers start `python`
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    pool = subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                             f"--service_port={port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("localhost", port)) == 0:
                break
        if pool.poll() is not None:
            pytest.fail(f"the worker pool exited with {pool.returncode}")
        time.sleep(0.3)
    yield f"localhost:{port}"
    os.killpg(pool.pid, 15)  # the pool's own process group: the pool and the workers it started
    try:
        pool.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(pool.pid, 9)
        pool.wait(timeout=20)


def test_portable_runner_with_external_workers_gives_the_same_outputs(inputs, direct, worker_pool, tmp_path):
    _run(inputs, tmp_path, "--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=EXTERNAL",
         f"--environment_config={worker_pool}")
    _same_outputs(direct[0], tmp_path)


# ---------------------------------------------------------------- Dataflow translation (no network)


def _translate(args: list[str], streaming: bool):
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.dataflow.dataflow_runner import DataflowRunner

    from pipeline.options import PresswashOptions

    options = PipelineOptions(DRY_RUN + args)
    runner = DataflowRunner()
    p = beam.Pipeline(runner=runner, options=options)
    if streaming:
        from pipeline.streaming import build_streaming

        build_streaming(p, options.view_as(PresswashOptions))
    else:
        from pipeline.main import build

        build(p, options.view_as(PresswashOptions))
    p.run()
    return runner.proto_pipeline


def _urns(proto) -> set[str]:
    return {t.spec.urn for t in proto.components.transforms.values()}


@pytest.mark.parametrize("bigquery", [False, True], ids=["parquet", "parquet+bigquery"])
def test_dataflow_translates_the_batch_graph(bigquery):
    from apache_beam.portability.api import beam_runner_api_pb2

    args = ["--input=gs://bucket-x/raw/*", "--output=gs://bucket-x/clean"]
    if bigquery:
        args.append("--bigquery_table=my-project-123:news.articles")
    proto = _translate(args, streaming=False)
    urns = _urns(proto)
    assert "beam:transform:impulse:v1" in urns and "beam:transform:group_by_key:v1" in urns
    assert ("beam:transform:write_to_big_query:v0" in urns) == bigquery
    labels = {t.unique_name for t in proto.components.transforms.values()}
    assert any(label.startswith("WriteArticles") for label in labels)
    assert any("WriteBigQuery" in label for label in labels) == bigquery
    bounded = {pc.is_bounded for pc in proto.components.pcollections.values()}
    assert bounded == {beam_runner_api_pb2.IsBounded.BOUNDED}


def test_dataflow_translates_the_streaming_graph():
    from apache_beam.portability.api import beam_runner_api_pb2

    proto = _translate(["--streaming", "--input_subscription=projects/my-project-123/subscriptions/s",
                        "--output=gs://bucket-x/stream", "--window_seconds=60"], streaming=True)
    urns = _urns(proto)
    assert "beam:transform:pubsub_read:v1" in urns
    assert "beam:transform:window_into:v1" in urns
    window_fns = {ws.window_fn.urn for ws in proto.components.windowing_strategies.values()}
    assert "beam:window_fn:fixed_windows:v1" in window_fns
    fixed = [ws for ws in proto.components.windowing_strategies.values()
             if ws.window_fn.urn == "beam:window_fn:fixed_windows:v1"]
    from apache_beam.portability.api import standard_window_fns_pb2

    payload = standard_window_fns_pb2.FixedWindowsPayload.FromString(fixed[0].window_fn.payload)
    assert payload.size.seconds == 60
    bounded = {pc.is_bounded for pc in proto.components.pcollections.values()}
    assert bounded == {beam_runner_api_pb2.IsBounded.UNBOUNDED}
    # keyed state for the cross-window dedup
    pardos = [t for t in proto.components.transforms.values() if t.spec.urn == "beam:transform:pardo:v1"]
    stateful = [t for t in pardos
                if beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload).state_specs]
    names = [t.unique_name for t in stateful]
    assert any("ExactState" in n for n in names) and any("BandState" in n for n in names), names


def test_streaming_translation_refuses_without_pubsub():
    from pipeline.main import InputError, run

    with pytest.raises(InputError, match="--streaming needs an unbounded source"):
        run(DRY_RUN + ["--streaming", "--output=gs://bucket-x/stream"])
