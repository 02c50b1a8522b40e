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

import bisect
import itertools
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


def line_starts(texts: list[str]) -> list[int]:
    """Where each text starts in ``"\\n".join(texts)`` (one more entry: the end plus one)."""
    return list(itertools.accumulate(map((1).__add__, map(len, texts)), initial=0))


def lines_with(texts: list[str], needles: Iterable[str]) -> set[int]:
    """Indexes of the texts that contain one of ``needles`` (literal strings without a line break).

    One ``str.find`` scan per needle over the texts joined by line breaks, instead
    of a Python-level test per text: a cheap pre-filter before per-line regexes
    that need one of these characters.

    >>> sorted(lines_with(["a (b)", "c", "d: e", "f)"], [")", ":"]))
    [0, 2, 3]
    """
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a text with a line break of its own: one by one
        needles = tuple(needles)
        return {i for i, text in enumerate(texts) if any(needle in text for needle in needles)}
    starts: list[int] | None = None
    found: set[int] = set()
    for needle in needles:
        at = joined.find(needle)
        if at == -1:
            continue
        if starts is None:
            starts = line_starts(texts)
        while at != -1:
            index = bisect.bisect_right(starts, at) - 1
            found.add(index)
            at = joined.find(needle, starts[index + 1])  # one hit per line is enough
    return found


def phrase_trie(phrases: list[str]) -> str:
    """The language of :func:`phrase_alternation`, written as a prefix tree (trie) of the folded phrases.

    ``re`` tries the alternatives of an alternation one after the other at every
    position; with ~100 phrases that is ~100 tries per word start.  As a trie, a
    position fails on its first character in one test per distinct first letter,
    and phrases sharing a start share its tests: a whole-page scan for "any phrase
    here?" is ~2.5x faster.  Which alternative matches (and so the match's span or
    named group) may differ from the alternation's: use it to find *where* a phrase
    starts, not which one.

    >>> phrase_trie(["Sign up", "sign in", "subscribe"])
    's(?:ign\\\\s+(?:in|up)|ubscribe)'
    """
    trie: dict[str, dict] = {}
    for phrase in {" ".join(fold(p).split()) for p in phrases if p.strip()}:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here

    def emit(node: dict[str, dict]) -> str:
        alternatives = [(r"\s+" if char == " " else re.escape(char)) + emit(node[char])
                        for char in sorted(c for c in node if c)]
        if "" in node and alternatives:
            alternatives.append("")
        if len(alternatives) <= 1:
            return alternatives[0] if alternatives else ""
        return "(?:" + "|".join(alternatives) + ")"

    return emit(trie)


def required_literal(pattern: re.Pattern[str], min_chars: int = 4) -> str | None:
    """The longest run of literal characters every match of ``pattern`` contains, or None.

    Read from the pattern's parse tree (top level only: not inside a group, an
    alternation or a repeat, where a piece may be skipped).  A line without it
    cannot match, so ``re.compile(re.escape(literal), pattern.flags)`` (same case
    rules) finds the lines worth matching in one scan of the page.

    >>> required_literal(re.compile(r"^(?P<names>.+?) contributed to this report\\.?$"))
    ' contributed to this report'
    """
    try:
        from re import _parser as sre_parse  # the parser re itself uses (stdlib, private)

        items = list(sre_parse.parse(pattern.pattern, pattern.flags))
        literal_op = sre_parse.LITERAL
    except Exception:  # noqa: BLE001 - another Python's parser: no pre-filter, every line is matched
        return None
    best, run = "", []
    for op, value in items + [(None, None)]:
        if op is literal_op:
            run.append(chr(value))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best if len(best) >= min_chars and "\n" not in best else None


# Non-ASCII characters ``re.IGNORECASE`` matches to an ASCII letter (tests/test_stages_pure.py checks
# the list against every code point); every other character that matches an ASCII letter under
# IGNORECASE is that letter in either case.
_IGNORECASE_ASCII = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def lines_with_literals(texts: list[str], literals: Iterable[str], *, ignore_case: bool) -> set[int]:
    """Indexes of the texts that contain one of the ASCII ``literals`` (as ``re`` would match them).

    With ``ignore_case``, a text contains a literal when ``re.search(re.escape(literal),
    text, re.IGNORECASE)`` finds it: the page is lower-cased once (after the four
    non-ASCII letters IGNORECASE matches to ASCII ones are replaced) and searched with
    ``str.find``, which is many times faster than an IGNORECASE regex scan.
    """
    literals = tuple(literals)
    if not all(lit.isascii() and "\n" not in lit for lit in literals):
        raise ValueError("lines_with_literals: literals must be ASCII without a line break")
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a text with a line break of its own: one by one
        flags = re.IGNORECASE if ignore_case else 0
        return {i for i, text in enumerate(texts)
                if any(re.search(re.escape(lit), text, flags) for lit in literals)}
    if ignore_case:
        for char, ascii_letter in _IGNORECASE_ASCII.items():
            if char in joined:
                joined = joined.replace(char, ascii_letter)
        joined = joined.lower()  # line breaks stay where they were (nothing lower-cases to one)
        literals = tuple(lit.lower() for lit in literals)
    found: set[int] = set()
    for lit in literals:
        at = joined.find(lit)
        while at != -1:
            index = joined.count("\n", 0, at)
            found.add(index)
            end = joined.find("\n", at)
            at = -1 if end == -1 else joined.find(lit, end + 1)  # one hit per line is enough
    return found
