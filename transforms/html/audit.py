"""What an HTML page loses to main-content extraction, for the audit column (pure).

trafilatura returns the article; everything else on the page (navigation,
footers, related links, newsletter boxes) is recorded in ``removed`` with kind
``not_main_content``, so HTML input is audited like text input.  The page is
flattened into text blocks without recursion (deeply nested pages are safe),
and the audit is bounded per document.
"""

from __future__ import annotations

import re
import threading
import unicodedata

from transforms.document import Caption, Removed
from transforms.keys import text_key as headline_key  # the one comparison key

MAX_AUDIT_BLOCKS = 2000
MAX_AUDIT_CHARS = 200_000
MIN_SUBSTRING_WORDS = 4
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "select"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "li", "main", "menu", "nav", "ol", "option", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}


def page_blocks(html) -> list[str]:
    """Visible text of the page's block elements, in document order (no network, no entities).

    ``html`` is the page tree already parsed by ``transforms.html.parse`` (the
    extraction passes it: one parse per page) or, for callers outside it, the page text.
    """
    from lxml import etree
    from lxml import html as lxml_html

    if isinstance(html, (str, bytes)):
        parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
        try:
            root = lxml_html.document_fromstring(html, parser=parser)
        except (etree.ParserError, ValueError):
            return []
    else:
        root = html
    # libxml2's XSLT engine walks the tree in C: a newline around every block element, nothing from the
    # skipped ones (their tails are text of the parent and stay); the lines are folded here
    try:
        text = str(_block_text()(root))
    except etree.Error:  # e.g. libxslt's own limits: the same text by a walk in Python
        text = _walk_text(root)
    return [line for line in (" ".join(raw.split()) for raw in text.split("\n")) if line]


def _walk_text(root) -> str:
    from lxml import etree

    parts: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or tag in _SKIP:
                skipping += 1
                continue
            if tag in _BLOCK:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if skipping:
                skipping -= 1
                if skipping == 0 and el.tail:
                    parts.append(el.tail)
                continue
            if tag in _BLOCK:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    return "".join(parts)


_XSLT = threading.local()  # one compiled stylesheet per thread (libxslt objects are not shared across threads)


def _block_text():
    """The compiled stylesheet that writes a tree's text with a line break around each block element."""
    if getattr(_XSLT, "transform", None) is None:
        from lxml import etree

        _XSLT.transform = (etree.XSLT(etree.XML(
            '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:output method="text" encoding="utf-8"/>'
            f'<xsl:template match="{"|".join(sorted(_SKIP))}"/>'
            f'<xsl:template match="{"|".join(sorted(_BLOCK))}">'
            '<xsl:text>&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text></xsl:template>'
            '</xsl:stylesheet>')))
    return _XSLT.transform


# ASCII: letters lower-cased, digits kept, every other character but the line break a space
_ASCII_KEY_TABLE = bytes(
    ord(chr(i).lower()) if chr(i).isalnum() else (10 if i == 10 else 32) for i in range(128)
) + bytes(range(128, 256))
_COMMON_NON_WORD = "\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u2022\u00b7\u00a0"
_NON_ASCII_NON_WORD_RE = re.compile(r"[^\x00-\x7f\w]+")


def _line_keys(text: str) -> list[str]:
    """``[headline_key(line) for line in text.split("\\n")]`` in one pass: NFKC and case folding act on
    each character alone around a line break, and a non-word run is cut at the break instead of
    swallowing it (tests/test_html_speed_equivalence.py checks the equality)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).casefold()
        for char in _COMMON_NON_WORD:  # typographic quotes and dashes: then most news text is ASCII
            if char in text:
                text = text.replace(char, " ")
        if not text.isascii():  # the other non-word characters (the regex tests only those)
            text = _NON_ASCII_NON_WORD_RE.sub(" ", text)
    # ASCII non-word characters by a byte table (UTF-8 bytes of other characters pass unchanged)
    lines = text.encode("utf-8", "surrogatepass").translate(_ASCII_KEY_TABLE).decode("utf-8", "surrogatepass")
    return [" ".join(line.split()) for line in lines.split("\n")]


def _in_fields(key: str, title_key: str, caption_keys: set[str], author_keys: set[str]) -> bool:
    """The block is the title, a caption (with or without its credit) or a byline of a known author."""
    if key == title_key or any(key == c or key.startswith(c + " ") for c in caption_keys):
        return True
    return len(key.split()) <= 12 and any(a in key for a in author_keys)


def not_main_content(html, kept_text: str, *, title: str | None = None,
                     captions: list[Caption] | None = None, authors: list[str] | None = None,
                     moved: list[str] | None = None) -> list[Removed]:
    """Page blocks that are neither in the extracted text nor in a field, once each, bounded.

    ``html`` is the page text or its blocks from :func:`page_blocks` (a list: no second parse);
    ``moved`` holds page text that went to another field (subtitle, reader comments).
    """
    blocks = html if isinstance(html, list) else page_blocks(html)
    moved_text = " " + " ".join(headline_key(m) for m in moved or []) + " "
    kept_line_keys = _line_keys(kept_text)
    kept = " " + " ".join(k for k in kept_line_keys if k) + " "  # = headline_key(kept_text)
    kept_lines = set(kept_line_keys)
    title_key = headline_key(title) if title else ""
    caption_keys = {k for k in (headline_key(c.text) for c in captions or []) if k}
    author_keys = {k for k in (headline_key(a) for a in authors or []) if k}
    seen: set[str] = set()
    out: list[Removed] = []
    total = 0
    # the blocks hold no line break (page_blocks splits there): their keys in one pass over the page text
    block_keys = (_line_keys("\n".join(blocks)) if not any("\n" in b for b in blocks)
                  else [headline_key(b) for b in blocks])
    for block, key in zip(blocks, block_keys):
        # A short block (a menu item) counts as kept only as a whole line of the extract;
        # a longer one also as a run of words inside it.
        in_extract = key in kept_lines or (len(key.split()) >= MIN_SUBSTRING_WORDS and f" {key} " in kept)
        if (not key or key in seen or in_extract or _in_fields(key, title_key, caption_keys, author_keys)
                or f" {key} " in moved_text):
            continue
        seen.add(key)
        if len(out) >= MAX_AUDIT_BLOCKS or total + len(block) > MAX_AUDIT_CHARS:
            out.append(Removed("not_main_content", "", None, "audit truncated: more page text not listed"))
            break
        total += len(block)
        out.append(Removed("not_main_content", block, None, "outside the main content"))
    return out
