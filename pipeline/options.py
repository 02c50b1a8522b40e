"""Command-line options of the presswash pipeline (plus every standard Beam option)."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from transforms.clean import BOILERPLATE_MODES
from transforms.ingest.readers import FORMATS, ReadLimits

DEFAULT_INPUT = "seeds/samples/*"
DEFAULT_OUTPUT = "output"
_LIMITS = ReadLimits()


class PresswashOptions(PipelineOptions):
    """``--input``, ``--output``, ``--input_format`` and the safety limits."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input", action="append", default=None,
            help="input file or glob, local or any Beam filesystem URI (gs://...); repeat the option or "
                 f"separate with commas for several (default: {DEFAULT_INPUT})")
        parser.add_argument(
            "--output", default=DEFAULT_OUTPUT,
            help="output directory or URI prefix: articles-*.parquet, rejects-*.parquet and "
                 f"run-summary.json are written there (default: {DEFAULT_OUTPUT})")
        parser.add_argument(
            "--input_format", default="auto", choices=FORMATS,
            help="how to read inputs; auto decides per file by extension (.txt .jsonl .html, "
                 "also .gz/.bz2) and falls back to sniffing the content")
        parser.add_argument(
            "--boilerplate", default="auto", choices=BOILERPLATE_MODES,
            help="line classifier for navigation/share/related lines: auto = for text input only")
        parser.add_argument(
            "--overwrite", action="store_true", default=False,
            help="replace outputs already present at --output (without it the run refuses to start)")
        parser.add_argument(
            "--max_doc_bytes", type=int, default=_LIMITS.max_doc_bytes,
            help="largest document (file or JSONL line, after decompression); larger ones are rejected")
        parser.add_argument(
            "--max_lines", type=int, default=_LIMITS.max_lines,
            help="most lines in one document; more are rejected")
        parser.add_argument(
            "--max_decompressed_bytes", type=int, default=_LIMITS.max_decompressed_bytes,
            help="most bytes one compressed file may expand to (against compression bombs)")
        parser.add_argument(
            "--num_shards", type=int, default=0,
            help="Parquet files per output (0 = let the runner decide)")

    def input_patterns(self) -> list[str]:
        """The --input values, split on commas."""
        values = self.view_as(PresswashOptions).input or [DEFAULT_INPUT]
        return [p.strip() for value in values for p in value.split(",") if p.strip()]

    def limits(self) -> ReadLimits:
        return ReadLimits(
            max_doc_bytes=self.max_doc_bytes,
            max_lines=self.max_lines,
            max_decompressed_bytes=self.max_decompressed_bytes,
        )
