"""Reading the pattern data kept under ``seeds/`` (pure, no Beam import).

The driver reads these files once at graph-construction time and hands the
compiled, picklable result to the stage constructors, so workers never need
the files (a stage called without its resources raises).

Phrase lists live in ``seeds/phrases/<concept>.txt``, **one file per concept**
(``newsletter``, ``subscription``, ``donation``, ``navigation``, ...), read by
every stage that needs the concept through :func:`load_concepts`.  One section
vocabulary, the same in every file:

``[strong]``  on its own marks a short line as the concept (appeals: starts an appeal box)
``[weak]``    counts only next to a line of the concept (appeals)
``[line]``    the phrase is the whole line: a button, menu entry or label
              (appeals: a button at the edge of an appeal box; line classifier: UI coverage)
``[cue]``     anywhere in a short line, a hint of page furniture (line classifier)

Which stage reads which concepts is written once, below (:data:`APPEAL_CONCEPTS`,
:data:`BOILERPLATE_CONCEPTS`).  The loader refuses a missing file, an empty
section, a phrase outside any section and an unknown section name, with the
file and section in the message.

``fold`` stays beside :func:`transforms.keys.text_key`: it is not a comparison
key but the normalisation phrase *regexes* run on (case and apostrophes only),
because phrases keep punctuation that text_key would drop (``read more:``,
``(c)``, ``©``, ``editor's note``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable


def _seeds_dir() -> Path:
    """``seeds/`` beside the packages in a checkout, else the installed ``presswash_seeds``."""
    beside = Path(__file__).resolve().parent.parent / "seeds"
    if (beside / PHRASES).is_dir():
        return beside
    import importlib.util

    spec = importlib.util.find_spec("presswash_seeds")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("presswash pattern data not found: neither ./seeds nor the presswash_seeds package")
    return Path(list(spec.submodule_search_locations)[0])


PHRASES = "phrases"  # seeds/phrases/<concept>.txt
SECTIONS = ("strong", "weak", "line", "cue")
# The concepts each stage reads, and the sections it uses.  The line classifier's concepts are the ones
# its model (seeds/boilerplate/model.json) was trained with: adding one changes its features (retrain).
APPEAL_CONCEPTS = ("buttons", "donation", "editor_message", "membership", "newsletter", "subscription")
APPEAL_SECTIONS = ("strong", "weak", "line")
BOILERPLATE_CONCEPTS = ("ads", "captions", "comments", "legal", "navigation", "newsletter", "related", "share",
                        "subscription")
BOILERPLATE_SECTIONS = ("line", "cue")

SEEDS_DIR = _seeds_dir()


class PatternDataError(ValueError):
    """Pattern data under ``seeds/`` that cannot be used: the message names the file and the section."""


def read_list(path: str | Path) -> list[str]:
    """Non-empty lines of a list file, without ``#`` comments."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("^") else line.strip()
        if line:
            out.append(line)
    return out


def require_list(path: str | Path) -> list[str]:
    """:func:`read_list` that refuses a missing or empty file (a stage with no patterns finds nothing)."""
    try:
        items = read_list(path)
    except FileNotFoundError:
        raise PatternDataError(f"{path}: pattern file not found") from None
    if not items:
        raise PatternDataError(f"{path}: no entries (an empty list would silently match nothing)")
    return items


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


def require_sections(path: str | Path, names: Iterable[str]) -> dict[str, list[str]]:
    """:func:`read_sections` that refuses a missing file or a missing or empty section among ``names``."""
    try:
        sections = read_sections(path)
    except FileNotFoundError:
        raise PatternDataError(f"{path}: pattern file not found") from None
    for name in names:
        if not sections.get(name):
            raise PatternDataError(f"{path}: section [{name}] is missing or empty")
    return sections


def concept_path(concept: str, seeds_dir: str | Path = SEEDS_DIR) -> Path:
    """The one file of a concept: ``seeds/phrases/<concept>.txt``."""
    return Path(seeds_dir) / PHRASES / f"{concept}.txt"


def read_concept(path: str | Path) -> dict[str, list[str]]:
    """One concept file's sections, checked: every section known and non-empty, no phrase outside one."""
    try:
        sections = read_sections(path)
    except FileNotFoundError:
        raise PatternDataError(f"{path}: concept file not found") from None
    if sections.get(""):
        raise PatternDataError(f"{path}: phrases before the first [section] header: {sections[''][:3]}")
    sections.pop("", None)
    if not sections:
        raise PatternDataError(f"{path}: no [section] with phrases")
    for name, phrases in sections.items():
        if name not in SECTIONS:
            raise PatternDataError(f"{path}: unknown section [{name}] (known: {', '.join(SECTIONS)})")
        if not phrases:
            raise PatternDataError(f"{path}: section [{name}] is empty")
    return sections


def load_concepts(concepts: Iterable[str], sections: Iterable[str],
                  seeds_dir: str | Path = SEEDS_DIR) -> dict[str, dict[str, list[str]]]:
    """``{concept: {section: phrases}}`` of the wanted sections of each concept file, in concept order.

    Raises :class:`PatternDataError` for a file that cannot be used, or that has
    none of the wanted sections (the stage would read nothing from it).
    """
    wanted = tuple(sections)
    out: dict[str, dict[str, list[str]]] = {}
    for concept in concepts:
        path = concept_path(concept, seeds_dir)
        found = read_concept(path)
        parts = {name: found[name] for name in wanted if name in found}
        if not parts:
            raise PatternDataError(f"{path}: none of the sections {', '.join(f'[{n}]' for n in wanted)} "
                                   "that its reader uses")
        out[concept] = parts
    return out


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
