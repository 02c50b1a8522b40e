"""A real local stream: the Pub/Sub emulator, ``python -m pipeline --streaming``, ``python -m pipeline publish``.

The test starts the emulator on a free port, the streaming pipeline (streaming DirectRunner,
2-second windows) and publishes JSON documents in waves a few windows apart; it waits for
window-named files with the duplicate of an earlier wave rejected and a malformed message
rejected, then stops both processes.  It is skipped only when gcloud or Java is absent.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT
from tools.pubsub_emulator import Emulator, available

REASON = available()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"Pub/Sub emulator unavailable: {REASON}")

PROJECT, TOPIC, SUBSCRIPTION = "presswash-test", "articles", "articles-sub"
PARK = ("The city council voted on Tuesday to expand the river park by forty acres, adding walking trails, "
        "a boat launch and a community garden near the old mill. The plan, first proposed three years ago by a "
        "group of neighbours, was approved by seven votes to two after a long debate about parking and noise.")
SNOW = ("Heavy snow closed three mountain passes on Monday night and left hundreds of drivers stranded at "
        "rest stops, the highway authority said. Crews worked through the night to clear the roads, and the "
        "main pass reopened shortly after dawn with chains required for all vehicles. Forecasters expect "
        "another storm later this week and urged people to avoid travel unless it is necessary, while schools "
        "in the valley said they would stay closed until the buses can run safely again.")
NAME_RE = re.compile(r"(articles|rejects|summary)-(\d{8}T\d{6}Z)-(\d{8}T\d{6}Z)(?:-pane\d+)?-\d{5}-of-\d{5}\.(parquet|json)")


def _write(folder: Path, name: str, content: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(content, encoding="utf-8")


def _publish(folder: Path, env: dict, monkeypatch, subprocess_: bool) -> None:
    """``python -m pipeline publish FOLDER/* --topic ...``: as a command, or its main() in this process."""
    argv = ["publish", str(folder / "*"), "--topic", f"projects/{PROJECT}/topics/{TOPIC}"]
    if subprocess_:
        result = subprocess.run([sys.executable, "-m", "pipeline", *argv], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return
    from pipeline.cli import main

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", env["PUBSUB_EMULATOR_HOST"])
    assert main(argv) == 0


def _outputs(out: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {"articles": [], "rejects": [], "summary": []}
    for path in out.glob("*"):
        match = NAME_RE.fullmatch(path.name)
        if not match:
            continue
        kind = match.group(1)
        try:
            if kind == "summary":
                rows = [json.loads(line) for line in path.read_text().splitlines()]
            else:
                rows = pq.read_table(path).to_pylist()
        except Exception:  # noqa: BLE001 - a file being renamed into place; read it next time
            continue
        for row in rows:
            row["_window"] = match.group(2)
        found[kind].extend(rows)
    return found


def test_local_stream_through_the_emulator(tmp_path, monkeypatch):
    waves = tmp_path / "waves"
    _write(waves / "1", "park.json", json.dumps({"id": "park-1", "title": "Park", "text": PARK}))
    _write(waves / "1", "snow.json", json.dumps({"id": "snow-1", "title": "Snow", "text": SNOW}))
    _write(waves / "2", "park-copy.json", json.dumps({"id": "park-2", "title": "Park", "text": PARK}))
    _write(waves / "2", "broken.json", '{"id": "broken-1", "text": "cut off')
    _write(waves / "3", "page.html", f"<html><head><title>Snow</title></head><body><article><h1>Snow</h1>"
                                     f"<p>{SNOW.replace('three mountain', 'four mountain')}</p></article></body></html>")
    out = tmp_path / "out"
    with Emulator() as emulator:
        emulator.create(PROJECT, TOPIC, SUBSCRIPTION)
        env = {**os.environ, "PUBSUB_EMULATOR_HOST": emulator.host}
        log = open(tmp_path / "pipeline.log", "wb")
        stream = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "--streaming", "--input_subscription",
             f"projects/{PROJECT}/subscriptions/{SUBSCRIPTION}", "--output", str(out), "--window_seconds", "2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            # The subscription exists already and keeps what is published before the pipeline pulls;
            # windows go by publish time, so the waves need not wait for the pipeline to start.
            time.sleep(1)
            assert stream.poll() is None, (tmp_path / "pipeline.log").read_text()[-3000:]
            for wave in ("1", "2", "3"):
                _publish(waves / wave, env, monkeypatch, subprocess_=wave == "1")
                time.sleep(4.5)  # more than two 2-second windows apart
            deadline = time.monotonic() + 120
            found = _outputs(out)
            while time.monotonic() < deadline:
                found = _outputs(out)
                ids = {row["id"] for kind in ("articles", "rejects") for row in found[kind]}
                if {"park-1", "snow-1", "park-2"} <= ids and len(found["rejects"]) >= 3 and len(
                        {row["_window"] for row in found["summary"]}) >= 3:
                    break
                time.sleep(2)
        finally:
            os.killpg(stream.pid, signal.SIGTERM)
            try:
                stream.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(stream.pid, signal.SIGKILL)
                stream.wait(timeout=30)
            log.close()
    articles = {row["id"]: row for row in found["articles"]}
    rejects = {row["id"]: row for row in found["rejects"]}
    assert {"park-1", "snow-1"} <= set(articles), (tmp_path / "pipeline.log").read_text()[-3000:]
    # the copy of wave 1 in wave 2, a later window: rejected, pointing at the kept id
    assert (rejects["park-2"]["stage"], rejects["park-2"]["reason"], rejects["park-2"]["duplicate_of"]) == (
        "dedup", "duplicate", "park-1")
    assert rejects["park-2"]["_window"] > articles["park-1"]["_window"]
    malformed = [row for row in found["rejects"] if row["reason"] == "malformed_json"]
    assert len(malformed) == 1 and malformed[0]["source"].endswith("broken.json:1")
    # the HTML page of wave 3, published from a file: a near duplicate of snow-1
    near = [row for row in found["rejects"] if row["reason"] == "near_duplicate"]
    assert len(found["articles"]) == 2, [(row["id"], row["source"]) for row in found["articles"]]
    assert [row["duplicate_of"] for row in near] == ["snow-1"]
    assert len({row["_window"] for row in found["articles"] + found["rejects"]}) >= 3
    assert all(row["balanced"] for row in found["summary"])
