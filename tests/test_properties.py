"""Properties of the pure cleaning chain on generated text (hypothesis).

* no exception on any string (arbitrary Unicode without surrogates, control characters);
* nothing is invented: every kept paragraph, the title and every removed piece is a
  line of ``normalize_text(input)`` (the documented normalisation) or a part of one;
* nothing is lost: every non-empty line of the normalised input is kept or removed with a reason;
* kept paragraphs stay in input order;
* idempotent: cleaning the clean body again, with the title as hint, changes nothing.

The line classifier (``transforms.text.boilerplate``) is switched off (``boilerplate_mode="off"``)
for idempotence: it scores a line against its neighbours and the whole page, so its
decisions on a body that no longer has navigation around it are a different question.
The other properties run with it on as well.

Settings are bounded and derandomised (same examples on every run, no deadline) so CI
is fast and deterministic.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.clean import clean_text
from transforms.text.normalize import normalize_text, segment

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Lines that trigger every stage: headlines, captions with credits, appeals, credit lines, bylines.
STAGE_LINES = [
    "Harbour ferry service resumes after storm",
    "Harbour ferry service resumes after storm | The Island Times",
    "The Island Times: Harbour ferry service resumes after storm",
    "Passengers board the morning ferry at the harbour. (AP Photo/Jane Doe)",
    "Passengers board the morning ferry at the harbour.",
    "Passengers board the morning ferry at the harbour. Photo: Reuters",
    "Support our journalism",
    "Independent reporting like this costs money. If you value it, please make a donation today.",
    "Donate now",
    "Sign up for our newsletter",
    "Subscribe to continue reading",
    "By Jane Doe and John Smith | March 3, 2019",
    "JTA, AP and David Shamah contributed to this report.",
    "The harbour ferry resumed its morning crossings on Tuesday after a three-day pause caused by the storm.",
    "Engineers inspected the landing stages overnight and found only minor damage to the wooden railings.",
    "Commuters who had faced a ninety-minute detour by road welcomed the return of the service.",
    "Share on Facebook",
    "Read more:",
    "",
    "   ",
    "\u200b",
    "““Quoted start of a line",
]
NASTY = st.characters(codec=None, exclude_categories=["Cs"])  # any code point but surrogates
line = st.one_of(
    st.sampled_from(STAGE_LINES),
    st.text(NASTY, max_size=60),
    st.text(st.sampled_from(list(" \t\u00a0\u2028\r\x00\x07\x1b\u200b\u202e.,:;|()-–“”'\"aAé日ي👋🏽")), max_size=40),
)
document = st.lists(line, max_size=25).flatmap(
    lambda lines: st.lists(st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]), min_size=len(lines), max_size=len(lines))
    .map(lambda seps: "".join(part for pair in zip(lines, seps) for part in pair)))
title_hint = st.one_of(st.none(), st.sampled_from(STAGE_LINES[:3]), st.text(NASTY, max_size=40))
mode = st.sampled_from(["off", "on"])


def _lines(text: str) -> list[str]:
    return [seg.text for seg in segment(normalize_text(text))]


@BOUNDED
@given(st.text(NASTY, max_size=400), title_hint, mode)
def test_no_exception_on_any_string(text, hint, boilerplate_mode):
    doc = clean_text(text, title_hint=hint, boilerplate_mode=boilerplate_mode)
    assert all(isinstance(p, str) and p for p in doc.paragraphs)


@BOUNDED
@given(document, title_hint, mode)
def test_nothing_invented_nothing_lost_order_kept(text, hint, boilerplate_mode):
    doc = clean_text(text, title_hint=hint, boilerplate_mode=boilerplate_mode)
    normalised = normalize_text(text)
    lines = segment(normalised)
    by_number = {seg.line: seg.text for seg in lines}
    # Nothing invented: kept paragraphs are whole lines of the normalised input, at their line numbers.
    for seg in doc.segments:
        assert by_number.get(seg.line) == seg.text
    for removed in doc.removed:
        assert removed.text in normalised
        if removed.line is not None:
            assert by_number.get(removed.line) == removed.text
    if doc.title:
        sources = normalised + "\n" + normalize_text(hint or "")
        assert doc.title in sources
    # Nothing lost: every line is kept or removed (with a kind).
    accounted = {seg.line for seg in doc.segments} | {r.line for r in doc.removed if r.line is not None}
    assert accounted == set(by_number)
    assert all(r.kind for r in doc.removed)
    # Order: kept paragraphs in input order.
    numbers = [seg.line for seg in doc.segments]
    assert numbers == sorted(numbers)


@BOUNDED
@given(document, title_hint)
def test_cleaning_the_clean_body_changes_nothing(text, hint):
    first = clean_text(text, title_hint=hint, boilerplate_mode="off")
    body = "\n\n".join(first.paragraphs)
    second = clean_text(body, title_hint=first.title, boilerplate_mode="off")
    assert second.paragraphs == first.paragraphs
    assert [r for r in second.removed if r.kind != "duplicate_headline"] == []


@BOUNDED
@given(st.text(NASTY, max_size=300))
def test_normalize_text_is_idempotent_and_clean(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert not any(ch in once for ch in "\r\x00\x07\x1b\u200b\u2060\ufeff\u202e\u2028")
    assert all(line == line.strip() and "  " not in line for line in once.split("\n"))


def test_caption_repeat_split_by_an_appeal_is_cleaned_in_one_pass():
    """A caption repeated on both sides of an appeal box: appeals run before captions, so the
    copies are adjacent once the box is gone and the first pass already removes the repeat."""
    text = ("Harbour ferry service resumes after storm\n\n"
            "Passengers board the morning ferry at the harbour.\n\nSupport our journalism\n\n"
            "Passengers board the morning ferry at the harbour.\n\n"
            "The harbour ferry resumed its morning crossings on Tuesday after a three-day pause caused by the storm.")
    first = clean_text(text, boilerplate_mode="off")
    assert first.captions and first.captions[0].text == "Passengers board the morning ferry at the harbour."
    second = clean_text("\n\n".join(first.paragraphs), title_hint=first.title, boilerplate_mode="off")
    assert second.paragraphs == first.paragraphs
