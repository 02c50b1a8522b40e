"""HTML mode, step 4: trafilatura's content tree -> text blocks (pure).

Paragraphs follow the block structure of the content tree, not the line
breaks of the HTML source: white space inside a block is folded, inline
elements (links, code, emphasis) never split a paragraph, and a ``<br>``
(``<lb/>``) is a line break, folded into a space where the sentence plainly
goes on after it (the next line starts in lower case).  Headings, list items
and table rows become blocks of their own; the blocks of one list or table
share a group and are joined by a single newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.html.parse import norm_space

_WS_RE = re.compile(r"\s+")
_BLOCK_KINDS = ("p", "head", "item", "row", "quote")


@dataclass
class Block:
    kind: str  # p, head, item, row, quote, code
    text: str
    link_chars: int = 0  # characters inside links (mailto:/tel: links not counted: they are prose)
    group: int = 0  # blocks of one list / table / quote share a group and are joined by one newline


def _fold(text: str) -> str:
    return _WS_RE.sub(" ", text)


def _is_contact(node) -> bool:
    return node.get("target", "").lower().startswith(("mailto:", "tel:"))


def line_text(el, skip=("graphic",)) -> tuple[str, int]:
    """Text of an inline-content element, white space folded, ``<lb/>`` as a line break;
    also the number of characters inside (non-contact) links."""
    parts: list[str] = []
    link = 0

    def walk(node, in_ref):
        nonlocal link
        if node.text:
            parts.append(_fold(node.text))
            if in_ref:
                link += len(node.text.strip())
        for child in node:
            if not isinstance(child.tag, str):
                pass
            elif child.tag in skip:
                pass
            elif child.tag == "lb":
                parts.append("\n")
            elif child.tag in ("list", "table"):
                parts.append("\n")
                walk(child, in_ref)
                parts.append("\n")
            else:
                is_block = child.tag in _BLOCK_KINDS
                if is_block:
                    parts.append("\n")
                walk(child, in_ref or (child.tag == "ref" and not _is_contact(child)))
                if is_block or child.tag == "cell":
                    parts.append(" " if child.tag == "cell" else "\n")
            if child.tail:
                parts.append(_fold(child.tail))
                if in_ref:
                    link += len(child.tail.strip())

    walk(el, el.tag == "ref" and not _is_contact(el))
    return _join_lines("".join(parts)), link


def _join_lines(text: str) -> str:
    """Lines of one block; a line break inside a sentence (next line in lower case) becomes a space."""
    lines = [line for line in (norm_space(part) for part in text.split("\n")) if line]
    out: list[str] = []
    for line in lines:
        if out and line[:1].islower() and not out[-1].endswith((".", "!", "?", ":", "…")):
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _code_text(el) -> str:
    lines = [line.rstrip() for line in "".join(el.itertext()).split("\n")]
    return "\n".join(line for line in lines if line.strip())


def to_blocks(body) -> list[Block]:
    """The blocks of trafilatura's ``<body>`` in order."""
    out: list[Block] = []
    group = 0

    def add(kind, el, grp):
        text, link = line_text(el)
        if text:
            out.append(Block(kind, text, link, grp))

    def visit(el):
        nonlocal group
        tag = el.tag
        if not isinstance(tag, str) or tag == "graphic":
            return
        group += 1
        if tag == "list":
            for item in el.iter("item"):
                # the item's own text, nested lists as their own items
                text, link = line_text(item, skip=("graphic", "list"))
                if text:
                    out.append(Block("item", text, link, group))
        elif tag == "table" and _is_layout_table(el):
            # a page laid out with a table: a cell holds the article's paragraphs, not a value
            for row in el.iterchildren("row"):
                for cell in row.iterchildren("cell"):
                    if cell.text and cell.text.strip():
                        group += 1
                        out.append(Block("p", norm_space(cell.text), 0, group))
                    for child in cell:
                        visit(child)
                        if child.tail and child.tail.strip():
                            group += 1
                            out.append(Block("p", norm_space(child.tail), 0, group))
        elif tag == "table":
            for row in el.iterchildren("row"):
                cells = []
                link = 0
                for cell in row.iterchildren("cell"):
                    cell_text, cell_link = line_text(cell)
                    if cell_text:
                        cells.append(cell_text.replace("\n", " "))
                        link += cell_link
                if cells:
                    out.append(Block("row", " | ".join(cells), link, group))
        elif tag in ("quote", "div", "note") and any(
            isinstance(c.tag, str) and c.tag in ("p", "list", "table", "head", "quote") for c in el
        ):
            if el.text and el.text.strip():
                out.append(Block("quote", norm_space(el.text), 0, group))
            for child in el:
                visit(child)
                if child.tail and child.tail.strip():
                    out.append(Block("quote", norm_space(child.tail), 0, group))
        elif tag == "code":
            text = _code_text(el)
            if text:
                out.append(Block("code", text, 0, group))
        else:
            kind = tag if tag in ("p", "head", "quote") else "p"
            add(kind, el, group)

    if body.text and body.text.strip():
        out.append(Block("p", norm_space(body.text)))
    for child in body:
        visit(child)
        if child.tail and child.tail.strip():
            group += 1
            out.append(Block("p", norm_space(child.tail), 0, group))
    return out


_LAYOUT_CHILDREN = ("p", "head", "list", "quote", "table")


def _is_layout_table(table) -> bool:
    """A table used for the page's layout: one of its cells holds two or more paragraphs (or headings,
    lists, quotes, tables) of its own; a data table's cells hold values."""
    for row in table.iterchildren("row"):
        for cell in row.iterchildren("cell"):
            if sum(1 for c in cell if isinstance(c.tag, str) and c.tag in _LAYOUT_CHILDREN) >= 2:
                return True
    return False


def join_blocks(blocks: list[Block]) -> str:
    """Blocks separated by a blank line; items and rows of one group by a newline."""
    parts: list[str] = []
    prev_group = None
    for b in blocks:
        if parts:
            same = prev_group is not None and b.group == prev_group and b.kind in ("item", "row")
            parts.append("\n" if same else "\n\n")
        parts.append(b.text)
        prev_group = b.group
    return "".join(parts)
