"""HTML mode: the metadata fields trafilatura read from the page (pure)."""

from __future__ import annotations

import re

from transforms.html.parse import norm_space


def authors_of(value: str | None) -> list[str]:
    """trafilatura's ``"A; B"`` author string as a list, once each."""
    if not value:
        return []
    out = []
    for part in re.split(r"\s*;\s*", value):
        part = norm_space(part)
        if part and part not in out:
            out.append(part)
    return out


def metadata_of(doc, extractor: str = "trafilatura") -> dict[str, str]:
    """The other metadata trafilatura found, as strings."""
    meta = {"extractor": extractor}
    for name in ("sitename", "hostname", "image", "pagetype", "license", "language"):
        value = getattr(doc, name, None)
        if value:
            meta[name] = str(value)
    for name in ("categories", "tags"):
        value = getattr(doc, name, None)
        if value:
            meta[name] = ", ".join(str(v) for v in value if v)
    return meta


# --- reading the metadata: trafilatura's ``extract_metadata``, the same steps and results, cheaper -------
#
# ``bare_extraction(with_metadata=True)`` spent a fifth of HTML mode's time in trafilatura's metadata
# reader, half of that in its author search: it deep-copies the page, prunes the copy with two XPaths and
# runs up to three XPaths with EXSLT ``re:test`` predicates over every element (libxml2 calls back into
# Python per element).  :func:`extract_author` below finds the same author with the same rules in one
# pass over the elements that carry the attributes those rules test, without a copy: an element the
# pruning removes is skipped, and the text of a match is read as in the pruned copy (the tail of a
# removed element joins the text before it); :func:`extract_catstags` runs trafilatura's ten category and
# tag XPaths as one pass over the elements with a class or id.  Everything else is trafilatura's own code,
# called in trafilatura's order (htmldate's date search runs with :func:`transforms.html.dates.gated`: no
# dateparser call for a string whose date could only be out of range).  tests/test_html_speed_equivalence.py
# compares both with trafilatura's functions on pages made for the purpose (the DEV pages give the same
# metadata too).  Written against trafilatura 2.3: if a later version changes these rules, those tests fail.

_AUTHOR_TAGS_1 = frozenset("a address div link p span strong".split())
_AUTHOR_TAGS_2 = frozenset("a div h3 h4 p span".split())
_DISCARD_TAGS = frozenset("a div section span".split())
_AUTHOR_CLASS_1 = re.compile("author-?name|AuthorName|authorName")
_AUTHOR_ID_2 = re.compile("author|zuozhe|bianji|xiaobian")
_AUTHOR_CLASS_2 = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_AUTHOR_ID_3 = re.compile("[Aa]uthor")
_AUTHOR_CLASS_3 = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile("^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
                            "|article-(?:share|support)|print|category|meta-date|meta-reviewer")
_CANDIDATES: list = []


def _candidates(tree) -> list:
    if not _CANDIDATES:
        from lxml.etree import XPath

        _CANDIDATES.append(XPath("//*[@class or @id or @rel or @itemprop or @data-testid or @data-component]"
                                 "|//author|//time|//figure"))
    return _CANDIDATES[0](tree)


def _rule(el, tag: str, cls: str, ident: str) -> int:
    """The first of trafilatura's three author rules (AUTHOR_XPATHS) that ``el`` matches, 0 for none."""
    itemprop = el.get("itemprop") or ""
    if tag == "author" or tag in _AUTHOR_TAGS_1 and (
            el.get("rel") == "author" or ident == "author" or cls == "author" or itemprop == "author name"
            or el.get("data-testid") in ("AuthorCard", "AuthorURL") or _AUTHOR_CLASS_1.search(cls)):
        return 1
    if tag in _AUTHOR_TAGS_2 and (
            cls in ("byline", "username", "byl", "BBL") or "author" in itemprop or _AUTHOR_ID_2.search(ident)
            or _AUTHOR_CLASS_2.search(cls)):
        return 2
    if ("Byline" in (el.get("data-component") or "") or "author" in itemprop or _AUTHOR_ID_3.search(ident)
            or _AUTHOR_CLASS_3.search(cls)):
        return 3
    return 0


def _pruned_text(el, discarded: set) -> str:
    """``" ".join(el.itertext())`` as it reads once the ``discarded`` elements are deleted with
    trafilatura's ``delete_element`` (each one's tail joins the text before it)."""
    parts: list[str] = []

    def walk(node) -> None:
        buffer = node.text or ""
        for child in node:
            if child in discarded:
                buffer += child.tail or ""
                continue
            if buffer:
                parts.append(buffer)
            walk(child)
            buffer = child.tail or ""
        if buffer:
            parts.append(buffer)

    walk(el)  # the element's own text and its children's; its own tail is not part of itertext()
    return " ".join(parts)


def extract_author(tree) -> str | None:
    """trafilatura.metadata.extract_author: the same result, without copying the page."""
    from trafilatura.metadata import extract_author as trafilatura_author
    from trafilatura.metadata import normalize_authors, trim

    if tree.find(".//rel") is not None:  # the rules' ``rel='me'`` (a child element): trafilatura's own way
        return trafilatura_author(tree)
    discarded: set = set()
    matches: list[tuple[int, object]] = []
    for el in _candidates(tree):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("time", "figure"):
            discarded.add(el)
            continue
        cls, ident = el.get("class") or "", el.get("id") or ""
        if tag in _DISCARD_TAGS and (
                ident == "comments" or cls in ("comments", "title", "date") or _DISCARD_ID.search(ident)
                or _DISCARD_CLASS.search(cls) or "Figure" in (el.get("data-component") or "")):
            discarded.add(el)
            continue
        rule = _rule(el, tag, cls, ident)
        if rule:
            matches.append((rule, el))
    if not matches:
        return None
    # a match inside a discarded element is gone from the pruned page
    kept = [(rule, el) for rule, el in matches
            if not discarded or not any(a in discarded for a in el.iterancestors())]
    for wanted in (1, 2, 3):
        for rule, el in kept:
            if rule > wanted:
                continue
            # rule <= wanted: the element matches the rule being tried (a match of rule 1 also
            # matches 2 or 3 only if it meets their tests too, checked here)
            if rule != wanted and not _matches(el, wanted):
                continue
            content = trim(_pruned_text(el, discarded))
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None


def _matches(el, wanted: int) -> bool:
    """``el`` (matched by an earlier rule) also meets rule ``wanted``'s tests."""
    tag = el.tag if isinstance(el.tag, str) else ""
    cls, ident = el.get("class") or "", el.get("id") or ""
    itemprop = el.get("itemprop") or ""
    if wanted == 2:
        return tag in _AUTHOR_TAGS_2 and (
            cls in ("byline", "username", "byl", "BBL") or "author" in itemprop or bool(_AUTHOR_ID_2.search(ident))
            or bool(_AUTHOR_CLASS_2.search(cls)))
    return ("Byline" in (el.get("data-component") or "") or "author" in itemprop or bool(_AUTHOR_ID_3.search(ident))
            or bool(_AUTHOR_CLASS_3.search(cls)))


# trafilatura's CATEGORIES_XPATHS and TAGS_XPATHS: "links (with an href) inside an element of this tag and
# class / id"; the same tests in Python, in one pass over the elements that have a class or id (one XPath
# instead of ten).  Rules c0..c5 are the category expressions in trafilatura's order, t0..t3 the tag ones.
_META_START = re.compile("^(?:post-?info|post-?meta|meta|entry-meta|entry-info|entry-utility)")
_TAG_START = re.compile("^(?:tag|postmeta|meta)")
_NAMED: list = []


def catstag_containers(tree) -> dict[str, list]:
    """The elements each category / tag rule names, in document order."""
    if not _NAMED:
        from lxml.etree import XPath

        _NAMED.append(XPath("//*[@class or @id]"))
    found: dict[str, list] = {k: [] for k in ("c0", "c1", "c2", "c3", "c4", "c5", "t0", "t1", "t2", "t3")}
    for el in _NAMED[0](tree):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        c, i = el.get("class") or "", el.get("id") or ""
        if tag == "div":
            if _META_START.search(c) or i.startswith("postpath"):
                found["c0"].append(el)
            if c in ("row", "tags"):
                found["c5"].append(el)
            if c == "tags":
                found["t0"].append(el)
            if c in ("row", "jp-relatedposts", "entry-utility") or _TAG_START.search(c):
                found["t2"].append(el)
        elif tag == "p":
            if c.startswith(("postmeta", "entry-categories")) or c == "postinfo" or i == "filedunder":
                found["c1"].append(el)
            if c.startswith("entry-tags"):
                found["t1"].append(el)
        elif tag == "footer":
            if c.startswith(("entry-meta", "entry-footer")):
                found["c2"].append(el)
        elif tag in ("li", "span"):
            if c in ("post-category", "postcategory", "entry-category") or "cat-links" in c:
                found["c3"].append(el)
        elif tag == "header":
            if c == "entry-header":
                found["c4"].append(el)
        if c == "entry-meta" or "topics" in c or "tags-links" in c:
            found["t3"].append(el)
    return found


def _links_in(containers: list) -> list:
    """``//container//a[@href]``: the links under any of ``containers``, in document order, once each."""
    chosen = set(containers)
    outer = [el for el in containers if not any(a in chosen for a in el.iterancestors())]
    return [a for el in outer for a in el.iterdescendants("a") if a.get("href") is not None]


def extract_catstags(metatype: str, tree, containers: dict[str, list] | None = None) -> list[str]:
    """trafilatura.metadata.extract_catstags: the same result (``containers``: from
    :func:`catstag_containers`, shared by the category and the tag search)."""
    from trafilatura.metadata import block_text, line_processing

    found = containers if containers is not None else catstag_containers(tree)
    results: list[str] = []
    regexpr = re.compile("/" + metatype.rstrip("y") + "(?:y|ies|s)?/")
    rules = ("c0", "c1", "c2", "c3", "c4", "c5") if metatype == "category" else ("t0", "t1", "t2", "t3")
    for rule in rules:
        containers = found[rule]
        if containers:
            results.extend(block_text(a) for a in _links_in(containers) if regexpr.search(a.attrib["href"]))
        if results:
            break
    if metatype == "category" and not results:
        results.extend(
            element.attrib["content"]
            for element in tree.xpath('.//head//meta[@property="article:section" or contains(@name, "subject")]'
                                      '[@content]')
        )
    return [r for r in dict.fromkeys(line_processing(x) for x in results if x) if r]


def read_metadata(tree, default_url: str | None = None):
    """trafilatura.metadata.extract_metadata as ``bare_extraction(with_metadata=True)`` runs it on the page
    tree (same steps, same order, same settings), with :func:`extract_author` and :func:`extract_catstags`.
    Returns trafilatura's ``Document``; the tree is not changed."""
    import trafilatura.metadata as tm
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    from transforms.html.dates import gated

    date_config = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
    metadata = tm.examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = tm.extract_meta_json(tree, metadata)
    except Exception:  # noqa: BLE001 - as trafilatura: a bug in its JSON-LD reader leaves the meta tags
        pass
    if not metadata.title:
        metadata.title = tm.extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = tm.extract_url(tree, default_url)
    if metadata.url:
        metadata.hostname = tm.extract_domain(metadata.url, fast=True)
    date_config["url"] = metadata.url
    # dateparser is not asked for dates htmldate would have to reject (transforms/html/dates.py)
    with gated(date_config.get("min_date"), date_config.get("max_date")):
        metadata.date = tm.find_date(tree, **date_config)
    if not metadata.sitename:
        metadata.sitename = tm.extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = tm.META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    containers = catstag_containers(tree) if not metadata.categories or not metadata.tags else None
    if not metadata.categories:
        metadata.categories = extract_catstags("category", tree, containers)
    if not metadata.tags:
        metadata.tags = extract_catstags("tag", tree, containers)
    metadata.license = tm.extract_license(tree)
    metadata.filedate = date_config.get("max_date")
    metadata.clean_and_trim()
    return metadata
