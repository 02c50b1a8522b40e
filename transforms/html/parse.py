"""HTML mode, step 1: decode, sanity-check and parse a page into one lxml tree (pure).

The tree built here is the only parse of the page: the audit's page blocks,
the pre-pass, trafilatura and the continuation check all read it.  Parsing
never touches the network and never expands external entities; libxml2's
default depth limit stays on (a page nested deeper loses what is below it,
and says so).
"""

from __future__ import annotations

import re

__all__ = ["ExtractionError", "MAX_HTML_CHARS", "MAX_TREE_ELEMENTS", "decode_page", "precheck", "parse_page"]

MAX_HTML_CHARS = 8_000_000  # larger pages are rejected, not cut (a cut page has no end of article)
MAX_TREE_ELEMENTS = 50_000  # more elements: rejected before extraction (its cost grows faster than linearly)
MAX_ATTRIBUTE_CHARS = 2_000
SNIFF_CHARS = 65_536


class ExtractionError(ValueError):
    """The page could not be turned into an article; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


_HTML_TAGS = frozenset(
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption center "
    "cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption "
    "figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input "
    "ins kbd label legend li link main map mark menu meta meter nav noscript object ol optgroup option output "
    "p picture pre progress q s samp script section select small source span strong style sub summary sup "
    "table tbody td template textarea tfoot th thead time title tr track u ul var video wbr".split()
)
_TAG_RE = re.compile(r"<(!doctype\s+html|[a-zA-Z][a-zA-Z0-9]{0,9})[\s/>]", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)


def decode_page(html: str | bytes) -> str:
    """The page as text: bytes decoded like every other input (BOM, meta charset, detection)."""
    if isinstance(html, str):
        return html
    if not isinstance(html, (bytes, bytearray, memoryview)):
        raise ExtractionError("not_html", f"expected str or bytes, got {type(html).__name__}")
    raw = bytes(html)
    if len(raw) > 4 * MAX_HTML_CHARS:
        raise ExtractionError("too_large", f"{len(raw)} bytes")
    from transforms.ingest.decode import DecodeError, decode_bytes

    try:
        return decode_bytes(raw, html=True)[0]
    except DecodeError as exc:
        raise ExtractionError("not_html", f"{exc.reason}: {exc}") from None


def precheck(text: str) -> None:
    """Fast rejection of input that is clearly not an HTML page."""
    if not text or not text.strip():
        raise ExtractionError("empty", "no characters")
    if len(text) > MAX_HTML_CHARS:
        raise ExtractionError("too_large", f"{len(text)} characters > {MAX_HTML_CHARS}")
    head = text[:SNIFF_CHARS]
    if "\x00" in head:
        raise ExtractionError("not_html", "NUL characters")
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "[") and "<" not in stripped[:2048]:
        raise ExtractionError("not_html", "looks like JSON")
    if stripped.startswith("%PDF"):
        raise ExtractionError("not_html", "looks like PDF")
    for m in _TAG_RE.finditer(head):
        name = m.group(1).lower()
        if name in _HTML_TAGS or name.startswith("!doctype"):
            return
    raise ExtractionError("not_html", "no HTML tag in the first 64 KiB")


def parse_page(text: str):
    """The page tree, and whether the parser hit its nesting limit (content below it is lost)."""
    import lxml.etree
    import lxml.html

    text = _XML_DECL_RE.sub("", text, count=1)
    # Parsing bytes with a fixed encoding avoids lxml's "unicode with encoding declaration" error.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
        remove_blank_text=False, default_doctype=False, collect_ids=False,
    )
    # lxml.html's own element lookup is a Python method called for every element proxy that any step
    # (ours or trafilatura's, on this tree or its copies) creates; every element is an HtmlElement anyway
    parser.set_element_class_lookup(_html_lookup())
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError, UnicodeError) as exc:
        raise ExtractionError("parse_error", str(exc)[:200] or type(exc).__name__) from None
    if tree is None:
        raise ExtractionError("parse_error", "no document element")
    # libxml2 stops building the tree below depth 256 (without XML_PARSE_HUGE) and says so in the log
    depth_limited = any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message for e in parser.error_log)
    # counted and searched by libxml2's XPath engine: no Python object per element
    if _COUNT_ELEMENTS(tree) > MAX_TREE_ELEMENTS:
        raise ExtractionError("too_large", f"more than {MAX_TREE_ELEMENTS} elements")
    # giant attribute values make the extractors' class/id regexes crawl; none is meaningful
    for value in _LONG_ATTRIBUTES(tree):
        el, name = value.getparent(), value.attrname
        el.set(name, str(value)[:MAX_ATTRIBUTE_CHARS] if name in ("href", "src") else "")
    return tree, depth_limited


_LOOKUP = []


def _html_lookup():
    """The element classes of lxml.html (HtmlElement, HtmlComment, ...) chosen by libxml2's node type in C."""
    if not _LOOKUP:
        import lxml.etree
        import lxml.html

        _LOOKUP.append(lxml.etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction))
    return _LOOKUP[0]


def _xpath(expr: str):
    import lxml.etree

    return lxml.etree.XPath(expr)


class _LazyXPath:
    """An XPath compiled on first use (lxml is imported lazily, like everywhere in this package)."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.compiled = None

    def __call__(self, tree):
        if self.compiled is None:
            self.compiled = _xpath(self.expr)
        return self.compiled(tree)


_COUNT_ELEMENTS = _LazyXPath("count(//*)")
_LONG_ATTRIBUTES = _LazyXPath(f"//@*[string-length(.) > {MAX_ATTRIBUTE_CHARS}]")


def lazy_xpath(expr: str) -> _LazyXPath:
    """An XPath evaluated by libxml2 (compiled on first use)."""
    return _LazyXPath(expr)


class Caseless:
    """A case-insensitive pattern, searched fast on ASCII text (most class names and styles).

    Python's ``re.IGNORECASE`` gives up the literal-prefix scan: on a typical class
    attribute an alternation of words took ~8 us with it and ~0.5 us lower-cased
    without it.  ASCII text is lower-cased and searched with the pattern compiled
    without the flag (the same matches: ``pattern`` is written in lower case);
    other text keeps ``re.IGNORECASE`` (its Unicode case folding).  Only for yes/no
    tests: the matched text of the fast path is lower-cased."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if any(c.isupper() for c in re.sub(r"\\.", "", pattern)):
            raise ValueError("write the pattern in lower case")
        self.ascii = re.compile(pattern, flags)
        self.other = re.compile(pattern, flags | re.IGNORECASE)

    def search(self, text: str):
        return self.ascii.search(text.lower()) if text.isascii() else self.other.search(text)


def norm_space(text: str) -> str:
    """White space folded to single spaces, stripped."""
    return " ".join(text.split())


def remove_keep_tail(el) -> None:
    """Take ``el`` out of the tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def class_tokens(el) -> list[str]:
    """Lower-cased class and id tokens of an element."""
    return (el.get("class", "") + " " + el.get("id", "")).lower().split()


_ATTRIBUTED = _LazyXPath("//*[@class or @id or @style or @hidden]")


def attributed_elements(tree) -> list:
    """Elements with a class, id, style or hidden attribute, in document order: found once by libxml2
    and shared by the pre-pass steps that look at those attributes (no Python walk per step)."""
    return _ATTRIBUTED(tree)


def attached(el, root) -> bool:
    """``el`` is still in the tree under ``root`` (not inside a subtree an earlier step removed)."""
    top = el
    for top in el.iterancestors():
        pass
    return top is root
