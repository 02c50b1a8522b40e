"""Write deploy/flex-template/metadata.json from the pipeline's own options (the one definition).

    python deploy/make_metadata.py            # rewrite metadata.json
    python deploy/make_metadata.py --check    # exit 1 if it is out of date (tests/test_template.py does this)

Every presswash option that takes a value becomes a template parameter with
its help text and a validation regex; ``--output`` is required.  Flags
without a value (``--overwrite``) are left out: the Flex Template launcher
passes ``--name=value``, which a flag does not take (a daily job writes to a
new dated prefix, so it needs no --overwrite).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METADATA = ROOT / "deploy" / "flex-template" / "metadata.json"
REQUIRED = ("output",)
LEFT_OUT = {"progress_seconds": "prints progress on the DirectRunner only",
            "workers": "chooses the local DirectRunner's worker processes only"}
# Parameters whose value has a shape a regex can check beyond its type.
SHAPES = {
    "input_subscription": r"^projects/[^/]+/subscriptions/[^/]+$",
    "input_topic": r"^projects/[^/]+/topics/[^/]+$",
    "bigquery_table": r"^[a-z][a-z0-9.:-]{3,61}[a-z0-9][:.][A-Za-z0-9_]+\.[\w$-]+$",
    "output": r"^(gs|s3)://[^\s]+$",
    "input": r"^\S+$",
}


def _parser() -> argparse.ArgumentParser:
    from pipeline.options import PresswashOptions

    parser = argparse.ArgumentParser()
    PresswashOptions._add_argparse_args(parser)  # noqa: SLF001 - the one definition of the options
    return parser


def _regex(action: argparse.Action) -> str | None:
    name = action.dest
    if name in SHAPES:
        return SHAPES[name]
    if action.choices:
        return "^(" + "|".join(str(c) for c in action.choices) + ")$"
    if action.type is int:
        return r"^-?[0-9]+$"
    if action.type is float:
        return r"^-?[0-9]+(\.[0-9]+)?$"
    return None


def build_metadata() -> dict:
    params = []
    for action in _parser()._actions:  # noqa: SLF001
        if not action.option_strings or action.dest == "help" or action.dest in LEFT_OUT:
            continue
        if action.nargs == 0:  # a flag (store_true): see the module docstring
            continue
        param = {
            "name": action.dest,
            "label": action.dest.replace("_", " ").capitalize(),
            "helpText": " ".join((action.help or "").split()).replace("%(default)s", str(action.default)),
            "isOptional": action.dest not in REQUIRED,
        }
        regex = _regex(action)
        if regex:
            param["regexes"] = [regex]
        params.append(param)
    return {
        "name": "presswash",
        "description": "Raw scraped news text and HTML -> clean article records in Parquet (and BigQuery): a batch "
                       "run over input files, or a stream when input_subscription or input_topic is given",
        "parameters": params,
    }


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--check", action="store_true")
    check = args.parse_args(argv).check
    text = json.dumps(build_metadata(), indent=2, ensure_ascii=False) + "\n"
    if check:
        if not METADATA.exists() or METADATA.read_text(encoding="utf-8") != text:
            print(f"{METADATA.relative_to(ROOT)} is out of date: run python deploy/make_metadata.py", file=sys.stderr)
            return 1
        return 0
    METADATA.write_text(text, encoding="utf-8")
    print(f"wrote {METADATA.relative_to(ROOT)} ({len(build_metadata()['parameters'])} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
