"""Output equivalence of the cleaning chain, stage by stage, on the DEV inputs (before/after a change).

A speed change must not change what the chain outputs.  ``--save NAME`` runs the
stages of :data:`transforms.clean.STAGES` one at a time (the same functions,
arguments and order as ``clean_doc`` and the Beam graph) on every DEV input (74
naive texts and 74 HTML pages) and stores the document after every stage:
segments, captions, credits, removed pieces with their reasons, title/subtitle,
language, keys ... (every field of :class:`transforms.document.Doc`), or the
stage's reject reason.  ``--compare NAME`` then checks the current code two ways:

* **isolated**: every stage is run again on the *stored* input of that stage and
  its output compared with the stored output.  A difference here is a change in
  that stage's own code, whatever other stages (worked on by other people at the
  same time) now do.
* **chained**: the whole chain is run again from the raw input, and the first
  stage whose output differs is named per input (this also shows changes made
  upstream, e.g. in HTML extraction or the line classifier).

``site_boilerplate`` has an empty side input in the chain (as without a corpus);
it is also checked with a synthetic side input (every 4th line of every input of
the same mode, under the input's domain, made again by the current code at
``--compare``), so its removal path is compared too::

    python -m bench.equivalence --save before            # /tmp/presswash-equivalence/before.pkl
    python -m bench.equivalence --compare before         # exit status 1 on any isolated difference
    python -m bench.equivalence --compare before --stages normalize,headline --show 5

Everything runs without Beam.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_DIR = Path("/tmp/presswash-equivalence")
SITE_VARIANT = "site_boilerplate+side"  # the stage again, with a synthetic side input
SIDE_EVERY = 4


def _run_stage(spec, doc, resources, settings, detector, side: dict[str, Any]):
    """(output Doc, None) or (None, "ExceptionName: reason") for one stage on one document."""
    from transforms.clean import stage_kwargs

    kwargs = stage_kwargs(spec, resources, settings, detector, side)
    try:
        return spec.func(doc, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - a reject is an output like any other
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', '')}: {exc}"


def _synthetic_side(chains: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"site_lines": {domain: [(line id, n, total), ...]}}`` from every 4th line of the inputs.

    The line ids are made by the stage's own module (``site_lines.line_keys``: text keys
    or their hashes, whichever the current code uses), so the same lines are chosen
    whatever form the side input takes.
    """
    from transforms.corpus.site_lines import doc_domain, line_keys

    lines: dict[str, list[tuple[Any, int, int]]] = {}
    for chain in chains:
        doc = chain["inputs"].get("site_boilerplate")
        if doc is None:
            continue
        entries = lines.setdefault(doc_domain(doc), [])
        for seg in doc.segments[::SIDE_EVERY]:
            for key in line_keys([seg.text]):
                entries.append((key, 3 + len(seg.text) % 5, 10))
    return {"site_lines": lines}


def run_chains(pages: list[tuple[str, str]], mode: str) -> list[dict[str, Any]]:
    """Per input: the input doc of every stage and every stage's output (Doc or reject string)."""
    from transforms.clean import STAGES, CleanSettings, default_detector, default_resources
    from transforms.document import Doc

    resources, detector, settings = default_resources(), default_detector(), CleanSettings()
    chains = []
    for page_id, text in pages:
        doc = Doc(id=page_id, source=page_id, file=page_id, raw=b"",
                  input_format="html" if mode == "html" else "text", text=text)
        chain: dict[str, Any] = {"id": page_id, "mode": mode, "inputs": {}, "outputs": {}}
        for spec in STAGES:
            chain["inputs"][spec.name] = doc
            out, error = _run_stage(spec, doc, resources, settings, detector, {})
            chain["outputs"][spec.name] = out if error is None else error
            if error is not None:
                break
            doc = out
        chains.append(chain)
    side = _synthetic_side(chains)
    spec = next(s for s in STAGES if s.name == "site_boilerplate")
    for chain in chains:
        doc = chain["inputs"].get("site_boilerplate")
        if doc is not None:
            out, error = _run_stage(spec, doc, resources, settings, detector, side)
            chain["outputs"][SITE_VARIANT] = out if error is None else error
    return chains


def load_all(eval_dir: Path, split: str, modes: list[str]) -> list[dict[str, Any]]:
    from bench.stage_profile import load_pages

    chains = []
    for mode in modes:
        chains += run_chains(load_pages(eval_dir, split, mode), mode)
    return chains


def diff_fields(old: Any, new: Any) -> str:
    """A short description of how two stage outputs differ."""
    import dataclasses

    if isinstance(old, str) or isinstance(new, str):
        return f"{str(old)[:200]!r} -> {str(new)[:200]!r}"
    parts = []
    for f in dataclasses.fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            if isinstance(a, list) and isinstance(b, list):
                first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                parts.append(f"{f.name}: len {len(a)} -> {len(b)}, first difference at [{first}]: "
                             f"{(a[first] if first < len(a) else None)!r:.300} -> "
                             f"{(b[first] if first < len(b) else None)!r:.300}")
            else:
                parts.append(f"{f.name}: {a!r:.200} -> {b!r:.200}")
    return "; ".join(parts) or "(equal fields, unequal objects)"


def compare(saved: list[dict[str, Any]], stages: set[str] | None, show: int, chained: bool = True) -> int:
    """Print the differences; the number of isolated differences in the selected stages."""
    from transforms.clean import STAGES, CleanSettings, default_detector, default_resources

    resources, detector, settings = default_resources(), default_detector(), CleanSettings()
    specs = {s.name: s for s in STAGES}
    # the synthetic side input is made again by the current code (its form may have changed)
    sides = {mode: _synthetic_side([c for c in saved if c["mode"] == mode]) for mode in {c["mode"] for c in saved}}
    checked: dict[str, int] = {}
    differ: dict[str, list[str]] = {}
    for chain in saved:
        for name, stored in chain["outputs"].items():
            stage = "site_boilerplate" if name == SITE_VARIANT else name
            if stages and stage not in stages:
                continue
            side = sides[chain["mode"]] if name == SITE_VARIANT else {}
            out, error = _run_stage(specs[stage], chain["inputs"][stage], resources, settings, detector, side)
            new = out if error is None else error
            checked[name] = checked.get(name, 0) + 1
            if new != stored:
                differ.setdefault(name, []).append(f"{chain['mode']} {chain['id'][:12]}: {diff_fields(stored, new)}")
    print("## isolated (each stage on its stored input)\n")
    print("| stage | inputs | differ |\n|---|---|---|")
    for name in [s.name for s in STAGES] + [SITE_VARIANT]:
        if name in checked:
            print(f"| {name} | {checked[name]} | {len(differ.get(name, []))} |")
    for name, rows in differ.items():
        print(f"\n{name}: {len(rows)} differ")
        for row in rows[:show]:
            print("  " + row)
    total = sum(len(rows) for rows in differ.values())
    if chained:
        eval_dir, split = saved[0]["eval_dir"], saved[0]["split"]
        modes = sorted({c["mode"] for c in saved})
        now = {(c["mode"], c["id"]): c for c in load_all(Path(eval_dir), split, modes)}
        first_diff: dict[str, list[str]] = {}
        same = 0
        for chain in saved:
            current = now[(chain["mode"], chain["id"])]
            for spec in STAGES:
                a, b = chain["outputs"].get(spec.name), current["outputs"].get(spec.name)
                if a != b:
                    how = diff_fields(a, b) if a is not None and b is not None else (a, b)
                    first_diff.setdefault(spec.name, []).append(f"{chain['mode']} {chain['id'][:12]}: {how}")
                    break
            else:
                same += 1
        print(f"\n## chained (whole chain from the raw input): {same} of {len(saved)} inputs identical at every stage")
        for name, rows in first_diff.items():
            print(f"first differing stage {name}: {len(rows)} inputs")
            for row in rows[:show]:
                print("  " + row[:600])
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="NAME", help="run the chain and store every stage's output as NAME")
    group.add_argument("--compare", metavar="NAME", help="compare the current code with the stored NAME")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"where NAME.pkl lives (default {DEFAULT_DIR})")
    parser.add_argument("--mode", default="both", choices=["text", "html", "both"])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--stages", help="comma-separated stage names to compare in isolation (default: all)")
    parser.add_argument("--no-chained", action="store_true", help="skip the whole-chain comparison")
    parser.add_argument("--show", type=int, default=3, help="differences shown per stage")
    args = parser.parse_args(argv)

    started = time.time()
    if args.save:
        modes = ["text", "html"] if args.mode == "both" else [args.mode]
        chains = load_all(args.eval_dir, args.split, modes)
        for chain in chains:
            chain["eval_dir"], chain["split"] = str(args.eval_dir), args.split
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir / f"{args.save}.pkl"
        path.write_bytes(pickle.dumps(chains, protocol=pickle.HIGHEST_PROTOCOL))
        rejected = sum(1 for c in chains for v in c["outputs"].values() if isinstance(v, str))
        print(f"saved {len(chains)} inputs x {len(chains[0]['outputs'])} stage outputs to {path} "
              f"({path.stat().st_size / 1e6:.1f} MB, {rejected} rejects) in {time.time() - started:.0f} s")
        return 0
    path = args.dir / f"{args.compare}.pkl"
    saved = pickle.loads(path.read_bytes())
    if args.mode != "both":
        saved = [c for c in saved if c["mode"] == args.mode]
    stages = set(args.stages.split(",")) if args.stages else None
    total = compare(saved, stages, args.show, chained=not args.no_chained)
    print(f"\n{'IDENTICAL' if total == 0 else f'{total} ISOLATED DIFFERENCES'} "
          f"(isolated, {len(saved)} inputs, {time.time() - started:.0f} s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
