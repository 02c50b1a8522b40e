"""What an HTML page loses to main-content extraction, for the audit column (pure).

trafilatura returns the article; everything else on the page (navigation,
footers, related links, newsletter boxes) is recorded in ``removed`` with kind
``not_main_content``, so HTML input is audited like text input.  The page is
flattened into text blocks without recursion (deeply nested pages are safe),
and the audit is bounded per document.
"""

from __future__ import annotations

import re

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
_SPACE_RE = re.compile(r"\s+")


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
    lines = (_SPACE_RE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


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
    kept = " " + headline_key(kept_text) + " "
    kept_lines = {headline_key(line) for line in kept_text.split("\n")}
    title_key = headline_key(title) if title else ""
    caption_keys = {k for k in (headline_key(c.text) for c in captions or []) if k}
    author_keys = {k for k in (headline_key(a) for a in authors or []) if k}
    seen: set[str] = set()
    out: list[Removed] = []
    total = 0
    for block in blocks:
        key = headline_key(block)
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
