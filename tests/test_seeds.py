"""Pattern data in seeds/: one file per concept shared by the stages, one checking loader, no overfit
phrases, and no seed reading on a worker."""

from __future__ import annotations

import builtins
import io
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_ARTICLE, SAMPLES
from transforms import patterns
from transforms.clean import clean_doc
from transforms.document import Doc, no_count
from transforms.patterns import (
    APPEAL_CONCEPTS,
    BOILERPLATE_CONCEPTS,
    PatternDataError,
    concept_path,
    load_concepts,
    read_sections,
    require_list,
)
from transforms.text.appeals import load_appeal_patterns, remove_appeals
from transforms.text.normalize import normalize_doc

SEEDS = ROOT / "seeds"
PHRASE_FILES = sorted((SEEDS / "phrases").glob("*.txt"))


def _write(tmp_path: Path, concept: str, text: str) -> Path:
    (tmp_path / "phrases").mkdir(exist_ok=True)
    path = tmp_path / "phrases" / f"{concept}.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, message", [
    ("[strong]\nsubscribe now\n[weak]\n# nothing here\n", r"x\.txt: section \[weak\] is empty"),
    ("subscribe now\n[strong]\nsubscribe today\n", r"x\.txt: phrases before the first \[section\]"),
    ("[strogn]\nsubscribe now\n", r"x\.txt: unknown section \[strogn\]"),
    ("# only a comment\n", r"x\.txt: no \[section\] with phrases"),
    ("[cue]\nsubscribe to\n", r"x\.txt: none of the sections \[strong\], \[weak\]"),
])
def test_loader_refuses_unusable_concept_files_naming_file_and_section(tmp_path, text, message):
    _write(tmp_path, "x", text)
    with pytest.raises(PatternDataError, match=message):
        load_concepts(["x"], ("strong", "weak"), tmp_path)


def test_loader_refuses_a_missing_concept_and_empty_lists(tmp_path):
    with pytest.raises(PatternDataError, match=r"nope\.txt: concept file not found"):
        load_concepts(["nope"], ("line",), tmp_path)
    (tmp_path / "labels.txt").write_text("# comment only\n")
    with pytest.raises(PatternDataError, match=r"labels\.txt: no entries"):
        require_list(tmp_path / "labels.txt")


def test_every_shipped_concept_file_loads():
    used = set(APPEAL_CONCEPTS) | set(BOILERPLATE_CONCEPTS)
    assert {p.stem for p in PHRASE_FILES} == used, "every concept file is read by a stage, and every one exists"
    load_concepts(APPEAL_CONCEPTS, patterns.APPEAL_SECTIONS)
    load_concepts(BOILERPLATE_CONCEPTS, patterns.BOILERPLATE_SECTIONS)
    # The old per-stage phrase folders are gone (boilerplate/ keeps the model and the CJK character list).
    assert not (SEEDS / "appeals").exists()
    assert [p.name for p in (SEEDS / "boilerplate").glob("*.txt")] == ["cjk_function_chars.txt"]


def _phrases_by_file() -> dict[str, list[str]]:
    return {p.stem: [ph for sec in read_sections(p).values() for ph in sec] for p in PHRASE_FILES}


def test_subscribe_and_newsletter_phrases_live_in_their_concept_files_only():
    concept_re = re.compile(r"subscri|newsletter|sign(?:ing)? up|inbox")
    stray = {(stem, ph) for stem, phrases in _phrases_by_file().items() for ph in phrases
             if concept_re.search(ph) and stem not in ("newsletter", "subscription")}
    assert not stray


def test_appeals_and_line_classifier_read_the_same_concept_file(tmp_path):
    from transforms.text.boilerplate import load_resources

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds, ignore=shutil.ignore_patterns("samples"))
    path = concept_path("subscription", seeds)
    path.write_text(path.read_text(encoding="utf-8") + "[line]\nzzqx offer\n[cue]\nzzqx deal\n", encoding="utf-8")
    appeals = load_appeal_patterns(seeds)
    classifier = load_resources(seeds, languages=["en"], use_model=False)
    assert appeals.line.match("zzqx offer")
    assert classifier.line_phrases[("zzqx", "offer")] == "subscription"
    assert classifier.cue_phrases[("zzqx", "deal")] == "subscription"


# The sample article's appeal box (from "Join us!" on).  Phrases taken verbatim from it were dead and overfit;
# these general ones occur in it too and stay, each used across many sites.
GENERAL_PHRASES_IN_SAMPLE_BOX = {
    "support our journalism",  # donation appeals on many sites
    "our journalism", "quality journalism",
    "a message from the editor",  # editor's letters
    "become a member",  # membership schemes
    "join now", "join us", "read more", "read more:",  # buttons
}
SITE_NAMES = ("guardian", "times of israel", "new york times", "nytimes", "washington post", "bbc", "cnn")


def test_no_phrase_copied_from_the_sample_appeal_box_and_no_site_names():
    text = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    box = " ".join(text[text.index("Join us!"):].split()).casefold().replace("’", "'")
    copied = {(stem, ph) for stem, phrases in _phrases_by_file().items() for ph in phrases
              if len(ph.split()) >= 2 and ph.casefold() in box and ph.casefold() not in GENERAL_PHRASES_IN_SAMPLE_BOX}
    assert not copied
    named = {(stem, ph) for stem, phrases in _phrases_by_file().items() for ph in phrases
             if any(name in ph.casefold() for name in SITE_NAMES)}
    assert not named


def test_sample_appeal_box_is_still_found_by_general_phrases(resources):
    text = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    doc = normalize_doc(Doc(id="t", source="t", file="t", raw=b"", input_format="text", text=text))
    removed = [r.text for r in remove_appeals(doc, resources.appeals).removed if r.kind == "editorial_appeal"]
    box = [line for line in text[text.index("Join us!"):].splitlines() if line.strip()]
    assert removed == box


def test_boilerplate_stage_without_resources_fails_loudly():
    from transforms.text.boilerplate import MissingResources, remove_boilerplate

    doc = normalize_doc(Doc(id="t", source="t", file="t", raw=b"", input_format="text", text="Home\n\nA story."))
    with pytest.raises(MissingResources, match="workers do not read seed files"):
        remove_boilerplate(doc, no_count, None)


def test_cleaning_reads_no_seed_file_once_resources_are_loaded(resources, detector, monkeypatch):
    """What a worker does: every stage gets its data from the driver; opening anything under seeds/ fails."""
    seeds = str(SEEDS.resolve())
    real_open = io.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and str(Path(file).resolve()).startswith(seeds):
            raise AssertionError(f"a stage read {file} on the worker")
        return real_open(file, *args, **kwargs)

    inputs = [(SAMPLE_ARTICLE.read_text(encoding="utf-8"), "text"),
              ((SAMPLES / "news-page.html").read_text(encoding="utf-8"), "html")]
    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    for text, fmt in inputs:
        doc = Doc(id="t", source="t", file="t", raw=b"", input_format=fmt, text=text)
        out = clean_doc(doc, resources, detector, boilerplate_mode="on", skip=())
        assert out.paragraphs


def test_comment_and_photo_caption_loaders_refuse_a_missing_file_or_an_empty_section(tmp_path):
    from transforms.text.comments import load_comment_patterns
    from transforms.text.photo_captions import load_photo_caption_patterns

    with pytest.raises(PatternDataError, match=r"markers\.txt: pattern file not found"):
        load_comment_patterns(tmp_path)
    (tmp_path / "photo_captions").mkdir()
    (tmp_path / "photo_captions" / "cues.txt").write_text("[verbs]\nsmiles\n[position]\n# none left\n")
    with pytest.raises(PatternDataError, match=r"cues\.txt: section \[position\] is missing or empty"):
        load_photo_caption_patterns(tmp_path)
    load_photo_caption_patterns(SEEDS)  # the shipped files load
    load_comment_patterns(SEEDS)
