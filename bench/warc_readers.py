"""FastWARC vs warcio on the same WARC file: records/s and MB/s (why transforms/ingest/warc.py uses FastWARC).

Writes a WARC of the 74 DEV pages of ``../shared/eval`` (``--reps`` times, gzip per record
and uncompressed) with warcio, then reads every ``response`` record's HTTP payload with
both libraries, as the reader does (HTTP headers parsed, payload read to the end)::

    python -m bench.warc_readers --reps 30
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"


def write_warc(path: str, pages: list[bytes], reps: int, gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gz)
        for r in range(reps):
            for i, page in enumerate(pages):
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(f"https://site{i % 20}.example/{r}/{i}", "response",
                                                              payload=io.BytesIO(page), http_headers=http))


def read_fastwarc(path: str) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    records = size = 0
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True, auto_decode="none",
                                      fsspec_args=False):
            record.http_content_type, record.http_charset, record.stream_pos  # noqa: B018 - what the reader uses
            size += len(record.reader.read())
            records += 1
    return records, size


def read_warcio(path: str) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    records = size = 0
    with open(path, "rb") as f:
        iterator = ArchiveIterator(f)
        for record in iterator:
            if record.rec_type != "response":
                continue
            record.http_headers.get_header("Content-Type")
            size += len(record.content_stream().read())
            iterator.get_record_offset()  # (called before reading, it reads the record to its end itself)
            records += 1
    return records, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args(argv)
    pages = [gzip.open(p).read() for p in sorted((args.eval / "dev").glob("*.html.gz"))]
    with tempfile.TemporaryDirectory() as tmp:
        for name, gz in (("bench.warc.gz", True), ("bench.warc", False)):
            path = os.path.join(tmp, name)
            write_warc(path, pages, args.reps, gz)
            file_mb = os.path.getsize(path) / 1e6
            for lib, read in (("fastwarc", read_fastwarc), ("warcio", read_warcio)):
                started = time.perf_counter()
                records, size = read(path)
                seconds = time.perf_counter() - started
                print(f"{name:<14} {lib:<9} {records} records {seconds:6.2f}s {records / seconds:8.0f} records/s "
                      f"{file_mb / seconds:7.0f} MB/s of file ({size / 1e6:.0f} MB of payload)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
