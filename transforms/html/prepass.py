"""HTML mode, step 2: clean-ups on the page tree before main-content extraction (pure).

Each one is cheap (one walk of the tree) and general:

* elements a browser would not show (``hidden``, ``display:none``, hide/sr-only classes);
* embedded tweets: widget wrappers replaced by a plain ``<blockquote>``;
* link clusters inside a paragraph (hover cards, inline "more on this" boxes);
* schema.org microdata that carries machine values (keywords, ISO timestamps,
  image URLs) rather than visible prose;
* paragraphs from the page's block structure: a run of text and inline
  elements between block elements becomes one ``<p>``, and two ``<br>`` in a
  row (a page that separates its paragraphs with them) end a paragraph.
"""

from __future__ import annotations

import re

from transforms.html.parse import Caseless, lazy_xpath, norm_space, remove_keep_tail

_HIDDEN_STYLE_RE = Caseless(r"display\s*:\s*none|visibility\s*:\s*hidden")
_HIDDEN_CLASSES = frozenset(
    "hide hidden is-hidden d-none invisible print-only visible-print show-for-print print-header print-footer".split()
)
_SR_ONLY_RE = Caseless(
    r"(?:^|\s)(?:sr-only|visually-?hidden|screen-?reader-(?:only|text)|off-?screen|a11y-hidden|element-invisible"
    r"|u-hidden-visually)(?:$|\s)"
)
# a part of every hidden or screen-reader class above: a cheap pre-test (most classes have none)
_MAYBE_HIDDEN_RE = Caseless(r"hid|none|invisible|print|sr-only|visually|screen|off|a11y")

# Block-level elements: they end a paragraph.  Everything else (a, span, em, code, img, ...) is inline.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend li main menu nav "
    "noscript ol p pre section summary table tbody td tfoot th thead tr ul video audio canvas object "
    "script style template select textarea".split()
)
# containers whose loose text runs are paragraphs of their own
_RUN_CONTAINERS = frozenset("article section main div td blockquote body center".split())


def is_hidden(el, *, hidden_classes: bool = True, screen_reader: bool = True) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")  # most elements have none: no pattern call for them
    if style and _HIDDEN_STYLE_RE.search(style):
        return True
    cls = el.get("class", "")
    if not cls or not _MAYBE_HIDDEN_RE.search(cls):
        return False
    if screen_reader and _SR_ONLY_RE.search(cls):
        return True
    return hidden_classes and not _HIDDEN_CLASSES.isdisjoint(cls.lower().split())


def drop_hidden(tree, *, hidden_classes: bool = True, screen_reader: bool = True, elements=None) -> None:
    """Remove elements a browser would not show, unless that would remove most of the page's text
    (some pages hide their content until a script runs; extracting it is better than nothing).
    ``elements``: the candidates (``parse.attributed_elements``), else every element."""
    doomed = []
    for el in (tree.iter() if elements is None else elements):
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head"):
            continue
        if is_hidden(el, hidden_classes=hidden_classes, screen_reader=screen_reader):
            doomed.append(el)
    if not doomed:
        return
    marked = set(doomed)
    outer = [el for el in doomed if not any(a in marked for a in el.iterancestors())]
    body = tree.find("body")
    total = len(norm_space(body.text_content())) if body is not None else 0
    hidden = sum(len(norm_space(el.text_content())) for el in outer)
    if total and hidden > 0.5 * total:
        return
    for el in outer:
        remove_keep_tail(el)


def _is_mail_link(a) -> bool:
    return a.get("href", "").lower().startswith(("mailto:", "tel:"))


def drop_inline_widgets(tree) -> None:
    """Inside a paragraph, an inline element made of three or more links (a person's hover card with
    their latest headlines, an inline "more on this" box) is not part of the sentence.  Contact links
    (mailto:, tel:) are prose, never part of such a cluster."""
    doomed = []
    for p in tree.iter("p"):
        for el in p.iterdescendants("span", "div", "aside", "ul"):
            links = [a for a in el.iter("a") if not _is_mail_link(a)]
            if len(links) < 3:
                continue
            text = norm_space(el.text_content())
            link_text = sum(len(norm_space(a.text_content())) for a in links)
            if len(text) >= 40 and link_text >= 0.8 * len(text):
                doomed.append(el)
    # only the innermost such element: a hover card's trigger link (the name in the sentence) stays
    marked = set(doomed)
    for el in doomed:
        if any(d in marked for d in el.iterdescendants()):
            continue
        if el.getparent() is not None:
            remove_keep_tail(el)


def unwrap_embeds(tree) -> None:
    """Embedded social posts (Twitter's blockquote markup) are article content: strip their widget wrappers."""
    for bq in list(tree.iter("blockquote")):
        cls = bq.get("class", "")
        if "twitter-tweet" not in cls and "twitter-video" not in cls:
            continue
        text = norm_space(bq.text_content())
        if not text:
            continue
        top = bq
        parent = top.getparent()
        while (parent is not None and parent.tag not in ("body", "article", "main", "p")
               and norm_space(parent.text_content()) == text):
            top, parent = parent, parent.getparent()
        for attr in list(bq.attrib):
            del bq.attrib[attr]
        if top is not bq and parent is not None:
            bq.tail = top.tail
            parent.replace(top, bq)


# --------------------------------------------------------------------------- microdata

# schema.org properties whose values are data for machines, not sentences for readers
_MACHINE_PROPS = frozenset(
    "keywords datepublished datemodified datecreated uploaddate image thumbnailurl url contenturl embedurl logo "
    "wordcount inlanguage identifier isaccessibleforfree width height duration encodingformat".split()
)
# properties naming a person or organisation: data when they stand alone, prose inside a sentence
_NAME_PROPS = frozenset("author creator publisher editor name".split())
_DATE_PROPS = ("datepublished", "datecreated", "uploaddate")
_ITEMPROP = lazy_xpath("//*[@itemprop]")
_MACHINE_VALUE_RE = re.compile(
    r"^(?:https?://\S+|//\S+|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d+)$"
)


def drop_microdata(tree) -> dict[str, str]:
    """Remove visible schema.org microdata that is machine data (keywords, ISO timestamps, URLs,
    a lone author name).  Returns what it found that metadata may need (``published``)."""
    found: dict[str, str] = {}
    doomed = []
    for el in _ITEMPROP(tree):
        prop = el.get("itemprop")
        if not prop:
            continue
        props = set(prop.lower().split())
        if props & {"articlebody", "text", "description", "reviewbody"}:
            continue
        text = norm_space(el.text_content())
        if not text or el.tag in ("p", "article", "main", "body") or el.find(".//p") is not None:
            continue
        if props & _MACHINE_PROPS:
            if "keywords" in props or _MACHINE_VALUE_RE.match(text) or len(text.split()) <= 3:
                if props & set(_DATE_PROPS) and "published" not in found:
                    found["published"] = el.get("datetime") or el.get("content") or text
                doomed.append(el)
        elif props & _NAME_PROPS and len(text.split()) <= 6 and _stands_alone(el, text):
            doomed.append(el)
    marked = set(doomed)
    for el in doomed:
        if not any(a in marked for a in el.iterancestors()):
            remove_keep_tail(el)
    return found


def _stands_alone(el, text: str) -> bool:
    """The element is a block of its own (its block-level parent holds no other text), not a name in a sentence."""
    parent = el.getparent()
    while parent is not None and parent.tag not in BLOCK_TAGS:
        parent = parent.getparent()
    if parent is None or parent.tag in ("p", "li", "td", "figcaption", "blockquote"):
        return False
    return norm_space(parent.text_content()) == text


# --------------------------------------------------------------------------- paragraphs


def _is_block(node) -> bool:
    return isinstance(node.tag, str) and node.tag in BLOCK_TAGS


def _double_br(children: list, i: int) -> bool:
    """children[i] is a <br> followed, with only white space between, by another <br>."""
    node = children[i]
    if node.tag != "br" or (node.tail and node.tail.strip()):
        return False
    return i + 1 < len(children) and children[i + 1].tag == "br"


def paragraphs_from_blocks(tree, *, max_changes: int = 2000) -> int:
    """Make the page's paragraphs explicit before extraction.

    In a container that mixes loose text with block elements, each run of
    text and inline elements between blocks becomes one ``<p>``; in a ``<p>``
    or such a container, two ``<br>`` in a row end a paragraph.  A single
    ``<br>`` stays a line break.  Returns the number of paragraphs made.
    """
    made = 0
    for el in list(tree.iter(*_RUN_CONTAINERS, "p")):
        if made >= max_changes:
            break
        children = [c for c in el if isinstance(c.tag, str)]
        if not children:
            continue
        has_double_br = any(_double_br(children, i) for i in range(len(children)))
        if el.tag == "p":
            if not has_double_br or any(_is_block(c) for c in children):
                continue
        else:
            loose = (el.text and el.text.strip()) or any(c.tail and c.tail.strip() for c in children)
            if not loose or not (has_double_br or any(_is_block(c) for c in children)):
                continue
        made += _wrap_runs(el)
    return made


def _wrap_runs(el) -> int:
    """Rebuild ``el``'s children: runs of inline content become <p> elements (see above)."""
    from lxml import html as lxml_html

    nodes = list(el)
    text = el.text
    el.text = None
    for node in nodes:
        el.remove(node)  # keeps node.tail on the node
    out: list = []  # block elements and finished paragraphs, in order
    run: list = []  # inline nodes of the current paragraph
    run_text = [text or ""]  # leading text of the current run

    def close():
        lead = run_text[0]
        if (lead and lead.strip()) or any(norm_space(n.text_content()) or n.tag == "img"
                                          or (n.tail and n.tail.strip()) for n in run):
            p = lxml_html.Element("p")
            p.text = lead
            for n in run:
                p.append(n)
            out.append(p)
        run.clear()
        run_text[0] = ""

    skip_next_br = False
    for i, node in enumerate(nodes):
        if skip_next_br:
            skip_next_br = False
            tail = node.tail
            run_text[0] = tail or ""
            continue
        if isinstance(node.tag, str) and node.tag == "br" and _double_br(nodes, i):
            close()
            skip_next_br = True
            continue
        if _is_block(node):
            close()
            tail = node.tail
            node.tail = None
            out.append(node)
            run_text[0] = tail or ""
        else:
            run.append(node)
    close()
    made = sum(1 for n in out if n.tag == "p" and n not in nodes)
    if el.tag == "p":
        el.tag = "div"
    for n in out:
        el.append(n)
    return made
