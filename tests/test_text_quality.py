"""Text-mode failure classes of issue 12, as golden fixtures: what must stay (``with``), what must leave
(``without``), and why it left (the ``removed`` kind and detail).

The pages are written for these tests (no evaluation page or site); each runs through the whole pure
chain (``transforms.clean.clean_text``), so the fixtures hold for the pipeline the user runs.
"""

from __future__ import annotations

import numpy as np
import pytest

from transforms.clean import clean_text, default_resources
from transforms.document import Doc, Segment
from transforms.text import boilerplate as bp
from transforms.text.boilerplate.features import COL, _shape, table_structure
from transforms.text.comments import extract_comments, find_comments
from transforms.text.photo_captions import extract_lone_captions, find_lone_captions

NAV = ["Home", "News", "Politics", "Sport", "Culture", "Sign in", "Search"]
FOOTER = ["Related stories", "Ferry timetable changes this summer", "© 2024 Harbour Gazette. All rights reserved.",
          "Privacy policy | Terms of use | Cookie settings"]
TITLE = "Harbour town votes to rebuild its old wooden pier after winter storms"
STORY = [
    "The council of the small harbour town voted on Tuesday to rebuild the wooden pier that was badly damaged "
    "during the winter storms, ending a debate that had divided residents for most of the year.",
    "Engineers told the meeting that the old structure could not be repaired safely, and that a new pier would "
    "cost about twice as much as the town had set aside in its budget for the coming years.",
    "Several fishermen said they had been waiting for a decision since January, because the boats have had to "
    "moor in a neighbouring village and the extra travel has cut into what they earn in a season.",
    "The mayor said that work could start in the spring if the regional government agrees to pay part of the "
    "bill, and that the town would hold another public meeting before any contract is signed.",
]


def page(*body: str) -> str:
    return "\n".join([TITLE, *NAV, TITLE, "By Anna Berg", *body, *FOOTER])


def removed_as(doc: Doc, text: str) -> tuple[str, str | None]:
    """(kind, detail) of the removed record of a line."""
    for r in doc.removed:
        if r.text == text:
            return r.kind, r.detail
    raise AssertionError(f"not in removed: {text!r}")


@pytest.fixture(scope="module")
def res():
    return default_resources()


# ----------------------------------------------------------------------------- reader comments

WORDPRESS_THREAD = [
    "3 Comments",
    "Maria Lopes says:",
    "November 19, 2019 at 8:40 am",
    "I walked on that pier every summer as a child and I am so glad it will be rebuilt at last.",
    "Reply",
    "Tom H. says:",
    "November 19, 2019 at 9:15 am",
    "Twice the budget? Somebody should ask who pays when the costs go up again next year.",
    "Reply",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
]


def test_comment_thread_moves_to_comments_with_authors_and_times(res):
    doc = clean_text(page(*STORY, *WORDPRESS_THREAD))
    # with
    for para in STORY:
        assert para in doc.paragraphs
    # without: no comment text, header, time or button in the body
    for line in WORDPRESS_THREAD[:9]:
        assert line not in doc.paragraphs, line
    assert [(c.author, c.published) for c in doc.comments] == [
        ("Maria Lopes", "November 19, 2019 at 8:40 am"), ("Tom H.", "November 19, 2019 at 9:15 am")]
    assert doc.comments[0].text == WORDPRESS_THREAD[3]
    assert doc.comments[1].text == WORDPRESS_THREAD[7]
    # why
    assert removed_as(doc, "3 Comments") == ("comment", "comment_heading")
    assert removed_as(doc, "Maria Lopes says:") == ("comment", "comment_header")
    assert removed_as(doc, "November 19, 2019 at 8:40 am") == ("comment", "comment_timestamp")
    assert removed_as(doc, WORDPRESS_THREAD[3]) == ("comment", "comment_text")
    assert removed_as(doc, "Reply") == ("comment", "comment_button")


def test_comment_thread_with_names_over_relative_times_and_report_buttons(res):
    thread = [
        "Comments (2)",
        "harbourfan77",
        "3 hours ago",
        "Finally some good news for the fishermen, they have waited long enough for this decision.",
        "Report",
        "Old Salt",
        "2 hours ago",
        "The new pier should have been built ten years ago when it was still cheap to do it properly.",
        "Report",
    ]
    doc = clean_text(page(*STORY, *thread))
    assert [c.author for c in doc.comments] == ["harbourfan77", "Old Salt"]
    assert [c.published for c in doc.comments] == ["3 hours ago", "2 hours ago"]
    for line in thread:
        assert line not in doc.paragraphs
    assert STORY[-1] in doc.paragraphs
    assert removed_as(doc, "harbourfan77") == ("comment", "comment_header")


def test_german_comment_thread(res):
    lines = ["Ein langer erster Absatz des Artikels über den Hafen, mit genug Wörtern, um als Text zu gelten.",
             "2 Kommentare", "Max Mustermann schreibt:", "Das wurde aber auch Zeit, der alte Steg war gefährlich.",
             "Antworten", "Erika schreibt:", "Und wer bezahlt das am Ende? Natürlich wieder die Bürger.", "Antworten"]
    thread = find_comments(lines, res.comments)
    assert [c.author for c in thread.comments] == ["Max Mustermann", "Erika"]
    assert thread.roles[1] == "heading" and thread.roles[4] == "button"


def test_interview_lines_with_says_are_not_comments(res):
    # "X says:" alone (an interview transcript, a quoted statement) is no comment thread.
    lines = [STORY[0], "The mayor says:", "We will not let the pier fall into the sea while I am in office here.",
             "The engineer says:", "The old wood cannot carry the weight of the new boats, it has to be replaced."]
    assert find_comments(lines, res.comments).comments == []
    doc = Doc(id="t", source="t", file="t", raw=b"", input_format="text", text="")
    assert extract_comments(doc, patterns=res.comments) is doc


def test_teaser_list_with_names_and_times_is_not_comments(res):
    # Related-article teasers (author, time, headline) look like name + timestamp but have no buttons.
    lines = [STORY[0], "More from the Gazette", "Anna Berg", "November 18, 2019 at 2:01 pm",
             "Lighthouse keeper retires after forty years", "Paul Roe", "November 17, 2019 at 7:21 pm",
             "Ferry timetable changes this summer"]
    assert find_comments(lines, res.comments).comments == []


def test_comments_need_patterns():
    doc = Doc(id="t", source="t", file="t", raw=b"", input_format="text", text="")
    with pytest.raises(ValueError, match="CommentPatterns"):
        extract_comments(doc)


# ----------------------------------------------------------------------------- lone photo captions

CAPTION = ("In this photo, mayor Jane Doe, left, and engineer John Roe walk along the damaged pier in Porthaven, "
           "Tuesday, Nov. 19, 2019.")


def test_lone_photo_caption_moves_to_captions(res):
    doc = clean_text(page(STORY[0], STORY[1], CAPTION, STORY[2], STORY[3]))
    assert CAPTION not in doc.paragraphs
    assert CAPTION in [c.text for c in doc.captions]
    assert removed_as(doc, CAPTION) == ("caption", "lone_caption")
    for para in STORY:
        assert para in doc.paragraphs


@pytest.mark.parametrize("line", [
    # a sentence of the story: reporting verb, quotation
    "Mayor Jane Doe, left, says the new pier will open in the summer of 2020 if the weather allows it.",
    "“We walk along the pier every day,” said John Roe, who has lived in Porthaven since 1975.",
    # present tense but no second cue, or no name
    "Fishermen walk past the old pier every morning on their way to the boats in the harbour.",
])
def test_story_sentences_are_not_captions(res, line):
    texts = [STORY[0], line, STORY[1]]
    assert find_lone_captions(texts, res.photo_captions) == []


def test_caption_run_needs_paragraphs_on_both_sides(res):
    assert find_lone_captions([CAPTION, STORY[0]], res.photo_captions) == []
    assert find_lone_captions([STORY[0], CAPTION, STORY[1]], res.photo_captions) == [1]
    doc = Doc(id="t", source="t", file="t", raw=b"", input_format="html", text="")
    assert extract_lone_captions(doc, patterns=res.photo_captions) is doc  # text input only in auto mode


# ----------------------------------------------------------------------------- tables, one cell per line

TABLE_INTRO = "The final standings after the last race of the season are:"
TABLE = ["Pos.", "Driver", "Points", "Wins",
         "1", "Kyle Mason", "5040", "5",
         "2", "Martin Trent", "5035", "7",
         "3", "Kevin Hart", "5033", "4",
         "4", "Denny Hall", "5027", "6"]


def test_table_written_one_cell_per_line_is_found():
    texts = [STORY[0], TABLE_INTRO, *TABLE, "Share", "Related stories"]
    short = np.array([len(t.split()) <= 25 for t in texts])
    ui = np.zeros(len(texts), bool)
    shapes = [_shape(t) if s else None for t, s in zip(texts, short)]
    run, introduced = table_structure(shapes, texts, short, ui)
    rows = slice(6, 6 + 16)  # the data rows repeat with a period of 4 lines
    assert (np.expm1(run[rows]) >= 16).all()
    assert introduced[2:22].all()  # the header row and the rows after the ':' line
    assert not introduced[:2].any() and not introduced[22:].any()
    # a plain run of one shape is a list, not a table
    run, _ = table_structure([("C",)] * 8, ["x"] * 8, np.ones(8, bool), np.zeros(8, bool))
    assert not run.any()


def test_introduced_table_kept_with_its_intro_line():
    texts = [STORY[0], TABLE_INTRO, *TABLE, "Share", "Related stories"]
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    short = np.array([len(t.split()) <= 25 for t in texts])
    shapes = [_shape(t) if s else None for t, s in zip(texts, short)]
    _, x[:, COL["colon_table"]] = table_structure(shapes, texts, short, np.zeros(len(texts), bool))
    x[1, COL["ends_colon"]] = 1.0
    keep = np.zeros(len(texts), bool)
    keep[0] = True
    out = bp.keep_introduced_lists(keep, x)
    assert out[: 2 + len(TABLE)].all() and not out[2 + len(TABLE):].any()


# ----------------------------------------------------------------------------- embedded posts

def test_embedded_post_lines_are_marked():
    texts = [STORY[0], "The harbour is ours again! Thank you to everyone who voted pic.twitter.com/AbC123",
             "— Porthaven Fishers (@porthavenfish) November 19, 2019", STORY[1]]
    attrib, body = bp.features.embed_structure(texts, bp.features.joined_starts_hits(texts))
    assert list(attrib) == [0, 0, 1, 0]
    assert list(body) == [0, 1, 0, 0]


# ----------------------------------------------------------------------------- the classifier on whole pages

def test_subheads_and_list_items_stay(res):
    body = [STORY[0], "What happens next", STORY[1], "The plan has three parts:",
            "Remove the damaged wooden deck", "Drive new steel piles into the seabed", "Lay a new deck of oak",
            STORY[2], STORY[3]]
    doc = clean_text(page(*body))
    for line in body:
        assert line in doc.paragraphs, line
    for line in NAV[:5] + FOOTER:
        assert line not in doc.paragraphs, line
    assert removed_as(doc, FOOTER[2]) == ("boilerplate", "copyright")


def test_page_whose_body_is_one_line(res):
    doc = clean_text(page(STORY[0]))
    assert doc.paragraphs == [STORY[0]]
    assert removed_as(doc, "© 2024 Harbour Gazette. All rights reserved.")[0] == "boilerplate"


def test_prose_appeal_and_disclaimer_leave(res):
    appeal = ("Support the Harbour Gazette so we can continue to bring you independent local journalism. "
              "Every contribution, big or small, helps.")
    disclaimer = ("This article is for informational purposes only and does not constitute financial, legal or "
                  "investment advice.")
    doc = clean_text(page(*STORY, appeal, disclaimer))
    for para in STORY:
        assert para in doc.paragraphs
    assert appeal not in doc.paragraphs
    assert disclaimer not in doc.paragraphs
    assert removed_as(doc, appeal)[0] == "editorial_appeal"
    assert removed_as(doc, disclaimer) == ("boilerplate", "copyright")


def test_boilerplate_without_resources_fails_loudly():
    doc = clean_text(page(*STORY), boilerplate_mode="off")
    with pytest.raises(bp.MissingResources, match="load_resources"):
        bp.remove_boilerplate(doc, resources=None)


def test_story_sentence_ending_in_a_year_is_not_a_caption(res):
    # "talks" is a noun here and a year alone is no caption date (the sample article has this sentence).
    line = "The Wall Street Journal reported in March that Israel allegedly spied on the Iran nuclear talks in 2014."
    assert not find_lone_captions([STORY[0], line, STORY[1]], res.photo_captions)


# ----------------------------------------------------------------------------- lists with their own punctuation

DIET_INTRO = "Foods allowed on the diet:"
DIET_ITEMS = ["any fish (sea or river)", "any poultry, including game", "seafood - but oysters only in moderation",
              "eggs of any kind (hen or quail)", "hard cheese, 30 g a day"]


def test_list_introduced_by_colon_is_one_list_whatever_its_shapes():
    # The items have brackets, dashes and commas of their own, so their row shapes differ: the run after
    # the ':' line is still the list it introduces (and is kept with it when the text around is kept).
    texts = [STORY[0], DIET_INTRO, *DIET_ITEMS, STORY[1]]
    short = np.array([len(t.split()) <= 25 for t in texts])
    items = bp.features.introduced_items(texts, short, np.zeros(len(texts)))
    assert items.tolist() == [0, 0] + [1] * len(DIET_ITEMS) + [0]
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    x[:, COL["colon_list"]] = items
    x[1, COL["ends_colon"]] = 1.0
    keep = np.zeros(len(texts), bool)
    keep[[0, len(texts) - 1]] = True
    assert bp.keep_introduced_lists(keep, x).all()


def test_menu_after_a_colon_is_not_an_introduced_list(res):
    # UI phrases end the run: "Follow us:" followed by social links introduces no list.
    texts = [STORY[0], "Follow us:", "Facebook", "Twitter", "Instagram", "Email"]
    x, _ = bp.page_features([Segment(t, i + 1, 0) for i, t in enumerate(texts)], language="en",
                            resources=res.boilerplate)
    assert not x[:, COL["colon_list"]].any()
    # Too short a run is no list either.
    short = np.array([True, True, True, False])
    assert not bp.features.introduced_items(["Note:", "one", "two", STORY[1]], short, np.zeros(4)).any()


# ----------------------------------------------------------------------------- tables the classifier keeps in part

def _table_page_features(texts):
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    short = np.array([len(t.split()) <= 25 for t in texts])
    shapes = [_shape(t) if s else None for t, s in zip(texts, short)]
    _, x[:, COL["colon_table"]] = table_structure(shapes, texts, short, np.zeros(len(texts), bool))
    x[:, COL["ends_colon"]] = [t.endswith(":") for t in texts]
    return x


def test_mostly_kept_introduced_table_is_kept_whole_with_its_intro_line():
    # The classifier keeps the numeric cells of a standings table written one cell per line and drops the
    # names between them; the kept text starts inside the table, so the ':' line and the header are out.
    texts = [STORY[0], TABLE_INTRO, *TABLE, "Share", "Related stories"]
    x = _table_page_features(texts)
    table = slice(2, 2 + len(TABLE))
    keep = np.zeros(len(texts), bool)
    keep[table] = [t.isdigit() for t in TABLE]  # 8 of 16 data cells, no header cell: exactly half the run
    out = bp.keep_mostly_kept_lists(keep, x)
    # with: the whole table and the line that introduces it
    assert out[1:2 + len(TABLE)].all()
    # without: the page furniture after it, and the story line before the ':' line is not added
    assert not out[2 + len(TABLE):].any() and not out[0]
    assert bp.decide(np.where(keep, 2.0, -2.0), {"region": 0.5, "inside": 0.0, "outside": 99.0}, None, x)[
        1:2 + len(TABLE)].all()


def test_table_kept_only_in_small_part_is_not_pulled_in():
    texts = [STORY[0], TABLE_INTRO, *TABLE, "Share", "Related stories"]
    x = _table_page_features(texts)
    keep = np.zeros(len(texts), bool)
    keep[[6, 10, 14]] = True  # three cells of twenty: the table is not the article's
    out = bp.keep_mostly_kept_lists(keep, x)
    assert out.tolist() == keep.tolist()
    # no ':' introduction: a menu that repeats like a table is never a kept list
    menu = ["Scores", "Teams", "Players", "Fixtures"] * 4
    x = _table_page_features([STORY[0], "Sections", *menu])
    assert not x[:, COL["colon_table"]].any()


# ----------------------------------------------------------------------------- embedded posts ending the article

TWEETS = ["The harbour is ours again! Thank you to everyone who voted pic.twitter.com/AbC123",
          "— Porthaven Fishers (@porthavenfish) November 19, 2019",
          "Work on the new pier starts in spring, the mayor confirms.",
          "— Porthaven Fishers (@porthavenfish) November 19, 2019"]


def test_embedded_posts_after_the_last_paragraph_stay():
    # The article ends on the posts it quotes ("See the posts:"), then the share bar: kept text is on one
    # side of the posts only, so the two-sided rule does not apply; the chain from the kept text does.
    texts = [STORY[0], STORY[1], "See the posts:", *TWEETS, "Share this:", "Twitter", "Facebook"]
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    x[:, COL["embed_attrib"]], x[:, COL["embed_body"]] = bp.features.embed_structure(
        texts, bp.features.joined_starts_hits(texts))
    keep = np.zeros(len(texts), bool)
    keep[:3] = True
    assert not bp.keep_embedded_posts(keep, x)[3:7].any()  # needs kept text on both sides
    out = bp.keep_adjacent_embedded_posts(keep, x)
    # with: both posts and their attributions
    assert out[:7].all()
    # without: the share bar
    assert not out[7:].any()


def test_embedded_posts_far_from_the_kept_text_stay_out():
    texts = [STORY[0], "Share this:", "Twitter", "Facebook", "Email", *TWEETS]
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    x[:, COL["embed_attrib"]], x[:, COL["embed_body"]] = bp.features.embed_structure(
        texts, bp.features.joined_starts_hits(texts))
    keep = np.zeros(len(texts), bool)
    keep[0] = True
    assert bp.keep_adjacent_embedded_posts(keep, x).tolist() == keep.tolist()
    # an attribution line without a post's text before it is a byline, not a post
    texts = [STORY[0], "— Porthaven Fishers (@porthavenfish) November 19, 2019", "Related stories"]
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    x[:, COL["embed_attrib"]], x[:, COL["embed_body"]] = bp.features.embed_structure(
        texts, bp.features.joined_starts_hits(texts))
    keep = np.array([True, False, False])
    assert bp.keep_adjacent_embedded_posts(keep, x).tolist() == keep.tolist()


def test_page_ending_on_quoted_posts_keeps_them_and_drops_the_share_bar(res):
    # The whole chain on a page whose article ends on two quoted posts, then a share bar.  (On this page
    # the trees keep the posts already; the two tests above pin the decision rule itself.)
    intro = "The fishers' association posted the news on Tuesday evening:"
    share = ["Share this:", "Twitter", "Facebook", "Email"]
    doc = clean_text(page(*STORY, intro, *TWEETS, *share))
    for line in [*STORY, intro, *TWEETS]:
        assert line in doc.paragraphs, line
    for line in share:
        assert line not in doc.paragraphs, line
        assert removed_as(doc, line) == ("boilerplate", "share_buttons")
