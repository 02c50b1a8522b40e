"""Run accounting: Beam counters are the totals, per-file balance rows come from a keyed combine and a
normal sink, and the graph itself writes no summary (so it runs unbounded, and where nobody waits)."""

from __future__ import annotations

import glob
import json
from pathlib import Path
from types import SimpleNamespace

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream as BeamTestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window

from pipeline.main import build
from pipeline.options import PresswashOptions
from tests.conftest import SAMPLE_ARTICLE, SAMPLES
from transforms import accounting
from transforms.beam.io import ACCOUNTING_GLOB, SUMMARY_NAME, AccountPerKey, summarize_run
from transforms.document import Doc, Reject


def _doc(file: str, n: int) -> Doc:
    return Doc(id=f"{file}:{n}", source=f"{file}:{n}", file=file, raw=b"", input_format="text", text="x")


def _reject(file: str, n: int, stage: str = "finish", reason: str = "empty_after_cleaning") -> Reject:
    return Reject(f"{file}:{n}", f"{file}:{n}", file, stage, reason, "", b"", 0)


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_text(SAMPLE_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "only-appeal.txt").write_text("Donate now\n\nSupport our journalism\n", encoding="utf-8")
    other = (SAMPLES / "articles.jsonl").read_text(encoding="utf-8").splitlines()[0]  # not a copy of story.txt
    lines = [other, "{not json",
             json.dumps({"text": "Subscribe now\n\nAlready a subscriber? Log in to continue"})]
    (folder / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _graph_only_run(tmp_path: Path):
    """build() + run on the DirectRunner without the driver's summary step."""
    out = tmp_path / "out"
    options = PipelineOptions(["--input", str(_inputs(tmp_path) / "*"), "--output", str(out)])
    p = beam.Pipeline(options=options)
    build(p, options.view_as(PresswashOptions))
    result = p.run()
    result.wait_until_finish()
    return out, result


@pytest.fixture(scope="module")
def graph_run(tmp_path_factory):
    return _graph_only_run(tmp_path_factory.mktemp("accounting"))


def _rows(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for f in glob.glob(str(out / ACCOUNTING_GLOB)) for line in open(f) if line.strip()]
    return {Path(row["file"]).name: row for row in rows}


def test_graph_writes_per_file_rows_and_no_summary(graph_run):
    out, _ = graph_run
    # The graph writes no run-summary.json: only the driver does, after it waited.
    assert not (out / SUMMARY_NAME).exists()
    rows = _rows(out)
    assert rows == {
        "story.txt": {"file": rows["story.txt"]["file"], "read": 1, "articles": 1, "rejects": 0, "balanced": True},
        "empty.txt": {"file": rows["empty.txt"]["file"], "read": 1, "articles": 0, "rejects": 1, "balanced": True},
        "only-appeal.txt": {"file": rows["only-appeal.txt"]["file"], "read": 1, "articles": 0, "rejects": 1,
                            "balanced": True},
        "lines.jsonl": {"file": rows["lines.jsonl"]["file"], "read": 3, "articles": 1, "rejects": 2,
                        "balanced": True},
    }


def _global_combines(p, only_global_window: bool = False) -> tuple[list[str], list[str]]:
    """(labels of the CombineGlobally transforms, names of every transform) in the graph of ``p``;
    with ``only_global_window`` only the combines whose input is in the global window (the ones that
    never fire on unbounded input)."""
    from apache_beam.transforms.window import GlobalWindows

    found, names = [], []

    class Visitor(beam.pipeline.PipelineVisitor):
        def enter_composite_transform(self, node):
            self.visit_transform(node)

        def visit_transform(self, node):
            names.append(type(node.transform).__name__)
            if isinstance(node.transform, beam.CombineGlobally):
                windowed = not isinstance(node.inputs[0].windowing.windowfn, GlobalWindows)
                if not (only_global_window and windowed):
                    found.append(node.full_label)

    p.visit(Visitor())
    return found, names


def test_accounting_has_no_global_combine():
    """Global combines never fire on unbounded input: the accounting is keyed only (the same transforms
    count the streaming graph's windows).  The batch graph's one global combine is the near-duplicate
    components of bounded input (transforms/beam/corpus.py:NearComponents)."""
    options = PipelineOptions(["--input", "nowhere/*", "--output", "/nonexistent/out"])
    p = beam.Pipeline(options=options)
    build(p, options.view_as(PresswashOptions))
    found, names = _global_combines(p)
    assert [label for label in found if "/Near/" not in label] == [], found
    assert "AccountPerKey" in names and "WriteAccounting" in names


def test_streaming_graph_has_no_global_combine_in_the_global_window():
    """The graph that runs on unbounded input (Pub/Sub) combines globally only per fixed window."""
    from apache_beam.testing.test_stream import TestStream

    from transforms.beam.streaming import StreamDocuments, StreamSettings
    from transforms.clean import default_resources

    p = beam.Pipeline(options=PipelineOptions(["--streaming"]))
    messages = p | TestStream().advance_watermark_to_infinity()
    messages | StreamDocuments(default_resources(), StreamSettings(), "/nonexistent/out")
    found, names = _global_combines(p, only_global_window=True)
    assert found == [], found
    assert _global_combines(p)[0] == ["StreamDocuments/WindowSummaries/PerWindow"]  # (the check sees them)
    assert "StreamDocuments" in names and "AccountPerMessage" in names


def test_summary_totals_are_the_beam_counters(graph_run):
    out, result = graph_run
    summary = summarize_run(result, str(out), runner="DirectRunner")
    counters = summary["counters"]
    assert summary["counters_available"] is True
    assert (summary["documents_read"], summary["articles_written"], summary["rejects_written"]) == (6, 2, 4)
    assert (counters["documents_read"], counters["articles_written"], counters["rejects_written"]) == (6, 2, 4)
    assert counters["files_balanced"] == 4 and "files_unbalanced" not in counters
    assert summary["rejected_by_reason"] == {
        "finish/empty_after_cleaning": 2, "parse_jsonl/malformed_json": 1, "read/empty_input": 1}
    assert summary["balanced"] is True and summary["unbalanced_files"] == []
    assert summary["files_read"] == 4 and len(summary["files"]) == 4 and summary["runner"] == "DirectRunner"


def test_summary_without_runner_metrics_uses_the_rows(graph_run):
    out, _ = graph_run

    class NoMetrics:
        def metrics(self):
            raise NotImplementedError("this runner reports no metrics")

    summary = summarize_run(NoMetrics(), str(out))
    assert summary["counters_available"] is False
    assert (summary["documents_read"], summary["articles_written"], summary["rejects_written"]) == (6, 2, 4)
    assert summary["balanced"] is True


def test_counters_that_disagree_with_the_rows_are_not_balanced(graph_run):
    out, result = graph_run
    real = summarize_run(result, str(out))["counters"]
    lying = SimpleNamespace(metrics=lambda: _FakeMetrics({**real, "rejects_written": real["rejects_written"] - 1,
                                                          "articles_written": real["articles_written"] + 1}))
    summary = summarize_run(lying, str(out))
    assert summary["documents_read"] == summary["articles_written"] + summary["rejects_written"]
    assert summary["balanced"] is False  # the per-file rows say otherwise


class _FakeMetrics:
    def __init__(self, values: dict[str, int]) -> None:
        self._values = values

    def query(self, _filter):
        return {"counters": [SimpleNamespace(key=SimpleNamespace(metric=SimpleNamespace(name=k)), committed=v,
                                             attempted=v) for k, v in self._values.items()]}


def test_account_per_key_flags_an_unbalanced_file():
    read = [_doc("a", 1), _doc("a", 2), _doc("b", 1)]
    with TestPipeline() as p:
        rows = (p | "R" >> beam.Create(read), p | "A" >> beam.Create([_doc("a", 1)]),
                p | "J" >> beam.Create([_reject("b", 1)])) | AccountPerKey()
        assert_that(rows, equal_to([
            {"file": "a", "read": 2, "articles": 1, "rejects": 0, "balanced": False},
            {"file": "b", "read": 1, "articles": 0, "rejects": 1, "balanced": True},
        ]))


def test_account_per_key_per_window_on_unbounded_input():
    """Streaming: the same transform, on windowed unbounded input, gives one row per (window, key)."""
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True

    items = {"read": [(1, _doc("a", 1)), (2, _doc("a", 2)), (65, _doc("a", 3))],
             "articles": [(1, _doc("a", 1)), (65, _doc("a", 3))],
             "rejects": [(2, _reject("a", 2))]}
    stream = BeamTestStream(output_tags=set(items))
    for tag, timed in items.items():
        stream = stream.add_elements([window.TimestampedValue(item, t) for t, item in timed], tag=tag)
    stream = stream.advance_watermark_to_infinity()
    with TestPipeline(options=options) as p:
        outputs = p | stream
        rows = tuple(outputs[tag] | f"W{tag}" >> beam.WindowInto(window.FixedWindows(60))
                     for tag in ("read", "articles", "rejects")) | AccountPerKey()
        assert_that(rows, equal_to([
            {"file": "a", "read": 2, "articles": 1, "rejects": 1, "balanced": True,
             "window_start": "1970-01-01T00:00:00Z", "window_end": "1970-01-01T00:01:00Z"},
            {"file": "a", "read": 1, "articles": 1, "rejects": 0, "balanced": True,
             "window_start": "1970-01-01T00:01:00Z", "window_end": "1970-01-01T00:02:00Z"},
        ]))


def test_build_summary_lists_only_unbalanced_files_for_large_runs():
    digest = accounting.RowDigest(limit=2)
    for i in range(3):
        digest.add(accounting.file_row(f"f{i}", {"documents_read": 1, "articles_written": i != 1}))
    summary = accounting.build_summary({"documents_read": 3, "articles_written": 2, "files_read": 3}, digest)
    assert summary["files"] == [] and [r["file"] for r in summary["unbalanced_files"]] == ["f1"]
    assert summary["balanced"] is False and summary["files_read"] == 3
