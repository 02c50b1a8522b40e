"""Every fast path of the text stages gives what its plain version gives (issue 11, round two).

The stages compute per-page things at once (text keys of all lines, the lines that
can hold a phrase or a credit) and skip work with cheap pre-filters.  A pre-filter
may only skip what could never match: each is checked here against the plain
computation on generated strings built from the characters and phrases it looks
for (hypothesis, bounded and derandomised like tests/test_properties.py), and the
character lists behind them against every code point.

Stage by stage, old against new on the 148 DEV inputs: ``python -m bench.equivalence``.
"""

from __future__ import annotations

import pickle
import re
import sys
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms import patterns
from transforms.document import Segment, make_segment
from transforms.keys import content_key, line_keys, segment_keys, segments_content_key, text_key, text_keys
from transforms.patterns import fold, lines_with, lines_with_literals, phrase_alternation, phrase_trie, required_literal
from transforms.text import appeals, captions, normalize
from transforms.text.normalize import normalize_text, segment

BOUNDED = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Characters where the fast paths could go wrong: every kind of white space and line break, controls,
# invisible characters, combining marks (NFKC composes them), compatibility forms (NFKC changes them),
# the letters IGNORECASE matches to ASCII, punctuation the pre-filters look for, other scripts.
TRICKY = list(" \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
              "\x00\x07\x7f\x9f\u200b\u2060\ufeff\u00ad\u200e\u202e"
              "\u0301\u0308\u0327e\u00e9\ufb01\u2126\u212b\u2160\u00bd\uff34\uff41\u2026"
              "\u0130\u0131\u017f\u212aiIsSkK_"
              ".,;:!?()[]|/-\u2013\u2014\u2019\u2018\u201c\u201d\u00ab\u00bb\u300c\u300e'\"\uff1a"
              "aAzZ09\u65e5\u0439\u064a\u0928\u093e\U0001f44b\U0001f3fd")
CHARS = st.sampled_from(TRICKY) | st.characters(codec=None, exclude_categories=["Cs"])
WORDS = ["photo", "credit", "Photo credit", "image", "AP", "Reuters", "support", "our", "journalism", "donate",
         "subscribe", "newsletter", "contributed", "reporting", "by", "By", "editor's", "note", "sign", "up"]
PIECE = st.one_of(st.text(CHARS, max_size=6), st.sampled_from(WORDS))
LINE = st.lists(PIECE, max_size=8).map(" ".join) | st.lists(PIECE, max_size=8).map("".join)
TEXT = st.lists(LINE, max_size=8).map("\n".join)


# --- keys --------------------------------------------------------------------------------------------

@BOUNDED
@given(TEXT)
def test_line_keys_are_the_text_keys_of_the_lines(text):
    assert line_keys(text) == [text_key(line) for line in text.split("\n")]


def test_line_keys_with_lone_surrogates():
    text = "a\ud800b\n\udfff\nx \ud800\n\ud800 y"
    assert line_keys(text) == [text_key(line) for line in text.split("\n")]


@BOUNDED
@given(st.lists(TEXT, max_size=6))
def test_text_keys_also_of_texts_with_their_own_line_breaks(texts):
    assert text_keys(texts) == [text_key(t) for t in texts]


@BOUNDED
@given(TEXT)
def test_segments_carry_their_key_and_the_body_key_is_the_same(text):
    segments = segment(normalize_text(text))
    assert [s.key for s in segments] == [text_key(s.text) for s in segments]
    assert all(type(s.line) is int and type(s.block) is int for s in segments)
    body = "\n\n".join(s.text for s in segments)
    assert segments_content_key(segments) == content_key(body)
    # without stored keys (as after unpickling), the same keys are computed
    bare = [Segment(s.text, s.line, s.block) for s in segments]
    assert segment_keys(bare) == [s.key for s in segments]
    assert segments_content_key(bare) == content_key(body)


def test_make_segment_is_the_constructor():
    made, built = make_segment("Ferry", 3, 1, "ferry"), Segment("Ferry", 3, 1, "ferry")
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert [getattr(made, f) for f in ("text", "line", "block", "key")] == ["Ferry", 3, 1, "ferry"]
    assert make_segment("a", 0, 0).key is None


def test_a_segment_pickles_without_its_key():
    seg = segment("Harbour ferry resumes")[0]
    assert seg.key == "harbour ferry resumes"
    back = pickle.loads(pickle.dumps(seg))
    assert back == seg and back.key is None and hash(back) == hash(seg)
    assert len(pickle.dumps(seg)) < len(pickle.dumps(seg.text)) + 60


# --- normalize ---------------------------------------------------------------------------------------

def _normalize_text_reference(text: str) -> tuple[str, int]:
    """normalize_text as it was, every step a regex (the doubled-quote regex in its first form)."""
    text = unicodedata.normalize("NFC", text)
    text = normalize._LINE_BREAKS_RE.sub("\n", text)
    text = normalize._DROP_RE.sub("", text)
    text, n = re.subn(r"(?<!\S)([“‘«„‚「『])\1+(?=\w)", r"\1", text)
    text = normalize._LINE_EDGE_SPACE_RE.sub("\n", normalize._SPACE_RE.sub(" ", text))
    return text.strip(" \n"), n


@BOUNDED
@given(st.lists(st.sampled_from(TRICKY + ["““", "«««", "“““The", "  ", "\r\n", " \n "]) | CHARS, max_size=40).map("".join))
def test_normalize_text_is_the_regex_version(text):
    counted: list[str] = []
    expected, repaired = _normalize_text_reference(text)
    assert normalize_text(text, counted.append) == expected
    assert counted == (["repaired_doubled_quote"] if repaired else [])


def test_other_spaces_are_all_white_space_but_space_and_line_break():
    expected = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c) not in " \n")
    assert normalize._OTHER_SPACES == expected
    assert all(re.fullmatch(r"[^\S\n]", c) for c in expected)


def test_characters_normalize_skips_on_printable_text_are_not_printable():
    touched = set(normalize._LINE_BREAK_CHARS) | set(normalize._OTHER_SPACES)
    touched |= {chr(c) for c in range(sys.maxunicode + 1) if normalize._DROP_RE.match(chr(c))}
    assert not any(char.isprintable() for char in touched)


# --- pre-filters -------------------------------------------------------------------------------------

def test_ignorecase_letters_list_is_complete():
    letter = re.compile(r"[a-z]", re.IGNORECASE)
    found = {chr(c) for c in range(128, sys.maxunicode + 1) if letter.fullmatch(chr(c))}
    assert found == set(patterns._IGNORECASE_ASCII)
    for char, ascii_letter in patterns._IGNORECASE_ASCII.items():
        assert re.fullmatch(ascii_letter, char, re.IGNORECASE)


@BOUNDED
@given(st.lists(LINE, max_size=8), st.lists(st.sampled_from(["(", ")", ":", "：", "|", "/", "ph", "by"]),
                                             min_size=1, max_size=3))
def test_lines_with_finds_every_line_holding_a_needle(texts, needles):
    assert lines_with(texts, needles) == {i for i, t in enumerate(texts) if any(n in t for n in needles)}


@BOUNDED
@given(st.lists(LINE, max_size=8), st.lists(st.sampled_from([" contributed ", "reporting ", "si", "k", "Is"]),
                                             min_size=1, max_size=3), st.booleans())
def test_lines_with_literals_is_re_search(texts, literals, ignore_case):
    flags = re.IGNORECASE if ignore_case else 0
    expected = {i for i, t in enumerate(texts) if any(re.search(re.escape(lit), t, flags) for lit in literals)}
    assert lines_with_literals(texts, literals, ignore_case=ignore_case) == expected


def test_lines_with_literals_matches_as_ignorecase_does():
    texts = ["Additional REPORTING by", "ſi", "İs", "K", "ıs", "plain", "i̇s"]
    found = lines_with_literals(texts, ["reporting ", "si", "is", "k"], ignore_case=True)
    assert found == {0, 1, 2, 3, 4}
    assert found == {i for i, t in enumerate(texts)
                     if any(re.search(lit, t, re.IGNORECASE) for lit in ["reporting ", "si", "is", "k"])}


def test_required_literal_of_the_seed_patterns(resources):
    contributor = [required_literal(rx) for rx in resources.credits.contributor_res]
    assert None not in contributor  # every contributor line is pre-filtered
    assert resources.credits.contributor_literals == (" contributed ", "reporting ")
    assert required_literal(re.compile(r"(?:ab|cd)+x?")) is None  # nothing every match must hold


@BOUNDED
@given(st.lists(st.sampled_from(["support", "support our journalism", "sign up", "sign", "e-mail", "(c)",
                                 "editor's note", "subscribe"]), min_size=1, max_size=5), LINE)
def test_phrase_trie_matches_where_the_alternation_does(phrases, line):
    alternation = re.compile(rf"(?<!\w)(?:{phrase_alternation(phrases)})(?!\w)")
    trie = re.compile(rf"(?<!\w)(?:{phrase_trie(phrases)})(?!\w)")
    folded = fold(line)
    assert {m.start() for m in trie.finditer(folded)} <= {i for i in range(len(folded) + 1)
                                                           if alternation.match(folded, i)}
    assert bool(trie.search(folded)) == bool(alternation.search(folded))


APPEAL_LINE = st.lists(st.one_of(PIECE, st.sampled_from(
    ["Support our journalism", "Please DONATE today", "become a member", "Sign up for our newsletter",
     "Subscribe to continue reading", "Editor’s note", "Read more:", "donate\u2122", "\u2122", "\ufb01",
     "DONATE\u0301", "sub_scribe", "support\u00a0our journalism"])), max_size=6).map(" ".join)


@BOUNDED
@given(st.lists(APPEAL_LINE, max_size=10))
def test_strong_cues_of_a_page_at_once_are_those_line_by_line(resources, texts):
    p = resources.appeals
    expected = [appeals._strong_cues(fold(t), p) for t in texts]
    assert appeals._strong_by_line(texts, p) == expected  # scan of the folded page
    assert appeals._strong_by_line(texts, p, text_keys(texts)) == expected  # scan of the line keys


def test_strong_phrase_next_to_a_compatibility_character_is_found(resources):
    # "™" is not a word character (the phrase matches) but NFKC makes it "TM", which the line's key
    # glues to the phrase's last word: such a line is looked at on its text, not its key.
    phrase = sorted(patterns.load_concepts(["donation"], ["strong"])["donation"]["strong"], key=len)[-1]
    texts = ["Story text.", f"Please {phrase}\u2122 today", f"\u2122{phrase}", "More text."]
    p = resources.appeals
    expected = [appeals._strong_cues(fold(t), p) for t in texts]
    assert expected[1] and expected[2]
    assert appeals._strong_by_line(texts, p, text_keys(texts)) == expected


CAPTION_LINE = st.lists(st.one_of(PIECE, st.sampled_from(
    ["Photo:", "photo credit :", "Image：", "(AP Photo/Jane Doe)", "| AFP", "/ Getty Images", " ", "\u3000", ":"])),
    max_size=7).map(" ".join)


@BOUNDED
@given(CAPTION_LINE)
def test_credit_pre_filters_only_skip_lines_without_a_credit(resources, text):
    p = resources.captions
    if not captions._may_end_in_label(text, p):
        assert p.label_re.search(fold(text)) is None
    if not captions._may_end_in_bar(text):
        assert captions._TRAILING_BAR_RE.search(text) is None
    if not any(c in text for c in captions._CREDIT_CHARS):
        assert captions.split_credit(text, p).credit is None
