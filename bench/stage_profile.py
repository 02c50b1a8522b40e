"""Per-stage profile of the pure cleaning chain: milliseconds per page for every stage.

Runs the stages of :data:`transforms.clean.STAGES` one by one on each page (the
same functions, arguments and order as ``clean_doc`` and the Beam graph) and
times each with ``time.process_time`` (CPU time: a busy machine inflates it less
than wall time); langdetect is timed on its own too, so
"our own code" (every stage but the langdetect call) can be compared with one
langdetect call per page.  No Beam involved::

    python -m bench.stage_profile                         # the DEV naive texts of ../shared/eval
    python -m bench.stage_profile --mode html             # the DEV HTML pages
    python -m bench.stage_profile --repeat 3 --json bench/results/profile-text.json
    python -m bench.stage_profile --cprofile 25           # also the top 25 functions under cProfile

The numbers are the median over ``--repeat`` passes of the per-stage mean, so a
busy machine inflates them less.  "Own code" is also given in parts (:data:`GROUPS`:
HTML extraction, the line classifier, comments and photo captions, the other text
stages), each as a multiple of one langdetect call (issue 11's target: own code <= 1 x).
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
# "Own code" (every stage but the langdetect call) in parts, each also given as a multiple of one
# langdetect call: the issue-11 target is own code <= 1 x.  Stages not named here count in "text stages".
GROUPS = {
    "HTML extraction": ("extract_html",),
    "line classifier": ("boilerplate",),
    "comments, photo captions": ("comments", "photo_captions"),
}
REST_GROUP = "text stages"  # normalize, headline, appeals, captions, credits, language (but the call), keys, ...


def load_pages(eval_dir: Path, split: str, mode: str) -> list[tuple[str, str]]:
    """(page id, input text) of the split: naive scraped text, or the decoded HTML."""
    ids_file = eval_dir / f"{split}_ids.txt"
    ids = [line.strip() for line in ids_file.read_text().splitlines() if line.strip()]
    pages = []
    for page in ids:
        if mode == "html":
            raw = gzip.decompress((eval_dir / split / f"{page}.html.gz").read_bytes())
            pages.append((page, raw.decode("utf-8", errors="replace")))
        else:
            pages.append((page, (eval_dir / split / f"{page}.txt").read_text(encoding="utf-8")))
    return pages


def profile_stages(pages: list[tuple[str, str]], mode: str, repeat: int = 1) -> dict[str, Any]:
    """Mean milliseconds per page per stage (median of ``repeat`` passes), plus the langdetect call alone."""
    from transforms.clean import STAGES, CleanSettings, default_detector, default_resources, stage_kwargs
    from transforms.document import Doc
    from transforms.text import language

    resources, detector = default_resources(), default_detector()
    settings = CleanSettings()
    passes: list[dict[str, float]] = []
    rejected: dict[str, int] = {}
    for _ in range(repeat):
        totals = {spec.name: 0.0 for spec in STAGES}
        totals["langdetect_call"] = 0.0
        original_detect = detector.detect

        def timed_detect(text: str, _orig=original_detect, _totals=totals):
            started = time.process_time()
            try:
                return _orig(text)
            finally:
                _totals["langdetect_call"] += time.process_time() - started

        detector.detect = timed_detect  # type: ignore[method-assign]
        try:
            for page_id, text in pages:
                doc = Doc(id=page_id, source=page_id, file=page_id, raw=b"",
                          input_format="html" if mode == "html" else "text", text=text)
                for spec in STAGES:
                    kwargs = stage_kwargs(spec, resources, settings, detector)
                    started = time.process_time()
                    try:
                        doc = spec.func(doc, **kwargs)
                    except Exception as exc:  # noqa: BLE001 - a rejected page stops its chain, as in the pipeline
                        totals[spec.name] += time.process_time() - started
                        key = f"{spec.name}/{getattr(exc, 'reason', type(exc).__name__)}"
                        rejected[key] = rejected.get(key, 0) + 1
                        break
                    totals[spec.name] += time.process_time() - started
        finally:
            detector.detect = original_detect  # type: ignore[method-assign]
        passes.append({name: 1000 * value / len(pages) for name, value in totals.items()})
    per_stage = {name: round(statistics.median(p[name] for p in passes), 3) for name in passes[0]}
    stages_total = sum(v for k, v in per_stage.items() if k != "langdetect_call")
    own = stages_total - per_stage["langdetect_call"]
    call = per_stage["langdetect_call"]
    grouped = {name: sum(per_stage.get(stage, 0.0) for stage in stages) for name, stages in GROUPS.items()}
    grouped[REST_GROUP] = own - sum(grouped.values())
    groups = {name: {"ms_per_page": round(ms, 3), "over_langdetect": round(ms / call, 3) if call else None}
              for name, ms in grouped.items()}
    return {
        "mode": mode,
        "pages": len(pages),
        "repeat": repeat,
        "ms_per_page": per_stage,
        "total_ms_per_page": round(stages_total, 3),
        "own_code_ms_per_page": round(own, 3),  # every stage minus the langdetect call itself
        "own_code_over_langdetect": (round(own / per_stage["langdetect_call"], 3)
                                     if per_stage["langdetect_call"] else None),
        "own_code_groups": groups,  # own code in parts (GROUPS), each also / one langdetect call
        "language_sample_chars": language.SAMPLE_CHARS,
        "rejected": rejected,
    }


def cprofile_top(pages: list[tuple[str, str]], mode: str, top: int) -> str:
    """The ``top`` functions by own time under cProfile, one pass over the pages."""
    from transforms.clean import clean_text

    profiler = cProfile.Profile()
    profiler.enable()
    for _page_id, text in pages:
        try:
            clean_text(text, html=mode == "html")
        except Exception:  # noqa: BLE001 - a page that fails still counts its time
            pass
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def format_profile(result: dict[str, Any]) -> str:
    lines = [f"## per-stage profile, {result['mode']} mode: {result['pages']} pages, median of {result['repeat']}",
             "", "| stage | ms/page | share |", "|---|---|---|"]
    total = result["total_ms_per_page"] or 1.0
    for name, ms in sorted(result["ms_per_page"].items(), key=lambda kv: -kv[1]):
        label = "  (of which the langdetect call)" if name == "langdetect_call" else name
        lines.append(f"| {label} | {ms:.2f} | {100 * ms / total:.0f}% |")
    lines.append(f"| **all stages** | **{total:.2f}** | |")
    lines.append("")
    lines.append(f"own code (all stages but the langdetect call): {result['own_code_ms_per_page']:.2f} ms/page = "
                 f"{result['own_code_over_langdetect']} x one langdetect call "
                 f"(sample <= {result['language_sample_chars']} chars)")
    lines.append("")
    lines.append("| own code, in parts | ms/page | x one langdetect call |")
    lines.append("|---|---|---|")
    for name, part in result["own_code_groups"].items():
        lines.append(f"| {name} | {part['ms_per_page']:.2f} | {part['over_langdetect']} |")
    own, ratio = result["own_code_ms_per_page"], result["own_code_over_langdetect"]
    lines.append(f"| **own code** | **{own:.2f}** | **{ratio}** |")
    if result["rejected"]:
        lines.append(f"rejected: {result['rejected']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", default="text", choices=["text", "html", "both"])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="also print the top N functions")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)

    results = {}
    for mode in (["text", "html"] if args.mode == "both" else [args.mode]):
        pages = load_pages(args.eval_dir, args.split, mode)
        profile_stages(pages[:5], mode)  # warm-up: patterns, profiles, lazy imports
        results[mode] = profile_stages(pages, mode, args.repeat)
        print(format_profile(results[mode]))
        print()
        if args.cprofile:
            print(cprofile_top(pages, mode, args.cprofile))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
