"""``python -m pipeline publish FILES --topic projects/P/topics/T [--watch]``: files -> Pub/Sub messages.

Each file becomes one message: its bytes are the message data and its path is
the ``path`` attribute, so the streaming pipeline reads it exactly as a batch
run reads the file (format by extension, the same document id).  With
``--watch`` the command keeps polling the patterns and publishes files that
appear or change, until interrupted.  Against the emulator set
``PUBSUB_EMULATOR_HOST=localhost:PORT`` first (see docs/streaming.md)::

    python -m pipeline publish 'scraped/*.html' --topic projects/presswash-local/topics/articles
    python -m pipeline publish 'incoming/**' --topic projects/P/topics/T --watch --interval 5

A file over Pub/Sub's message limit (10 MB) is not published; the command
names it on stderr and exits with status 1 at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone

from transforms.streaming.messages import PATH_ATTRIBUTE

MAX_MESSAGE_BYTES = 10_000_000 - 64 * 1024  # Pub/Sub's limit, less room for the attributes


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("patterns", nargs="+", help="files or globs (local or any Beam filesystem URI)")
    parser.add_argument("--topic", required=True, help="projects/P/topics/T")
    parser.add_argument("--watch", action="store_true", help="keep polling for new or changed files")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls with --watch")
    parser.add_argument("--timestamp_attribute", default=None,
                        help="also set this attribute to the file's modification time (RFC 3339), for a pipeline "
                             "run with the same --timestamp_attribute (event time = when the file was written)")
    parser.add_argument("--attribute", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra attribute on every message (goes to the article's metadata)")
    args = parser.parse_args(argv)
    if not args.topic.startswith("projects/") or "/topics/" not in args.topic:
        parser.error(f"--topic must be projects/PROJECT/topics/TOPIC, got {args.topic!r}")
    for item in args.attribute:
        if "=" not in item:
            parser.error(f"--attribute takes KEY=VALUE, got {item!r}")
    return args


def list_files(patterns: list[str]) -> list[tuple[str, int, float]]:
    """(path, size, modification time) of every file the patterns match, sorted by path."""
    from apache_beam.io.filesystems import FileSystems

    found: dict[str, tuple[str, int, float]] = {}
    for pattern in patterns:
        try:
            matches = FileSystems.match([pattern])[0].metadata_list
        except Exception:  # noqa: BLE001 - a pattern that matches nothing (yet)
            continue
        for meta in matches:
            if meta.path.endswith("/"):
                continue
            found[meta.path] = (meta.path, meta.size_in_bytes, getattr(meta, "last_updated_in_seconds", 0.0))
    return [found[path] for path in sorted(found)]


def message_attributes(path: str, mtime: float, args: argparse.Namespace) -> dict[str, str]:
    attributes = dict(item.split("=", 1) for item in args.attribute)
    attributes[PATH_ATTRIBUTE] = path
    if args.timestamp_attribute:
        stamp = datetime.fromtimestamp(mtime or time.time(), tz=timezone.utc)
        attributes[args.timestamp_attribute] = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return attributes


def publish_files(publisher, topic: str, files: list[tuple[str, int, float]],
                  args: argparse.Namespace) -> tuple[int, int]:
    """Publish ``files``; returns (published, refused)."""
    from apache_beam.io.filesystems import FileSystems

    futures, refused = [], 0
    for path, size, mtime in files:
        if size > MAX_MESSAGE_BYTES:
            print(f"presswash publish: {path}: {size} bytes, over Pub/Sub's message limit; not published",
                  file=sys.stderr)
            refused += 1
            continue
        with FileSystems.open(path) as f:
            data = f.read()
        futures.append(publisher.publish(topic, data, **message_attributes(path, mtime, args)))
    for future in futures:
        future.result(timeout=120)
    return len(futures), refused


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    where = os.environ.get("PUBSUB_EMULATOR_HOST") or "Pub/Sub"
    seen: dict[str, tuple[int, float]] = {}
    total_published = total_refused = 0
    try:
        while True:
            files = [f for f in list_files(args.patterns) if seen.get(f[0]) != (f[1], f[2])]
            if files:
                published, refused = publish_files(publisher, args.topic, files, args)
                total_published += published
                total_refused += refused
                seen.update({path: (size, mtime) for path, size, mtime in files})
                print(f"published {published} file(s) to {args.topic} on {where}", flush=True)
            if not args.watch:
                break
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    if not total_published and not total_refused:
        print(f"presswash publish: no file matches {' '.join(args.patterns)}", file=sys.stderr)
        return 0 if args.watch else 2
    return 1 if total_refused else 0


if __name__ == "__main__":
    sys.exit(main())
