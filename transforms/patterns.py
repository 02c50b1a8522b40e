"""Reading the pattern lists kept as data under ``seeds/`` (pure, no Beam import).

The driver reads these files once at graph-construction time and hands the
compiled, picklable result to the stage constructors, so workers never need
the files.
"""

from __future__ import annotations

import re
from pathlib import Path


def _seeds_dir() -> Path:
    """``seeds/`` beside the packages in a checkout, else the installed ``presswash_seeds``."""
    beside = Path(__file__).resolve().parent.parent / "seeds"
    if (beside / "appeals").is_dir():
        return beside
    import importlib.util

    spec = importlib.util.find_spec("presswash_seeds")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("presswash pattern data not found: neither ./seeds nor the presswash_seeds package")
    return Path(list(spec.submodule_search_locations)[0])


SEEDS_DIR = _seeds_dir()


def read_list(path: str | Path) -> list[str]:
    """Non-empty lines of a list file, without ``#`` comments."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("^") else line.strip()
        if line:
            out.append(line)
    return out


def read_sections(path: str | Path) -> dict[str, list[str]]:
    """A list file split into ``[section]`` parts (lines before any header go to ``""``)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in read_list(path):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append(line)
    return sections


def fold(text: str) -> str:
    """Case- and apostrophe-folded text for phrase matching."""
    return text.casefold().replace("’", "'").replace("‘", "'")


def phrase_alternation(phrases: list[str]) -> str:
    """A regex alternation of literal phrases, longest first, spaces matching any white space."""
    unique = sorted({fold(p) for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in unique)


def phrase_regex(phrases: list[str], *, whole_line: bool = False) -> re.Pattern[str] | None:
    """Compile literal phrases into one linear-time word-bounded pattern (None when empty)."""
    body = phrase_alternation(phrases)
    if not body:
        return None
    if whole_line:
        return re.compile(rf"^(?:{body})[\s.!:?…]*$")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")
