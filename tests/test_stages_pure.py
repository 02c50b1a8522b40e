"""Pure-function tests per stage, with golden with/without lists and asserted reasons."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from transforms.clean import clean_text
from transforms.document import Caption, Doc
from transforms.text.appeals import find_appeals, remove_appeals
from transforms.text.captions import extract_captions, split_credit
from transforms.text.credits import authors_of, contributors_of, extract_credits, split_names
from transforms.text.headline import dedup_headline, strip_site_name, title_variants
from transforms.text.language import language_sample
from transforms.text.normalize import normalize_doc, normalize_text, segment


def make_doc(text: str, **fields) -> Doc:
    return normalize_doc(Doc(id="t", source="t", file="t", raw=text.encode(), input_format="text", text=text, **fields))


def removed_kinds(doc: Doc) -> dict[str, str]:
    return {r.text: r.kind for r in doc.removed}


# --- normalise -------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("““The people", "“The people"),
        ("‘‘Quoted", "‘Quoted"),
        ("a\u00a0\u00a0b\tc", "a b c"),
        ("zero\u200bwidth", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("Cafe\u0301", "Café"),  # NFC
        ("line one\r\nline two", "line one\nline two"),
        ("ctrl\x07char", "ctrlchar"),
        ("  trailing  ", "trailing"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_counts_repaired_quotes(counts):
    normalize_text("““A” and ““B”", counts)
    assert counts.tally == {"repaired_doubled_quote": 1}


def test_doubled_quote_inside_a_word_is_not_touched():
    assert normalize_text("He said ““ ok") == "He said ““ ok"


def test_segment_numbers_lines_and_blocks():
    segs = segment("a\nb\n\n\nc")
    assert [(s.text, s.line, s.block) for s in segs] == [("a", 0, 0), ("b", 1, 0), ("c", 4, 1)]


# --- headline --------------------------------------------------------------

def test_title_with_site_suffix_is_removed_and_cleaned():
    doc = dedup_headline(make_doc((FIXTURES / "site_suffix_title.txt").read_text()))
    assert doc.title == "Storm closes mountain pass for third day"
    kinds = removed_kinds(doc)
    assert kinds["Storm closes mountain pass for third day | Alpine Courier"] == "headline"
    assert kinds["Storm closes mountain pass for third day"] == "duplicate_headline"
    assert doc.paragraphs[0] == "By Anna Keller"


def test_section_prefix_repeat_is_removed(counts):
    doc = dedup_headline(
        make_doc("Sport: Local team wins the cup final\n\nLocal team wins the cup final\n\nThe match ended 2-1."),
        counts,
    )
    assert doc.title == "Local team wins the cup final"
    assert doc.paragraphs == ["The match ended 2-1."]
    assert counts.tally == {"headline_repeats": 1}


def test_title_hint_removes_a_suffixed_repeat(counts):
    doc = dedup_headline(make_doc("Local team wins the cup final - Daily Sport\n\nThe match ended 2-1.",
                                  title_hint="Local team wins the cup final"), counts)
    assert doc.paragraphs == ["The match ended 2-1."]
    assert counts.tally == {"headline_repeats": 1}


def test_site_name_part_alone_is_not_a_headline():
    assert "daily sport" not in title_variants("Local team wins the cup final - Daily Sport")
    doc = dedup_headline(make_doc("Local team wins the cup final - Daily Sport\n\nDaily Sport\n\nThe match ended 2-1."))
    assert "Daily Sport" in doc.paragraphs


def test_strip_site_name_uses_known_names():
    assert strip_site_name("Cycle lanes approved - Riverside Chronicle", ["Riverside Chronicle"]) == "Cycle lanes approved"
    assert strip_site_name("Opinion: Cycle lanes approved", ["Riverside Chronicle"]) == "Opinion: Cycle lanes approved"


def test_long_first_paragraph_is_not_a_title():
    long_line = "word " * 60
    doc = dedup_headline(make_doc(long_line + "\n\nSecond paragraph."))
    assert doc.title is None and len(doc.paragraphs) == 2


# --- captions --------------------------------------------------------------

@pytest.mark.parametrize(
    "text, caption, credit",
    [
        ("Deputy Minister Eli Ben Dahan (photo credit: Flash90)", "Deputy Minister Eli Ben Dahan", "Flash90"),
        ("US State Department spokesman Jeff Rathke (YouTube screen capture)",
         "US State Department spokesman Jeff Rathke", "YouTube screen capture"),
        ("Fans celebrate in the square. Photo: Reuters", "Fans celebrate in the square.", "Reuters"),
        ("Fans celebrate in the square (Credit: Jane Doe)", "Fans celebrate in the square", "Jane Doe"),
        ("Crowds at the rally. (AP Photo/John Smith)", "Crowds at the rally.", "AP Photo/John Smith"),
        ("The harbour at dawn | Getty Images", "The harbour at dawn", "Getty Images"),
        ("The harbour (Photo by Lee Park)", "The harbour", "Lee Park"),
        ("A video by the ministry showed the damage", "A video by the ministry showed the damage", None),
        ("Barack Obama (D-Ill.) spoke", "Barack Obama (D-Ill.) spoke", None),
        ("The minister said the photo: was fake", "The minister said the photo: was fake", None),
    ],
)
def test_split_credit(resources, text, caption, credit):
    assert split_credit(text, resources.captions) == Caption(caption, credit)


def test_captions_without_credit_appear_once(resources, counts):
    doc = extract_captions(make_doc((FIXTURES / "captions_no_credit.txt").read_text()), resources.captions, counts)
    assert doc.captions == [
        Caption("Visitors look at the restored millstones", None),
        Caption("The water wheel turning again for the first time in sixty years", None),
    ]
    assert all("millstones" not in p and "water wheel" not in p for p in doc.paragraphs)
    assert counts.tally["caption_repeats"] == 2
    assert [r.kind for r in doc.removed] == ["caption", "duplicate_caption", "caption", "duplicate_caption"]


def test_caption_with_credit_on_one_copy_only(resources):
    doc = extract_captions(make_doc("A boat on the lake\nA boat on the lake (Photo: Ana Silva)\nBody text here."),
                           resources.captions)
    assert doc.captions == [Caption("A boat on the lake", "Ana Silva")]
    assert doc.paragraphs == ["Body text here."]


def test_repeated_short_menu_items_are_not_captions(resources):
    doc = extract_captions(make_doc("NHL\nNHL Home\nScores\nScores"), resources.captions)
    assert doc.captions == []


# --- appeals ---------------------------------------------------------------

def test_appeal_in_the_middle_is_removed_as_a_block(resources, counts):
    doc = remove_appeals(make_doc((FIXTURES / "appeal_in_middle.txt").read_text()), resources.appeals, counts)
    kinds = removed_kinds(doc)
    for line in ("Support our journalism",
                 "Independent reporting like this costs money. If you value it, please make a donation today.",
                 "Donate now"):
        assert kinds[line] == "editorial_appeal"
    assert counts.tally["appeal_segments"] == 3
    assert any(p.startswith("The team says the forest drowned") for p in doc.paragraphs)
    assert any(p.startswith("Samples of the wood") for p in doc.paragraphs)


def test_article_about_subscriptions_stays(resources):
    doc = make_doc((FIXTURES / "subscriptions_article.txt").read_text())
    assert find_appeals(doc.segments, resources.appeals) == {}
    assert remove_appeals(doc, resources.appeals).paragraphs == doc.paragraphs


def test_appeal_details_name_the_concept(resources):
    doc = remove_appeals(make_doc("Body.\n\nSubscribe to our newsletter\n\nMore body text."), resources.appeals)
    assert [(r.kind, r.detail) for r in doc.removed] == [("editorial_appeal", "newsletter")]


def test_non_english_appeal_is_removed(resources):
    doc = remove_appeals(make_doc((FIXTURES / "non_english_ru.txt").read_text()), resources.appeals)
    assert removed_kinds(doc).get("Подпишитесь на рассылку") == "editorial_appeal"
    assert any("парк" in p for p in doc.paragraphs)


# --- credits ---------------------------------------------------------------

@pytest.mark.parametrize(
    "line, names",
    [
        ("JTA, AP and David Shamah contributed to this report.", ["JTA", "AP", "David Shamah"]),
        ("Reuters contributed to this report", ["Reuters"]),
        ("Additional reporting by Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Times of Israel staff contributed to this report.", ["Times of Israel staff"]),
        ("The union contributed to the fund this year and will again.", None),
    ],
)
def test_contributors_of(resources, line, names):
    assert contributors_of(line, resources.credits) == names


@pytest.mark.parametrize(
    "line, names",
    [
        ("By Anna Keller", ["Anna Keller"]),
        ("By Maria Lopes and Tom Becker", ["Maria Lopes", "Tom Becker"]),
        ("By Jane Doe | March 3, 2019", ["Jane Doe"]),
        ("Por João da Silva", ["João da Silva"]),
        ("By the end of the week the river had risen.", None),
        ("By 2030, most cars will be electric.", None),
    ],
)
def test_authors_of(resources, line, names):
    assert authors_of(line, resources.credits) == names


def test_extract_credits_moves_lines_to_fields(resources, counts):
    doc = extract_credits(make_doc("By Anna Keller\n\nBody text.\n\nAP contributed to this report."),
                          resources.credits, counts)
    assert doc.authors == ["Anna Keller"] and doc.contributors == ["AP"]
    assert doc.paragraphs == ["Body text."]
    assert {r.kind for r in doc.removed} == {"byline", "credit_line"}
    assert counts.tally == {"bylines_found": 1, "credit_lines_found": 1}


def test_split_names():
    assert split_names("JTA, AP and David Shamah") == ["JTA", "AP", "David Shamah"]


# --- language --------------------------------------------------------------

def test_language_sample_is_bounded_and_in_order():
    texts = ["short", "a" * 1000, "b" * 1000, "c" * 10]
    sample = language_sample(texts, limit=1500)
    assert len(sample) <= 1500 and sample.startswith("a")


def test_language_detection_is_deterministic(detector):
    text = "Le conseil municipal a voté mardi la construction de nouvelles pistes cyclables le long du fleuve."
    results = {detector.detect(text) for _ in range(5)}
    assert len(results) == 1 and next(iter(results))[0] == "fr"


def test_language_of_short_or_empty_text_is_und(detector):
    assert detector.detect("") == ("und", 0.0)
    assert detector.detect("12 34 !!") == ("und", 0.0)


def test_non_english_article_end_to_end(resources, detector):
    doc = clean_text((FIXTURES / "non_english_ru.txt").read_text(), resources=resources, detector=detector)
    assert doc.language == "ru"
    assert doc.title == "В городе открылся новый парк"
    assert len(doc.paragraphs) == 3


# --- output rows ------------------------------------------------------------

def test_count_words_handles_spaces_and_cjk():
    from schemas.articles import count_words

    assert count_words("The cat's hat, 2024.") == 5
    assert count_words("東京は日本の首都です。") == 10
    assert count_words("서울은 한국의 수도입니다") == 3
    assert count_words("") == 0


def test_html_fixture_through_the_pure_chain(resources, detector):
    from pathlib import Path

    html = (Path(__file__).parent / "fixtures" / "page.html").read_text(encoding="utf-8")
    doc = clean_text(html, html=True, resources=resources, detector=detector)
    assert doc.title == "Volunteers clean up the river banks"
    assert doc.authors == ["Sam Ortiz"]
    assert doc.published and doc.published.startswith("2023-09-17")
    assert [(c.text, c.credit) for c in doc.captions] == [("Volunteers carry bags of rubbish along the bank", "Lee Park")]
    body = "\n".join(doc.paragraphs)
    assert body.startswith("More than three hundred volunteers")
    assert "litter bins" in body
    for furniture in ("Home", "Weather", "newsletter", "All rights reserved", "Volunteers carry bags"):
        assert furniture not in body, furniture


def test_html_audit_lists_what_main_content_extraction_dropped(resources, detector):
    from pathlib import Path

    html = (Path(__file__).parent / "fixtures" / "page.html").read_text(encoding="utf-8")
    doc = clean_text(html, html=True, resources=resources, detector=detector)
    dropped = [r.text for r in doc.removed if r.kind == "not_main_content"]
    for furniture in ("Home", "Local", "Weather", "© 2023 Valley News. All rights reserved."):
        assert furniture in dropped, furniture
    # What became a field, or stayed in the body, is not listed as dropped.
    assert not any(t.startswith(("Volunteers clean up", "Volunteers carry bags", "More than three hundred"))
                   for t in dropped)


def test_page_blocks_survive_deep_nesting():
    from transforms.html.audit import page_blocks

    assert page_blocks("<div>" * 20000 + "deep" + "</div>" * 20000) in ([], ["deep"])
    assert page_blocks("<p>a<b>b</b></p><script>x()</script><p>c</p>") == ["ab", "c"]


@pytest.mark.parametrize(
    "paragraph",
    [
        "The app offers a free version that manages up to 50 passwords. Upgrade to the premium plan for $4.99 a "
        "month (a 30-day free trial is available) and you get unlimited password management and a secure VPN, "
        "which reviewers said was the best value among the services they tested this year.",
        "A: We are moving subscription access to the next level with a direct offering that gives unlimited "
        "access to tickets for a flat monthly fee, and we are working with partners on a dedicated section of "
        "their venues for subscription members, which we think will change ticketing for fans and for teams.",
    ],
)
def test_long_product_paragraph_with_one_appeal_phrase_stays(resources, paragraph):
    doc = make_doc("Intro paragraph of the story.\n\n" + paragraph + "\n\nClosing paragraph of the story.")
    assert remove_appeals(doc, resources.appeals).paragraphs == doc.paragraphs


@pytest.mark.parametrize(
    "caption, tidy",
    [
        (Caption("Crowds at dawn", "Photo: Jo Lee/Reuters"), Caption("Crowds at dawn", "Jo Lee/Reuters")),
        (Caption("Crowds at dawn", "(Credit: Jo Lee)"), Caption("Crowds at dawn", "Jo Lee")),
        (Caption("Crowds at dawn", "Reuters"), Caption("Crowds at dawn", "Reuters")),
        (Caption("Crowds at dawn (Photo: Jo Lee)", None), Caption("Crowds at dawn", "Jo Lee")),
    ],
)
def test_tidy_caption_gives_one_form(resources, caption, tidy):
    from transforms.text.captions import tidy_caption

    assert tidy_caption(caption, resources.captions) == tidy
