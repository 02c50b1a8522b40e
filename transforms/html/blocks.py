"""HTML mode, step 5: general clean-ups on the extracted blocks (pure).

Leading title repeats and headings out, the standfirst (dek) to ``subtitle``,
link blocks (related-article teasers) out unless they are prose or items of a
list that also holds prose, date stamps, bare URLs and symbol-only blocks out.
"""

from __future__ import annotations

import re

from transforms.html.serialise import Block
from transforms.keys import text_key

_URL_ONLY_RE = re.compile(r"^\s*(?:(?:https?://|www\.)\S+|\[(\w+)\b[^\]]*\].*\[/\1\])\s*$", re.IGNORECASE | re.DOTALL)
_TIME_RE = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b(?:19|20)\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
# a word that every match of _STANDFIRST_RE contains: a cheap pre-test before the token match
_STANDFIRST_WORD_RE = re.compile(r"standfirst|dek|deck|sub-?(?:title|head)|strapline|lede|lead|intro|summary|excerpt"
                                 r"|teaser-text")
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)]?$")
# class / id tokens of a standfirst (dek) element
_STANDFIRST_RE = re.compile(
    r"^(?:(?:article|story|post|entry|c|o|m)[-_]{1,2})?(?:standfirst|dek|deck|subtitle|sub-?title|subhead(?:line)?"
    r"|sub-?headline|strapline|lede|lead|intro|summary|excerpt|teaser-text)(?:[-_]{1,2}(?:text|wrapper|container))?$"
)


def title_keys(title: str | None) -> set[str]:
    if not title:
        return set()
    keys = {text_key(title)}
    for sep in (" | ", " - ", " – ", " — ", " :: ", " « ", " » "):
        if sep in title:
            # "Headline | Section | Site": the first part, and everything before the last separator
            keys.update({text_key(title.split(sep, 1)[0]), text_key(title.rsplit(sep, 1)[0])})
    return {k for k in keys if k}


def find_standfirst(tree, max_words: int = 80, elements=None) -> str | None:
    """Text of the first element marked as the standfirst (class/id ``standfirst``, ``dek``, ``subtitle``,
    ``summary``, ...) that is a short text block, not a container of paragraphs."""
    from transforms.html.parse import attached, norm_space

    body = tree.find("body")
    if body is None:
        return None
    tags = ("p", "div", "h2", "h3", "span", "header", "section")
    pool = body.iter(*tags) if elements is None else (e for e in elements if e.tag in tags)
    for el in pool:
        names = (el.get("class", "") + " " + el.get("id", "")).lower()
        if not _STANDFIRST_WORD_RE.search(names) or not any(_STANDFIRST_RE.match(t) for t in names.split()):
            continue
        if elements is not None and not attached(el, tree):
            continue
        if el.find(".//p") is not None and el.tag != "p" and len(el.findall(".//p")) > 1:
            continue
        text = norm_space(el.text_content())
        if 4 <= len(text.split()) <= max_words:
            return text
    return None


def is_link_block(b: Block, density: float, max_words: int) -> bool:
    chars = len(b.text.replace(" ", "").replace("\n", ""))
    return chars > 0 and b.link_chars >= density * chars and len(b.text.split()) <= max_words


def is_dateline(text: str) -> bool:
    tokens = re.findall(r"\w+", text)
    if not tokens or len(tokens) > 10 or not _TIME_RE.search(text):
        return False
    if "@" in text or text.lstrip().startswith(("—", "–", "-")):
        return False  # "— Name (@handle) November 18, 2019" closes an embedded tweet
    digits = sum(1 for t in tokens if t.isdigit())
    return digits >= 2 and digits >= len(tokens) / 3


def _drop_link_blocks(blocks: list[Block], options) -> list[Block]:
    link = [is_link_block(b, options.link_density, options.link_max_words) for b in blocks]
    if options.keep_links_in_prose_lists:
        # an item of a list that also holds prose items is part of the article's list (a product, a source)
        prose_groups = {b.group for b, is_link in zip(blocks, link) if b.kind in ("item", "row") and not is_link}
        link = [is_link and not (b.kind in ("item", "row") and b.group in prose_groups)
                for b, is_link in zip(blocks, link)]
    return [b for b, is_link in zip(blocks, link) if not is_link]


def clean_blocks(blocks: list[Block], title: str | None, options, *, standfirst: str | None = None,
                 description: str | None = None) -> tuple[list[Block], str | None]:
    """The blocks to keep, and the standfirst (subtitle): the element the page marks as such when
    it is one of the leading blocks, else a leading heading that reads as a sentence (dropped
    from the text with the other leading heads)."""
    subtitle = None
    if options.drop_title_blocks and title:
        keys = title_keys(title)
        # the title may open the content (h1 inside the article); later repeats are rare and kept
        i = 0
        while i < len(blocks) and i < 3:
            if text_key(blocks[i].text) in keys:
                del blocks[i]
                continue
            i += 1
    if options.standfirst_to_subtitle and standfirst:
        # The page marks its standfirst: it is the subtitle.  Where the extract kept it as a
        # paragraph it stays in the text too (readers see it as the article's first paragraph);
        # as a heading it would be dropped with the leading heads below.
        dek_key = text_key(standfirst)
        if any(text_key(b.text) == dek_key for b in blocks[:4]):
            subtitle = standfirst
    if options.drop_link_blocks:
        blocks = _drop_link_blocks(blocks, options)
    if options.drop_datelines:
        blocks = [b for b in blocks if b.kind in ("row", "item") or not is_dateline(b.text)]
    if options.drop_symbol_blocks:
        blocks = [b for b in blocks if text_key(b.text)]
    if options.drop_url_blocks:
        blocks = [b for b in blocks if not _URL_ONLY_RE.match(b.text)]
    if options.drop_leading_heads:
        heads = []
        while blocks and blocks[0].kind == "head":
            heads.append(blocks.pop(0))
        if subtitle is None and options.standfirst_to_subtitle:
            # a leading "heading" that reads as a sentence is the standfirst, not a kicker
            for h in reversed(heads):
                if len(h.text.split()) >= 8 and _SENTENCE_END_RE.search(h.text):
                    subtitle = h.text
                    break
    if options.drop_trailing_heads:
        # a heading introduces what follows it; with nothing after it, it is page furniture ("Popular on X")
        while blocks and blocks[-1].kind == "head":
            blocks.pop()
    return blocks, subtitle
