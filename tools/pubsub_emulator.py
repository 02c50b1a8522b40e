"""Start and stop the Pub/Sub emulator (Google Cloud CLI + Java), and create a topic and subscription.

The emulator is the real Pub/Sub protocol on localhost: the pipeline's
``ReadFromPubSub`` and ``python -m pipeline publish`` talk to it when
``PUBSUB_EMULATOR_HOST=localhost:PORT`` is set.  Usage::

    python tools/pubsub_emulator.py start --project P --topic T --subscription S [--port 8085]
    export PUBSUB_EMULATOR_HOST=localhost:8085      # the start command prints this line
    python tools/pubsub_emulator.py stop  [--port 8085]

In Python (the tests)::

    with Emulator() as emu:               # a free port; stopped (its process group) on exit
        emu.create("P", "T", "S")
        os.environ["PUBSUB_EMULATOR_HOST"] = emu.host

It runs ``cloud-pubsub-emulator`` from the Cloud SDK's ``platform/pubsub-emulator``
(else ``gcloud beta emulators pubsub start``).  :func:`available` says why it
cannot run (no gcloud, no emulator component, no Java).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATE_DIR = Path(tempfile.gettempdir()) / "presswash-pubsub-emulator"


def emulator_command(port: int, data_dir: str) -> list[str] | None:
    """The command that starts the emulator on ``localhost:port``, or None when it is not installed."""
    gcloud = shutil.which("gcloud")
    candidates = []
    if gcloud:
        sdk = Path(os.path.realpath(gcloud)).parent.parent
        candidates.append(sdk / "platform" / "pubsub-emulator" / "bin" / "cloud-pubsub-emulator")
    candidates.append(Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator"))
    for binary in candidates:
        if binary.is_file():
            return [str(binary), "--host=localhost", f"--port={port}", f"--dir={data_dir}"]
    if gcloud:
        return [gcloud, "beta", "emulators", "pubsub", "start", f"--host-port=localhost:{port}",
                f"--data-dir={data_dir}", "--quiet"]
    return None


def available() -> str | None:
    """None when the emulator can run here, else the reason it cannot (for a test's skip message)."""
    if not shutil.which("java"):
        return "java is not installed (the Pub/Sub emulator needs Java 11+)"
    if emulator_command(0, "/tmp") is None:
        return "the Google Cloud CLI with the Pub/Sub emulator is not installed"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("localhost", port)) == 0


class Emulator:
    """A Pub/Sub emulator process on ``localhost:port`` (its own process group, stopped by :meth:`stop`)."""

    def __init__(self, port: int | None = None, log_path: str | None = None) -> None:
        self.port = port or free_port()
        self.host = f"localhost:{self.port}"
        self._data_dir = tempfile.mkdtemp(prefix="pubsub-emulator-")
        self._log_path = log_path or os.path.join(self._data_dir, "emulator.log")
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> "Emulator":
        command = emulator_command(self.port, self._data_dir)
        if command is None:
            raise RuntimeError(available() or "no Pub/Sub emulator")
        log = open(self._log_path, "wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited ({self.process.returncode}); see {self._log_path}")
            if _listening(self.port):
                return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the emulator did not listen on {self.host} within {timeout:.0f}s; see {self._log_path}")

    def create(self, project: str, topic: str, subscription: str | None = None) -> tuple[str, str | None]:
        """Create ``projects/P/topics/T`` (and a subscription to it); returns their paths."""
        return create_topic(self.host, project, topic, subscription)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the emulator's own group: the JVM and its wrapper
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        self.process = None
        shutil.rmtree(self._data_dir, ignore_errors=True)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def create_topic(host: str, project: str, topic: str, subscription: str | None = None) -> tuple[str, str | None]:
    """Topic (and pull subscription) on the emulator at ``host``; existing ones are kept."""
    previous = os.environ.get("PUBSUB_EMULATOR_HOST")
    os.environ["PUBSUB_EMULATOR_HOST"] = host  # the clients read it when they are created
    try:
        return _create_topic(project, topic, subscription)
    finally:
        if previous is None:
            os.environ.pop("PUBSUB_EMULATOR_HOST", None)
        else:
            os.environ["PUBSUB_EMULATOR_HOST"] = previous


def _create_topic(project: str, topic: str, subscription: str | None) -> tuple[str, str | None]:
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    topic_path = publisher.topic_path(project, topic)
    try:
        publisher.create_topic(name=topic_path)
    except AlreadyExists:
        pass
    sub_path = None
    if subscription:
        subscriber = pubsub_v1.SubscriberClient()
        sub_path = subscriber.subscription_path(project, subscription)
        try:
            subscriber.create_subscription(name=sub_path, topic=topic_path, ack_deadline_seconds=60)
        except AlreadyExists:
            pass
        subscriber.close()
    return topic_path, sub_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/pubsub_emulator.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--project", default="presswash-local")
    parser.add_argument("--topic", default="articles")
    parser.add_argument("--subscription", default="articles-sub")
    args = parser.parse_args(argv)
    STATE_DIR.mkdir(exist_ok=True)
    pid_file = STATE_DIR / f"{args.port}.pid"
    if args.action == "stop":
        if not pid_file.exists():
            print(f"no emulator started by this tool on port {args.port}", file=sys.stderr)
            return 1
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        pid_file.unlink()
        print(f"stopped the emulator on localhost:{args.port}")
        return 0
    reason = available()
    if reason:
        print(f"cannot start the Pub/Sub emulator: {reason}", file=sys.stderr)
        return 1
    if _listening(args.port):
        print(f"localhost:{args.port} is already in use", file=sys.stderr)
        return 1
    emulator = Emulator(args.port, log_path=str(STATE_DIR / f"{args.port}.log")).start()
    pid_file.write_text(str(emulator.process.pid))
    topic, sub = emulator.create(args.project, args.topic, args.subscription)
    print(f"Pub/Sub emulator on localhost:{args.port} (log {STATE_DIR / f'{args.port}.log'})")
    print(f"topic {topic}\nsubscription {sub}")
    print(f"export PUBSUB_EMULATOR_HOST=localhost:{args.port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
