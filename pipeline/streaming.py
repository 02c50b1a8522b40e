"""The streaming pipeline: Pub/Sub messages -> per-window Parquet files, with cross-window dedup.

Locally, against the Pub/Sub emulator (see docs/streaming.md)::

    python tools/pubsub_emulator.py start --port 8085 --project P --topic T --subscription S
    export PUBSUB_EMULATOR_HOST=localhost:8085
    python -m pipeline --streaming --input_subscription projects/P/subscriptions/S --output out/ \\
        --window_seconds 5
    python -m pipeline publish 'pages/*.html' --topic projects/P/topics/T      # in another shell

On Dataflow: the same options with ``--runner DataflowRunner --project ...
--region ... --temp_location gs://... --setup_file ./setup.py``.

Each window writes ``articles-<start>-<end>-SSSSS-of-NNNNN.parquet``,
``rejects-...parquet`` and ``summary-...json`` (read, articles, rejects by
reason) under ``--output``; see :mod:`transforms.beam.streaming`.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.options import PresswashOptions
from transforms.beam.streaming import StreamDocuments, StreamSettings
from transforms.clean import CleaningResources, load_cleaning_resources

_LOG = logging.getLogger(__name__)


class StreamingUsageError(ValueError):
    """The command line asks for a stream the options do not describe."""


def is_streaming(options: PipelineOptions) -> bool:
    return bool(options.view_as(StandardOptions).streaming)


def check_streaming_options(options: PipelineOptions) -> None:
    """A stream needs exactly one unbounded source; a Pub/Sub source switches ``--streaming`` on.

    Raises :class:`StreamingUsageError` with what to pass instead.
    """
    opts = options.view_as(PresswashOptions)
    sources = [name for name in ("input_subscription", "input_topic") if getattr(opts, name, None)]
    if is_streaming(options):
        if not sources:
            raise StreamingUsageError(
                "--streaming needs an unbounded source: --input_subscription projects/P/subscriptions/S or "
                "--input_topic projects/P/topics/T (files given with --input are read by a batch run: "
                "drop --streaming, or publish them with 'python -m pipeline publish')")
        if len(sources) > 1:
            raise StreamingUsageError("give one of --input_subscription and --input_topic, not both")
        if opts.input:
            raise StreamingUsageError(
                "--input is for batch runs; with --streaming, publish files to the topic with "
                "'python -m pipeline publish FILES --topic projects/P/topics/T'")
        if opts.window_seconds <= 0 or opts.dedup_ttl_seconds <= 0:
            raise StreamingUsageError("--window_seconds and --dedup_ttl_seconds must be positive")
    elif sources:
        # A Pub/Sub source means a stream: switch streaming on (a Flex Template launch passes only
        # --name=value parameters, and Beam's --streaming flag takes no value).
        options.view_as(StandardOptions).streaming = True
        check_streaming_options(options)


def stream_settings(opts: PresswashOptions) -> StreamSettings:
    """The streaming graph's settings from the command-line options."""
    return StreamSettings(
        window_seconds=opts.window_seconds,
        dedup_ttl_seconds=opts.dedup_ttl_seconds,
        allowed_lateness_seconds=opts.allowed_lateness_seconds,
        dedup=getattr(opts, "dedup", None) or "near",
        near_threshold=getattr(opts, "near_dup_threshold", None) or StreamSettings.near_threshold,
        input_format=opts.input_format,
        boilerplate_mode=opts.boilerplate,
        limits=opts.limits(),
        num_shards=opts.num_shards or 1,
    )


def build_streaming(p: beam.Pipeline, opts: PresswashOptions, resources: CleaningResources | None = None,
                    messages: Any = None) -> dict[str, Any]:
    """Wire the streaming graph on ``p``: Pub/Sub (or the given ``messages``) -> windowed outputs."""
    from apache_beam.io.gcp.pubsub import ReadFromPubSub

    resources = resources or load_cleaning_resources()
    if messages is None:
        messages = p | "ReadPubSub" >> ReadFromPubSub(
            subscription=opts.input_subscription, topic=opts.input_topic if not opts.input_subscription else None,
            with_attributes=True, timestamp_attribute=opts.timestamp_attribute)
    outputs = messages | "Stream" >> StreamDocuments(resources, stream_settings(opts), opts.output)
    if opts.bigquery_table:
        from transforms.beam.bigquery import WriteArticlesToBigQuery

        outputs["articles"] | "BigQuery" >> WriteArticlesToBigQuery(opts.bigquery_table, streaming=True)
    return outputs


def run_streaming(options: PipelineOptions) -> None:
    """Start the streaming job; on a local runner, run until interrupted (Ctrl-C)."""
    check_streaming_options(options)
    opts = options.view_as(PresswashOptions)
    if "://" not in opts.output:
        os.makedirs(opts.output, exist_ok=True)
    p = beam.Pipeline(options=options)
    build_streaming(p, opts)
    result = p.run()
    all_options = options.get_all_options()
    runner = options.view_as(StandardOptions).runner or "DirectRunner"
    if all_options.get("dry_run") or all_options.get("template_location") or "Dataflow" in str(runner):
        return None  # submitted (or only translated): the job runs on the service
    source = opts.input_subscription or opts.input_topic
    print(f"presswash: streaming from {source} into {opts.output} in {opts.window_seconds}s windows "
          "(Ctrl-C stops)", flush=True)
    try:
        result.wait_until_finish()
    except KeyboardInterrupt:
        print("presswash: stopping the stream", flush=True)
        try:
            result.cancel()
        except Exception:  # noqa: BLE001 - the local runner may already be down
            pass
    return None
