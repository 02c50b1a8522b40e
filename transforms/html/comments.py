"""HTML mode: reader comments as data (pure).

A comment section (an element whose class or id names it: ``comments``,
``comment-list``, ``commentlist``, ``disqus_thread``, ...) is taken out of the
page before main-content extraction, so it never reaches the body; each
comment in it becomes a :class:`Comment` with the author and time the page
gives.  Comments inside a comment (replies) are comments of their own.
"""

from __future__ import annotations

import re

from transforms.document import Comment
from transforms.html.parse import attached, class_tokens, norm_space, remove_keep_tail

MAX_COMMENTS = 500
MAX_COMMENT_CHARS = 20_000

# a whole comment section
_SECTION_RE = re.compile(
    r"^(?:(?:article|user|reader|post|blog|wp|story)[-_]?)?comments?(?:[-_]?(?:list|section|area|container|wrapper"
    r"|thread|block|box|stream|holder|wrap|outer|inner))?$|^commentlist$|^disqus_thread$|^comment[-_]?thread$"
)
# one comment in it
_ITEM_RE = re.compile(r"^(?:(?:user|reader|single|wp)[-_]?)?comment(?:[-_]?(?:item|entry|single|wrapper|wrap|container|node))?$"
                      r"|^comment[-_]\d+$")
_AUTHOR_RE = re.compile(r"(?:^|[-_])(?:author|fn|username|user[-_]?name|nickname|commenter|name)(?:$|[-_])")
_TEXT_RE = re.compile(r"(?:^|[-_])(?:content|text|message)(?:$|[-_])")
_BODY_RE = re.compile(r"(?:^|[-_])body(?:$|[-_])")  # a weaker text container: may hold the header too
_DATE_RE = re.compile(r"(?:^|[-_])(?:date|time|timestamp|published)(?:$|[-_])")
# header and footer lines of a comment, when they sit in the text: "X says:", "Reply", "12 likes"
_CHROME_RE = re.compile(r"^(?:reply|antworten|répondre|responder|rispondi|report|like|\d+\s+likes?|.{1,60}\s(?:says|said|wrote):?)$",
                        re.IGNORECASE)
_SKIP_TAGS = frozenset(("script", "style", "form", "textarea", "button", "noscript", "template"))


def _tokens_match(el, rx: re.Pattern) -> bool:
    return any(rx.search(t) for t in class_tokens(el))


def find_sections(tree, elements=None) -> list:
    """Outermost elements that are comment sections (among ``elements`` if given)."""
    found = []
    for el in (tree.iter() if elements is None else elements):
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "article", "main"):
            continue
        names = (el.get("class", "") + " " + el.get("id", "")).lower()
        if "comment" not in names and "disqus" not in names:  # in every match of _SECTION_RE: a cheap pre-test
            continue
        if elements is not None and not attached(el, tree):
            continue
        if any(_SECTION_RE.match(t) for t in names.split()):
            found.append(el)
    marked = set(found)
    return [el for el in found if not any(a in marked for a in el.iterancestors())]


def _text(el, stop) -> str:
    """Visible text of ``el`` without nested comments (``stop``) and form controls."""
    parts: list[str] = []

    def walk(node):
        if not isinstance(node.tag, str):
            return
        if node.tag in _SKIP_TAGS or (node is not el and node in stop):
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if node.tag in ("p", "div", "br", "li", "blockquote"):
            parts.append("\n")

    walk(el)
    lines = [norm_space(line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _inside_other(node, item, stop) -> bool:
    """``node`` sits in another comment nested in ``item`` (a reply)."""
    for anc in node.iterancestors():
        if anc is item:
            return False
        if anc in stop:
            return True
    return False


def _first(el, rx: re.Pattern, stop) -> object | None:
    for child in el.iterdescendants():
        if not isinstance(child.tag, str) or child in stop or _inside_other(child, el, stop):
            continue
        if _tokens_match(child, rx) or (rx is _AUTHOR_RE and child.get("itemprop") == "author"):
            return child
    return None


def _published(el, stop) -> str | None:
    for t in el.iter("time"):
        if _inside_other(t, el, stop):
            continue
        return t.get("datetime") or norm_space(t.text_content()) or None
    date = _first(el, _DATE_RE, stop)
    if date is not None:
        text = norm_space(date.text_content())
        return text[:80] or None
    return None


def _is_header(line: str, parts: list[str]) -> bool:
    """A comment's header or button line: only its author and time ("Guest 16:17 05.11.18"), "X says:", "Reply"."""
    if _CHROME_RE.match(line):
        return True
    rest = line
    for part in parts:
        rest = rest.replace(part, " ")
    return rest != line and not any(c.isalpha() for c in rest)


def _time_text(el, stop) -> str | None:
    for t in el.iter("time"):
        if not _inside_other(t, el, stop):
            return norm_space(t.text_content()) or None
    return None


def extract_comments(section) -> list[Comment]:
    """The comments in one comment section, in page order."""
    items = [el for el in section.iterdescendants()
             if isinstance(el.tag, str) and el.tag not in _SKIP_TAGS and _tokens_match(el, _ITEM_RE)]
    stop = set(items)
    out: list[Comment] = []
    for item in items[:MAX_COMMENTS]:
        author_el = _first(item, _AUTHOR_RE, stop)
        author = norm_space(author_el.text_content()) if author_el is not None else None
        body_el = _first(item, _TEXT_RE, stop)
        if body_el is None:
            body_el = _first(item, _BODY_RE, stop)
        text = _text(body_el if body_el is not None else item, stop)
        # without a clean text container, drop the author, date and button lines
        drop = [p for p in (author, _published(item, stop), _time_text(item, stop)) if p]
        text = "\n".join(line for line in text.split("\n") if not _is_header(line, drop))
        text = text[:MAX_COMMENT_CHARS].strip()
        if not text:
            continue
        out.append(Comment(text=text, author=(author or None) and author[:200], published=_published(item, stop)))
    return out


def take_comments(tree, elements=None) -> tuple[list[Comment], list[str]]:
    """Comment sections out of the page: the comments found, and the texts of the sections removed
    (so the audit does not list them as page furniture)."""
    comments: list[Comment] = []
    texts: list[str] = []
    for section in find_sections(tree, elements):
        found = extract_comments(section)
        if not found:
            continue  # a "comments" element without comments (a count, a button): leave it to extraction
        comments.extend(found)
        texts.append(section.text_content())
        remove_keep_tail(section)
    return comments, texts
