"""HTML mode: figure captions (pure).

Only captions of the article's own figures are captions: a ``<figcaption>``,
an element with a caption class, or the alt/title text of an image in a
``<figure>``.  A teaser card (image + linked headline + "By <author>") is page
furniture, not a caption.  A credit in a credit-like child element, or after a
``©`` sign, goes to ``credit``.  Captions whose figure is not next to the
extracted main content are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.document import Caption
from transforms.html.parse import Caseless, attached, lazy_xpath, norm_space, remove_keep_tail
from transforms.keys import text_key

MAX_FIGURES = 200  # figures (and caption-class elements) examined for captions

_CREDIT_CLASS_RE = re.compile(r"credit|copyright|source|byline|author|photographer", re.IGNORECASE)
_CAPTION_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:wp-)?caption(?:-text)?(?:$|\s)|(?:image|img|photo|picture|media|figure)[_-]?caption",
    re.IGNORECASE,
)
_CAPTION_WORD_RE = Caseless("caption")  # in every match of _CAPTION_CLASS_RE: a cheap pre-test
_CLASSED = lazy_xpath("//*[@class]")
_FILENAME_RE = re.compile(
    r"^\S+\.(?:jpe?g|png|gif|webp|svg|bmp)$|^https?://|^(?:image|photo|img|picture|thumbnail|logo)\W*\d*$",
    re.IGNORECASE,
)
# "Stau © aremac / Clipdealer", "© Reuters": the credit after a copyright sign
_COPYRIGHT_RE = re.compile(r"©|\(c\)|\bcopyright\b", re.IGNORECASE)  # no \s* around it: linear search
_IMAGE_HREF_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$")
_TEXT_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li ol "
    "p pre section table td th tr ul".split()
)


@dataclass
class Figure:
    anchor: object  # element of the page tree the caption belongs to (for the main-content test)
    caption: Caption


def text_with_tails(el) -> str:
    """Text of an element with block children separated by spaces."""
    out: list[str] = []

    def walk(node):
        block = isinstance(node.tag, str) and node.tag in _TEXT_BLOCK_TAGS
        if block:
            out.append(" ")
        if isinstance(node.tag, str) and node.text:
            out.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if block:
            out.append(" ")

    walk(el)
    return "".join(out)


def split_copyright(text: str) -> tuple[str, str | None]:
    """``"Stau © aremac / Clipdealer"`` -> ``("Stau", "aremac / Clipdealer")``; no © -> ``(text, None)``."""
    m = _COPYRIGHT_RE.search(text)
    if not m:
        return text, None
    credit = text[m.end():].strip(" \t-–—|,;")
    if not credit or len(credit.split()) > 8:
        return text, None
    return text[: m.start()].strip(" \t-–—|,;:"), credit


def caption_of(el) -> tuple[str, str | None]:
    """Text and credit of a caption element: the credit from a credit-like child, else after a ©."""
    credit_parts = []
    for child in el.iterdescendants():
        if not isinstance(child.tag, str):
            continue
        if _CREDIT_CLASS_RE.search(child.get("class", "") + " " + child.get("itemprop", "")):
            part = norm_space(text_with_tails(child))
            if part and not any(part in other for other in credit_parts):
                credit_parts.append(part)
    full = norm_space(text_with_tails(el))
    if credit_parts:
        text = full
        for part in credit_parts:
            text = text.replace(part, " ")
        text = norm_space(text)
        if text_key(text):
            credit = norm_space(" ".join(credit_parts))
            return text, _COPYRIGHT_RE.sub(" ", credit).strip() or credit
    text, credit = split_copyright(full)
    if credit is not None:
        return text, credit
    # Other credits written into the text ("Photo: X") are split off by the shared caption
    # stage (transforms.text.captions.tidy_caption), like every other caption.
    return full, None


def useful_alt(alt: str) -> bool:
    alt = norm_space(alt)
    return len(alt.split()) >= 2 and not _FILENAME_RE.search(alt)


def _link_share(el) -> float:
    text = len(norm_space(el.text_content()))
    if not text:
        return 0.0
    return sum(len(norm_space(a.text_content())) for a in el.iter("a")) / text


def is_teaser(fig) -> bool:
    """An image card linking elsewhere (related article, gallery teaser), not a figure of the article."""
    for anc in fig.iterancestors():
        if anc.tag == "a":
            return True
        if anc.tag in ("article", "main", "body", "section"):
            break
    if next(fig.iter("h1", "h2", "h3", "h4", "h5", "h6"), None) is not None:
        return True
    for a in fig.iter("a"):
        href = a.get("href", "").split("?")[0].lower()
        if href and not href.startswith("#") and not _IMAGE_HREF_RE.search(href) and a.find(".//img") is not None:
            return True  # the image links to another page: a card, not an illustration

    caps = list(fig.iter("figcaption"))
    return bool(caps) and _link_share(caps[0]) >= 0.5


def collect_figures(tree, *, drop_figcaptions: bool = True, drop_caption_class: bool = True,
                    elements=None) -> list[Figure]:
    """Figure captions with their place in the page, taken out of the text; teaser cards skipped."""
    figures: list[Figure] = []
    for fig in list(tree.iter("figure"))[:MAX_FIGURES]:
        caps = list(fig.iter("figcaption"))
        if not is_teaser(fig):
            if caps:
                text, credit = caption_of(caps[0])
            else:
                text, credit = "", None
                for img in fig.iter("img"):
                    alt = img.get("alt") or img.get("title") or ""
                    if useful_alt(alt):
                        text, credit = split_copyright(norm_space(alt))
                        break
            if text or credit:
                figures.append(Figure(fig, Caption(text, credit)))
        if drop_figcaptions:
            for cap in caps:
                remove_keep_tail(cap)
    if drop_caption_class:
        # "caption" in the class first (a plain search), then the full pattern, then still in the tree
        pool = _CLASSED(tree) if elements is None else elements
        labelled = [e for e in pool if _CAPTION_WORD_RE.search(e.get("class", ""))
                    and _CAPTION_CLASS_RE.search(e.get("class", "")) and (elements is None or attached(e, tree))]
        for el in labelled[:MAX_FIGURES]:
            if not isinstance(el.tag, str) or el.tag in ("html", "body", "figure", "img"):
                continue
            if el.getparent() is None or not _CAPTION_CLASS_RE.search(el.get("class", "")):
                continue
            if len(el) > 10 or any(
                isinstance(c.tag, str) and c.tag in ("p", "div") and len(c.text_content()) > 400 for c in el
            ):
                continue  # a container, not a caption
            if _link_share(el) < 0.5:
                text, credit = caption_of(el)
                if text or credit:
                    figures.append(Figure(el.getparent(), Caption(text, credit)))
            remove_keep_tail(el)
    return figures


def captions_near(figures: list[Figure], block_texts: list[str]) -> list[Caption]:
    """Captions whose figure is next to a paragraph of the extracted content, once each."""
    if not figures:
        return []
    body_all = " " + " ".join(text_key(t) for t in block_texts) + " "
    out: list[Caption] = []
    seen = set()
    for fig in figures:
        if not _near_content(fig.anchor, body_all):
            continue
        key = (text_key(fig.caption.text), text_key(fig.caption.credit or ""))
        if key not in seen:
            seen.add(key)
            out.append(fig.caption)
    return out


def _near_content(anchor, body_all: str) -> bool:
    node = anchor
    for _level in range(4):
        if node is None or node.getparent() is None:
            return False
        sibs = []
        prev, nxt = node.getprevious(), node.getnext()
        for _ in range(3):
            if prev is not None:
                sibs.append(prev)
                prev = prev.getprevious()
            if nxt is not None:
                sibs.append(nxt)
                nxt = nxt.getnext()
        for sib in sibs:
            if not isinstance(sib.tag, str) or sib.tag in ("figure", "script", "style"):
                continue
            key = text_key(sib.text_content()[:2000])
            if len(key) >= 25 and (" " + key[:80] in body_all or key[-80:] + " " in body_all):
                return True
        node = node.getparent()
    return False
