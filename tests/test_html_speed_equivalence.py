"""HTML mode, issue 11: the faster code paths give the same results as the code they replace.

Each speed change in transforms/html keeps its output: the XSLT page-block walk,
the batch comparison keys of the audit, the case-insensitive pre-tests, and the
metadata reader that replaces trafilatura's (its author search without a copy of
the page).  Checked here against the slow versions (trafilatura's own functions
where they are the reference) on hand-made and generated pages.  The speed itself
is measured by ``python -m bench.html_speed``, never by a timed test.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from transforms.html import audit
from transforms.html import metadata as html_metadata
from transforms.html.extract import ExtractionError, extract_html
from transforms.html.parse import Caseless, parse_page
from transforms.html.prepass import is_hidden
from transforms.keys import text_key

FIXTURES = Path(__file__).parent / "fixtures" / "html"
PAGES = sorted(FIXTURES.glob("*.html")) + [Path(__file__).parent / "fixtures" / "page.html"]


def _walk_lines(root) -> list[str]:
    return [line for line in (" ".join(raw.split()) for raw in audit._walk_text(root).split("\n")) if line]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_page_blocks_by_xslt_equal_the_python_walk(path):
    tree, _ = parse_page(path.read_text(encoding="utf-8"))
    blocks = audit.page_blocks(tree)
    assert blocks, "a fixture page has visible text"
    assert blocks == _walk_lines(tree)


def test_page_blocks_skip_scripts_but_keep_their_tails():
    tree, _ = parse_page("<html><body><p>one<script>var x = 1;</script> two</p><div>three<br>four</div>"
                         "<style>p {}</style>five<svg><text>no</text></svg></body></html>")
    assert audit.page_blocks(tree) == ["one two", "three", "four", "five"]
    assert audit.page_blocks(tree) == _walk_lines(tree)


LINE_KEY_SAMPLES = [
    "“Hello,  World!”\n\n— it's_here", "a.\n\nb", "ﬁne Straße\n ŞIK İstanbul \n_x_\n", "\n\n", "",
    "x\u2028y\nz", "ａｂｃ\n１２３", "Tom’s «quoted» text…\n© 2024 — Reuters • Photo", "日本語の文章\nテスト。",
]


@pytest.mark.parametrize("text", LINE_KEY_SAMPLES)
def test_audit_line_keys_equal_text_key_per_line(text):
    assert audit._line_keys(text) == [text_key(line) for line in text.split("\n")]


def test_audit_line_keys_equal_text_key_on_random_text():
    rnd = random.Random(7)
    alphabets = ["ab Z_-\n.’éİıſ\u00a0ﬁ１\t“—…\u2028\u3000©", "".join(chr(i) for i in range(128)) + "’“”",
                 "".join(chr(i) for i in range(0x2000, 0x2070)) + "a\n"]
    for alphabet in alphabets:
        for _ in range(3000):
            text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
            assert audit._line_keys(text) == [text_key(line) for line in text.split("\n")], repr(text)


@pytest.mark.parametrize("pattern,texts", [
    (r"display\s*:\s*none|visibility\s*:\s*hidden",
     ["DISPLAY: None", "color: red", "display:NONE;", "visibility :hidden", "dıspla\u0130y:none", "Display\u00a0: none"]),
    (r"hid|none|invisible|print|sr-only|visually|screen|off|a11y",
     ["col-md-8 clearfix", "HIDDEN", "Visually-Hidden", "ſr-only", "d-NONE", "\u212aoff", "title"]),
    ("caption", ["wp-Caption-text", "figure__CAPTION", "capt\u0131on", "credit"]),
])
def test_caseless_pattern_matches_like_ignorecase(pattern, texts):
    fast, reference = Caseless(pattern), re.compile(pattern, re.IGNORECASE)
    for text in texts:
        assert bool(fast.search(text)) == bool(reference.search(text)), text


def test_caseless_pattern_must_be_written_in_lower_case():
    with pytest.raises(ValueError):
        Caseless("Caption")


def _is_hidden_reference(el) -> bool:
    """prepass.is_hidden before its pre-test (the rules as they were)."""
    if el.get("hidden") is not None or re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", el.get("style", ""),
                                                 re.IGNORECASE):
        return True
    cls = el.get("class", "")
    if not cls:
        return False
    if re.search(r"(?:^|\s)(?:sr-only|visually-?hidden|screen-?reader-(?:only|text)|off-?screen|a11y-hidden"
                 r"|element-invisible|u-hidden-visually)(?:$|\s)", cls, re.IGNORECASE):
        return True
    hidden = set("hide hidden is-hidden d-none invisible print-only visible-print show-for-print print-header "
                 "print-footer".split())
    return not hidden.isdisjoint(cls.lower().split())


def test_is_hidden_with_its_pre_test_decides_as_before():
    classes = ["", "article", "hidden", "Is-Hidden x", "sr-only", "VISUALLY-HIDDEN", "visuallyhidden", "d-none",
               "print-only", "screen-reader-text", "offscreen", "off-screen", "a11y-hidden", "element-invisible",
               "u-hidden-visually", "hide-on-mobile", "nonetheless", "show-for-print", "invisible", "hidden-xs",
               "screenshot", "off", "HİDDEN"]
    styles = ["", "display:none", "DISPLAY : NONE", "visibility: hidden", "color: red"]
    html = "".join(f'<div class="{c}" style="{s}">x</div>' for c in classes for s in styles) + "<div hidden>y</div>"
    tree, _ = parse_page(f"<html><body>{html}</body></html>")
    elements = list(tree.find("body"))
    assert len(elements) == len(classes) * len(styles) + 1
    for el in elements:
        assert is_hidden(el) == _is_hidden_reference(el), (el.get("class"), el.get("style"))


# --- the metadata reader: the same results as trafilatura's -------------------------------------------

_TAGS = "div span a p time figure section strong h3 h4 author em address link".split()
_CLASSES = ["author", "byline", "comments", "sidebar", "date", "author-name", "Byline x", "print", "quote x",
            "writer", "", "title", "post-author", "AuthorName"]
_IDS = ["", "author", "comments-1", "xAuthor", "commentlist", "zuozhe"]
_PROPS = ["", "author", "author name"]
_TEXTS = ["John Smith", "By", " ", "\n", "Jane Doe and Max Muster", "x", "Posted 2019", "", None]


def _random_element(rnd: random.Random, depth: int) -> str:
    tag = rnd.choice(_TAGS)
    attrs = ""
    if rnd.random() < 0.5:
        attrs += f' class="{rnd.choice(_CLASSES)}"'
    if rnd.random() < 0.2:
        attrs += f' id="{rnd.choice(_IDS)}"'
    if rnd.random() < 0.15:
        attrs += f' itemprop="{rnd.choice(_PROPS)}"'
    if rnd.random() < 0.05:
        attrs += ' rel="author"'
    if rnd.random() < 0.05:
        attrs += ' data-component="FigureBox"'
    if rnd.random() < 0.03:
        attrs += ' data-testid="AuthorCard"'
    inner = rnd.choice(_TEXTS) or ""
    if depth < 4:
        for _ in range(rnd.randint(0, 3)):
            inner += _random_element(rnd, depth + 1) + (rnd.choice(_TEXTS) or "")
    return f"<{tag}{attrs}>{inner}</{tag}>"


def test_author_search_equals_trafilatura_on_generated_pages():
    from trafilatura.metadata import extract_author

    rnd = random.Random(11)
    found = 0
    for _ in range(600):
        body = "".join(_random_element(rnd, 0) for _ in range(rnd.randint(1, 5)))
        tree, _ = parse_page(f"<html><body>{body}</body></html>")
        expected = extract_author(tree)
        assert html_metadata.extract_author(tree) == expected, body
        found += expected is not None
    assert found > 100  # the generator reaches the rules, not only pages without an author


def test_author_search_reads_the_text_as_the_pruned_page_does():
    from trafilatura.metadata import extract_author

    # the <time> and the "date" span are pruned: their tails join the text before them
    html = ('<html><body><div class="byline">By <span class="date">Monday</span>Anna '
            '<time>2024</time>Berg<figure>x</figure> and Max</div></body></html>')
    tree, _ = parse_page(html)
    assert html_metadata.extract_author(tree) == extract_author(tree) is not None


_CT_TAGS = "div p footer li span header section a".split()
_CT_CLASSES = ["", "row", "tags", "meta", "post-meta x", "postinfo", "entry-meta", "entry-footer y", "cat-links z",
               "post-category", "entry-header", "entry-tags", "jp-relatedposts", "tag-list", "topics", "tags-links",
               "entry-utility", "postmeta", "entry-categories", "other"]
_CT_IDS = ["", "postpath1", "filedunder", "x"]
_CT_HREFS = ["/category/world/", "/tag/ferry/", "/tags/boats/", "/categories/x/", "/news/", "/tagged/", None]


def _random_container(rnd: random.Random, depth: int) -> str:
    tag = rnd.choice(_CT_TAGS)
    attrs = ""
    if rnd.random() < 0.6:
        attrs += f' class="{rnd.choice(_CT_CLASSES)}"'
    if rnd.random() < 0.15:
        attrs += f' id="{rnd.choice(_CT_IDS)}"'
    if tag == "a":
        href = rnd.choice(_CT_HREFS)
        attrs += f' href="{href}"' if href is not None else ""
    inner = rnd.choice(["World", "Ferry news", "", " Boats "])
    if depth < 3:
        for _ in range(rnd.randint(0, 3)):
            inner += _random_container(rnd, depth + 1)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def test_category_and_tag_search_equals_trafilatura_on_generated_pages():
    from trafilatura.metadata import extract_catstags

    rnd = random.Random(5)
    found = 0
    for _ in range(400):
        body = "".join(_random_container(rnd, 0) for _ in range(rnd.randint(1, 5)))
        tree, _ = parse_page(f"<html><head><meta name='subject' content='Harbour'></head><body>{body}</body></html>")
        for metatype in ("category", "tag"):
            expected = extract_catstags(metatype, tree)
            assert html_metadata.extract_catstags(metatype, tree) == expected, (metatype, body)
            found += bool(expected) and expected != ["Harbour"]
    assert found > 50  # the generator reaches the rules, not only the <meta> fallback


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_metadata_reader_equals_trafilatura(path):
    from trafilatura.metadata import extract_metadata

    tree, _ = parse_page(path.read_text(encoding="utf-8"))
    ours, theirs = html_metadata.read_metadata(tree).as_dict(), extract_metadata(tree).as_dict()
    for name in ("body", "commentsbody"):  # empty trees, new objects each time
        ours.pop(name), theirs.pop(name)
    assert ours == theirs


def test_metadata_reader_leaves_the_tree_alone():
    from lxml import etree

    tree, _ = parse_page((FIXTURES / "captions.html").read_text(encoding="utf-8"))
    before = etree.tostring(tree)
    html_metadata.read_metadata(tree)
    assert etree.tostring(tree) == before


# --- furniture only: a reject, not a one-word article --------------------------------------------------

@pytest.mark.parametrize("body", [
    "<nav><a href='/'>Home</a></nav>",
    "<div><p>Home</p><p>Login</p><p>Menu</p></div>",
    "<div class='login'><p>Sign in</p><p>Forgot your password?</p></div>",
])
def test_page_of_furniture_is_rejected(body):
    with pytest.raises(ExtractionError) as info:
        extract_html(f"<html><head><title>x</title></head><body>{body}</body></html>")
    assert info.value.reason == "no_main_content"


def test_short_page_with_a_sentence_is_kept():
    sentence = "The harbour ferry will run every thirty minutes from next Monday, the operator said."
    page = extract_html(f"<html><head><title>Ferry</title></head><body><article><p>{sentence}</p>"
                        "</article></body></html>")
    assert page.text == sentence


def test_byline_author_reaches_the_page_fields():
    sentence = "The harbour ferry will run every thirty minutes from next Monday, the operator said on Friday."
    page = extract_html("<html><head><title>Ferry</title></head><body><article><h1>Ferry</h1>"
                        "<div class='byline'>By <span class='date'>today</span>Anna Berg</div>"
                        f"<p>{sentence}</p><p>{sentence}</p></article></body></html>")
    assert page.authors == ["Anna Berg"]


# --- the body-size check that decides on the fallback: early exit, same decision -----------------------


def test_short_body_decides_as_the_full_word_count():
    from transforms.document import Caption
    from transforms.html import extract as html_extract
    from transforms.html.captions import Figure
    from transforms.html.serialise import Block

    rnd = random.Random(3)
    words = ["harbour", "ferry", "the", "渡し船", "は", "毎日", "運航", "a", "Straße", "—", "12"]
    texts = [" ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12))) for _ in range(60)]
    texts += ["日本語の長い文章です" * rnd.randint(1, 6) for _ in range(10)]  # no spaces: characters / 5
    decided = {True: 0, False: 0}
    for _ in range(600):
        blocks = [Block("p", rnd.choice(texts)) for _ in range(rnd.randint(0, 6))]
        captions = [Figure(None, Caption(rnd.choice([b.text for b in blocks] or ["x"])))
                    for _ in range(rnd.randint(0, 2))]
        short = html_extract._short_body(blocks, captions)
        assert short == (html_extract._body_words(blocks, captions) < html_extract.MIN_BODY_SIZE)
        decided[short] += 1
    assert min(decided.values()) > 50  # both outcomes reached
