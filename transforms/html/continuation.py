"""HTML mode: an article split by an ad slot continues in a sibling container (pure).

Main-content extractors pick one container.  Some pages cut the article body
into several sibling containers of the same kind with an advertisement slot
between them; everything after the first container would be lost.  After
extraction, the container holding the last extracted paragraph is found in
the page tree, and following siblings of the same kind (same tag, a shared
class token) that hold prose are added, skipping ad slots and empty elements
between them.
"""

from __future__ import annotations

import re

from transforms.html.parse import class_tokens, norm_space
from transforms.html.serialise import Block
from transforms.keys import text_key

MAX_LEVELS = 4
MAX_SIBLINGS = 12
_AD_TOKEN_RE = re.compile(r"(?:^|[-_])(?:ad|ads|adv|advert|advertisement|advertising|dfp|gpt|banner|sponsor(?:ed)?"
                          r"|promo|adslot|adunit|outbrain|taboola|teads)(?:$|[-_\d])")
_PROSE_TAGS = ("p", "h2", "h3", "h4", "blockquote", "li")


def _is_ad_slot(el) -> bool:
    if not isinstance(el.tag, str) or el.tag in ("script", "style", "ins", "iframe", "noscript", "template", "br", "hr"):
        return True
    words = len(el.text_content().split())
    if words <= 3:
        return True  # "Advertisement", "Anzeige", an empty placeholder
    return words <= 25 and any(_AD_TOKEN_RE.search(t) for t in class_tokens(el))


def _same_kind(a, b) -> bool:
    if a.tag != b.tag:
        return False
    ca, cb = set(a.get("class", "").split()), set(b.get("class", "").split())
    return (not ca and not cb) or bool(ca & cb)


def _prose(el) -> list[tuple[str, str]]:
    """(kind, text) of the paragraphs and subheads in a container, link-heavy ones left out."""
    out = []
    for node in el.iter(*_PROSE_TAGS):
        if any(isinstance(d.tag, str) and d.tag in _PROSE_TAGS for d in node.iterdescendants()):
            continue
        text = norm_space(node.text_content())
        if not text:
            continue
        links = sum(len(norm_space(a.text_content())) for a in node.iter("a"))
        if links >= 0.5 * len(text):
            continue
        out.append(("head" if node.tag in ("h2", "h3", "h4") else "p", text))
    return out


def _find_paragraph(tree, key: str):
    probe = key[:60]
    for p in tree.iter("p"):
        if probe in text_key(p.text_content()):
            return p
    return None


def _size(text: str) -> int:
    return max(len(text.split()), len(text_key(text).replace(" ", "")) // 5)


def continuation_blocks(tree, blocks: list[Block], min_words: int = 50, min_share: float = 0.15) -> list[Block]:
    """Blocks of sibling containers that continue the article after the extracted one."""
    last = next((b for b in reversed(blocks) if b.kind == "p" and len(b.text.split()) >= 8), None)
    if last is None:
        return []
    p = _find_paragraph(tree, text_key(last.text))
    if p is None:
        return []
    body_all = need = None  # computed when a sibling of the same kind turns up (on most pages none does)
    node = p.getparent()
    for _level in range(MAX_LEVELS):
        if node is None or node.tag in ("body", "html") or node.getparent() is None:
            return []
        found: list[Block] = []
        sib = node.getnext()
        for _ in range(MAX_SIBLINGS):
            if sib is None:
                break
            if _same_kind(sib, node):
                if body_all is None:
                    body_all = " " + " ".join(text_key(b.text) for b in blocks) + " "
                    # a continuation is a real part of the article, not a closing line in a box of the same kind
                    need = max(min_words, min_share * sum(_size(b.text) for b in blocks))
                prose = _prose(sib)
                new = [(k, t) for k, t in prose if f" {text_key(t)[:80]} " not in body_all
                       and text_key(t)[:80] not in body_all]
                if sum(_size(t) for k, t in new if k == "p") < need:
                    break
                found.extend(Block(k, t, 0, 0) for k, t in new)
            elif not _is_ad_slot(sib):
                break
            sib = sib.getnext()
        if found:
            return found
        node = node.getparent()
    return []
