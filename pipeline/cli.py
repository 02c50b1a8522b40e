"""The ``python -m pipeline`` command line: subcommands, presswash options, Beam options.

* ``python -m pipeline SUBCOMMAND ...`` runs the subcommand's module ``main(argv)``
  (:data:`SUBCOMMANDS`; e.g. ``explain``).
* ``python -m pipeline [OPTIONS]`` runs the pipeline.  Presswash options come from
  ``PresswashOptions._add_argparse_args`` (the one place they are defined); every
  other option must be a Beam pipeline option (``--runner``,
  ``--direct_num_workers``, ...).  Anything else stops the command with exit
  status 2 and argparse's usual error plus a "did you mean" hint, before any work
  is done::

    $ python -m pipeline --ouput out/
    python -m pipeline: error: unrecognized arguments: --ouput (did you mean --output?)
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys

# subcommand -> module whose ``main(argv: list[str]) -> int`` runs it
SUBCOMMANDS: dict[str, str] = {
    "explain": "pipeline.explain",
    "publish": "pipeline.publish",  # files -> Pub/Sub messages for --streaming (docs/streaming.md)
}

PROG = "python -m pipeline"

_BEAM_EXAMPLES = ("--runner", "--direct_num_workers", "--direct_running_mode", "--project", "--region",
                  "--temp_location", "--setup_file", "--streaming")

_EPILOG = f"""\
subcommands:
{{subcommands}}
  (run '{PROG} SUBCOMMAND --help' for a subcommand's options)

Beam options:
  Any standard Apache Beam pipeline option is passed on to Beam, e.g.
  --runner DataflowRunner, --direct_num_workers 2, --direct_running_mode multi_processing,
  --project, --region, --temp_location, --setup_file ./setup.py.
  '{PROG} --help-beam' lists them all.  An option that neither presswash nor
  Beam knows stops the command (exit status 2).

exit status: 0 success; 1 run failed or unbalanced (read != articles + rejects),
  or it read no documents; 2 bad command line or inputs that match nothing.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Shows every option's default, unless its help text already names it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default:" in text or "%(default)" in text:
            return text
        return super()._get_help_string(action)


def _beam_argument_parser_class():
    from apache_beam.options.pipeline_options import _BeamArgumentParser  # supports add_value_provider_argument

    return _BeamArgumentParser


def _subcommand_lines() -> str:
    """One line per subcommand: its name and the first line of its module's docstring."""
    lines = []
    for name, module in SUBCOMMANDS.items():
        try:
            doc = (importlib.import_module(module).__doc__ or "").strip().split("\n")[0].replace("``", "")
        except Exception as exc:  # noqa: BLE001 - --help must work even when a subcommand cannot load
            doc = f"(cannot load {module}: {type(exc).__name__})"
        lines.append(f"  {name:<10} {doc}")
    return "\n".join(lines)


def presswash_parser() -> argparse.ArgumentParser:
    """The launcher's parser: presswash's options (from PresswashOptions) and the help text."""
    from pipeline.options import PresswashOptions

    parser = _beam_argument_parser_class()(
        prog=PROG, allow_abbrev=False, formatter_class=_Formatter,
        usage=f"{PROG} [presswash options] [Beam options]\n       {PROG} {{{','.join(SUBCOMMANDS)}}} ...",
        epilog=_EPILOG.format(subcommands=_subcommand_lines()),
        description="presswash: raw scraped news text and HTML -> clean article records in Parquet "
                    "(an Apache Beam pipeline; runs locally by default, on Beam's Python batch runner).")
    parser._optionals.title = "presswash options"
    parser.add_argument("--help-beam", action="store_true", help="list every Beam pipeline option and exit")
    PresswashOptions._add_argparse_args(parser)  # noqa: SLF001 - the one definition of the options
    return parser


def beam_parser() -> argparse.ArgumentParser:
    """A parser that knows every Beam pipeline option (every PipelineOptions subclass but presswash's)."""
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.options import PresswashOptions

    parser = _beam_argument_parser_class()(
        prog=PROG, allow_abbrev=False, formatter_class=_Formatter, add_help=False,
        description="Beam pipeline options accepted by presswash (passed on to Beam unchanged).")
    seen: dict[str, type] = {}
    for cls in PipelineOptions.__subclasses__():  # what PipelineOptions.get_all_options parses
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        if not issubclass(cls, PresswashOptions):
            cls._add_argparse_args(parser)  # noqa: SLF001
    return parser


def option_names(parser: argparse.ArgumentParser) -> list[str]:
    """Every ``--long`` option string ``parser`` knows."""
    return sorted({s for action in parser._actions for s in action.option_strings if s.startswith("--")})


def _hint(unknown: list[str], known: list[str]) -> str:
    hints = []
    for arg in unknown:
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            if close:
                hints.append(f"did you mean {close[0]}?")
        elif not hints:
            hints.append("inputs are given with --input")
    return f" ({'; '.join(hints)})" if hints else ""


def check_args(argv: list[str]) -> list[str]:
    """Validate the pipeline's command line; exits 2 on an unknown option.  Returns ``argv`` for Beam."""
    parser = presswash_parser()
    known, rest = parser.parse_known_args(argv)
    beam = beam_parser()
    if known.help_beam:
        beam.print_help()
        raise SystemExit(0)
    _, unknown = beam.parse_known_args(rest)
    if unknown:
        names = option_names(parser) + option_names(beam)
        parser.error(f"unrecognized arguments: {' '.join(unknown)}{_hint(unknown, names)}")
    return [arg for arg in argv if arg != "--help-beam"]


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline``: a subcommand, or a pipeline run."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:])
    beam_argv = check_args(argv)
    from pipeline.main import run_command

    return run_command(beam_argv)
