"""HTML mode: main content and metadata of one raw HTML page (pure, no Beam import).

:func:`extract_html` parses the page with lxml (no network, no external DTD
or entity loading, libxml2's default depth limit), lets trafilatura choose
the main content and read the metadata, then turns trafilatura's content tree
into plain text itself, so that headings, list items and table rows become
their own lines, images leave the text as :class:`Caption` records and a few
general clean-ups can run on whole blocks (see ``_Options``).

Every failure becomes :class:`ExtractionError` whose message starts with a
short machine-readable reason (``empty``, ``not_html``, ``too_large``,
``parse_error``, ``too_deep``, ``no_main_content``, ``extractor_error``).

>>> page = extract_html("<html><head><title>Hello</title></head><body><article>"
...                     "<p>" + "A sentence of the story. " * 10 + "</p></article></body></html>")
>>> page.title, page.text[:24]
('Hello', 'A sentence of the story.')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from transforms.document import Caption

__all__ = ["ExtractionError", "HtmlExtract", "extract_html"]

MAX_HTML_CHARS = 8_000_000  # larger pages are rejected, not cut (a cut page has no end of article)
MAX_TREE_ELEMENTS = 50_000  # more elements: rejected before extraction (its cost grows faster than linearly)
MAX_ATTRIBUTE_CHARS = 2_000
SNIFF_CHARS = 65_536
MAX_FIGURES = 200  # figures (and caption-class elements) examined for captions


class ExtractionError(ValueError):
    """The page could not be turned into an article; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class HtmlExtract:
    text: str  # main content; blocks separated by a blank line, list items / table rows one per line; no title line
    title: str | None
    authors: list[str]
    published: str | None  # ISO-8601 date or datetime string
    sitename: str | None
    url: str | None  # canonical URL from the page if any, else the one passed in
    description: str | None  # meta description (candidate subtitle)
    captions: list[Caption]
    metadata: dict[str, str]


@dataclass(frozen=True)
class _Options:
    """Extraction choices.  The defaults are the measured choice; the DEV sh4 F1 change when each
    one is switched off (from 0.9769, 74 pages) is noted after it."""

    # trafilatura
    include_comments: bool = False  # on: -0.0002
    include_tables: bool = True  # off: -0.0094
    favor_precision: bool = False  # on: -0.0005 (one page loses two thirds of its text)
    favor_recall: bool = False  # on: -0.0015
    fast: bool = False  # on: -0.0001 (the fallback extractors are kept for robustness)
    # page tree, before extraction
    drop_hidden: bool = True  # hidden attribute, display:none / visibility:hidden style
    drop_hidden_classes: bool = True  # class hide / hidden / d-none / print-only ... (with drop_hidden: -0.0016)
    drop_screen_reader_only: bool = True  # sr-only / visually-hidden labels (0.0000; cleaner captions)
    unwrap_embeds: bool = True  # tweets: widget wrappers replaced by a plain <blockquote> (-0.0017)
    drop_inline_widgets: bool = True  # link clusters inside a paragraph, e.g. hover cards (-0.0029)
    drop_figcaptions: bool = True  # figcaptions go to captions only (0.0000)
    drop_caption_class: bool = True  # class *caption* elements go to captions only (0.0000)
    # blocks of the extracted content
    drop_title_blocks: bool = True  # leading blocks equal to the title (0.0000 once drop_leading_heads is on)
    drop_leading_heads: bool = True  # headings before the first paragraph: headline, kicker, standfirst (-0.0015)
    drop_link_blocks: bool = True  # blocks that are (nearly) all link text: related-article teasers (-0.0086)
    link_density: float = 0.9  # share of a block's characters inside links to count as a link block
    link_max_words: int = 25  # longer blocks are kept whatever their link density
    drop_datelines: bool = True  # short blocks that are only a date / time stamp (-0.0008)
    drop_url_blocks: bool = True  # a bare URL or an unrendered [shortcode]...[/shortcode] (-0.0005)
    drop_symbol_blocks: bool = True  # blocks without a letter or digit, e.g. zero-width spaces (0.0000)


DEFAULT_OPTIONS = _Options()

# --------------------------------------------------------------------------- input checks

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


def _decode(html: str | bytes) -> str:
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


def _precheck(text: str) -> None:
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


# --------------------------------------------------------------------------- parsing


def _parse(text: str):
    """The page tree, and whether the parser hit its nesting limit (content below it is lost)."""
    import lxml.etree
    import lxml.html

    text = _XML_DECL_RE.sub("", text, count=1)
    # Parsing bytes with a fixed encoding avoids lxml's "unicode with encoding declaration" error.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
        remove_blank_text=False, default_doctype=False,
    )
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError, UnicodeError) as exc:
        raise ExtractionError("parse_error", str(exc)[:200] or type(exc).__name__) from None
    if tree is None:
        raise ExtractionError("parse_error", "no document element")
    # libxml2 stops building the tree below depth 256 (without XML_PARSE_HUGE) and says so in the log
    depth_limited = any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message for e in parser.error_log)
    count = 0
    for el in tree.iter():
        count += 1
        if count > MAX_TREE_ELEMENTS:
            raise ExtractionError("too_large", f"more than {MAX_TREE_ELEMENTS} elements")
        # giant attribute values make the extractors' class/id regexes crawl; none is meaningful
        for name, value in el.attrib.items():
            if len(value) > MAX_ATTRIBUTE_CHARS:
                el.set(name, value[:MAX_ATTRIBUTE_CHARS] if name in ("href", "src") else "")
    return tree, depth_limited


# --------------------------------------------------------------------------- pre-pass on the page tree

_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDDEN_CLASSES = frozenset(
    "hide hidden is-hidden d-none invisible print-only visible-print show-for-print print-header print-footer".split()
)
_SR_ONLY_RE = re.compile(
    r"(?:^|\s)(?:sr-only|visually-?hidden|screen-?reader-(?:only|text)|off-?screen|a11y-hidden|element-invisible"
    r"|u-hidden-visually)(?:$|\s)",
    re.IGNORECASE,
)
_CREDIT_CLASS_RE = re.compile(r"credit|copyright|source|byline|author|photographer", re.IGNORECASE)


def _norm_space(text: str) -> str:
    return " ".join(text.split())


def _remove_keep_tail(el) -> None:
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


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li ol "
    "p pre section table td th tr ul".split()
)


def _text_with_tails(el) -> str:
    out: list[str] = []

    def walk(node):
        block = isinstance(node.tag, str) and node.tag in _BLOCK_TAGS
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


def _caption_of(figcaption) -> tuple[str, str | None]:
    """Text and credit of a figcaption; the credit from a credit-like child element (else None)."""
    credit_parts = []
    for el in figcaption.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        if _CREDIT_CLASS_RE.search(el.get("class", "") + " " + el.get("itemprop", "")):
            part = _norm_space(_text_with_tails(el))
            if part and not any(part in other for other in credit_parts):
                credit_parts.append(part)
    full = _norm_space(_text_with_tails(figcaption))
    if credit_parts:
        text = full
        for part in credit_parts:
            text = text.replace(part, " ")
        text = _norm_space(text)
        if _key(text):
            return text, _norm_space(" ".join(credit_parts))
    # A credit written into the text is split off by the shared caption stage
    # (transforms.text.captions.tidy_caption), like every other caption.
    return full, None


_CAPTION_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:wp-)?caption(?:-text)?(?:$|\s)|(?:image|img|photo|picture|media|figure)[_-]?caption",
    re.IGNORECASE,
)


@dataclass
class _Figure:
    anchor: object  # element of the page tree the caption belongs to (for the main-content test)
    caption: Caption


def _prepass(tree, options: _Options) -> list[_Figure]:
    """Hidden elements out; figure captions recorded and taken out of the text.

    Returns the captions with their place in the page; :func:`_captions_in` keeps
    those that sit next to the extracted main content.
    """
    if options.drop_hidden:
        _drop_hidden(tree, options)
    if options.unwrap_embeds:
        _unwrap_embeds(tree)
    if options.drop_inline_widgets:
        _drop_inline_widgets(tree)
    figures: list[_Figure] = []
    for fig in list(tree.iter("figure"))[:MAX_FIGURES]:
        caps = list(fig.iter("figcaption"))
        if caps:
            text, credit = _caption_of(caps[0])
        else:
            text, credit = "", None
            for img in fig.iter("img"):
                alt = img.get("alt") or img.get("title") or ""
                if _useful_alt(alt):
                    text, credit = _norm_space(alt), None
                    break
        if text or credit:
            figures.append(_Figure(fig, Caption(text, credit)))
        if options.drop_figcaptions:
            for cap in caps:
                _remove_keep_tail(cap)
    if options.drop_caption_class:
        labelled = [e for e in tree.iter() if isinstance(e.tag, str) and _CAPTION_CLASS_RE.search(e.get("class", ""))]
        for el in labelled[:MAX_FIGURES]:
            if not isinstance(el.tag, str) or el.tag in ("html", "body", "figure", "img"):
                continue
            if el.getparent() is None or not _CAPTION_CLASS_RE.search(el.get("class", "")):
                continue
            if len(el) > 10 or any(
                isinstance(c.tag, str) and c.tag in ("p", "div") and len(c.text_content()) > 400 for c in el
            ):
                continue  # a container, not a caption
            text, credit = _caption_of(el)
            if text or credit:
                figures.append(_Figure(el.getparent(), Caption(text, credit)))
            _remove_keep_tail(el)
    return figures


def _is_hidden(el, options: _Options) -> bool:
    if el.get("hidden") is not None or _HIDDEN_STYLE_RE.search(el.get("style", "")):
        return True
    cls = el.get("class", "")
    if not cls:
        return False
    if options.drop_screen_reader_only and _SR_ONLY_RE.search(cls):
        return True
    return options.drop_hidden_classes and not _HIDDEN_CLASSES.isdisjoint(cls.lower().split())


def _drop_hidden(tree, options: _Options) -> None:
    """Remove elements a browser would not show, unless that would remove most of the page's text
    (some pages hide their content until a script runs; extracting it is better than nothing)."""
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head"):
            continue
        if _is_hidden(el, options):
            doomed.append(el)
    if not doomed:
        return
    marked = set(doomed)
    outer = [el for el in doomed if not any(a in marked for a in el.iterancestors())]
    body = tree.find("body")
    total = len(_norm_space(body.text_content())) if body is not None else 0
    hidden = sum(len(_norm_space(el.text_content())) for el in outer)
    if total and hidden > 0.5 * total:
        return
    for el in outer:
        _remove_keep_tail(el)


def _drop_inline_widgets(tree) -> None:
    """Inside a paragraph, an inline element made of three or more links (a person's hover card with
    their latest headlines, an inline "more on this" box) is not part of the sentence."""
    doomed = []
    for p in tree.iter("p"):
        for el in p.iterdescendants("span", "div", "aside", "ul"):
            links = [a for a in el.iter("a")]
            if len(links) < 3:
                continue
            text = _norm_space(el.text_content())
            link_text = sum(len(_norm_space(a.text_content())) for a in links)
            if len(text) >= 40 and link_text >= 0.8 * len(text):
                doomed.append(el)
    # only the innermost such element: a hover card's trigger link (the name in the sentence) stays
    marked = set(doomed)
    for el in doomed:
        if any(d in marked for d in el.iterdescendants()):
            continue
        if el.getparent() is not None:
            _remove_keep_tail(el)


def _unwrap_embeds(tree) -> None:
    """Embedded social posts (Twitter's blockquote markup) are article content: strip their widget wrappers."""
    for bq in list(tree.iter("blockquote")):
        cls = bq.get("class", "")
        if "twitter-tweet" not in cls and "twitter-video" not in cls:
            continue
        text = _norm_space(bq.text_content())
        if not text:
            continue
        top = bq
        parent = top.getparent()
        while (parent is not None and parent.tag not in ("body", "article", "main", "p")
               and _norm_space(parent.text_content()) == text):
            top, parent = parent, parent.getparent()
        for attr in list(bq.attrib):
            del bq.attrib[attr]
        if top is not bq and parent is not None:
            bq.tail = top.tail
            parent.replace(top, bq)


def _captions_in(figures: list[_Figure], blocks: list["_Block"]) -> list[Caption]:
    """Captions whose figure is next to a paragraph of the extracted content."""
    if not figures:
        return []
    body_all = " " + " ".join(_key(b.text) for b in blocks) + " "
    out: list[Caption] = []
    seen = set()
    for fig in figures:
        if not _near_content(fig.anchor, body_all):
            continue
        key = (_key(fig.caption.text), _key(fig.caption.credit or ""))
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
            key = _key(sib.text_content()[:2000])
            if len(key) >= 25 and (" " + key[:80] in body_all or key[-80:] + " " in body_all):
                return True
        node = node.getparent()
    return False


# --------------------------------------------------------------------------- trafilatura tree -> blocks


@dataclass
class _Block:
    kind: str  # p, head, item, row, quote, code
    text: str
    link_chars: int = 0
    group: int = 0  # blocks of one list / table / quote share a group and are joined by one newline


def _line_text(el, skip=("graphic",)) -> tuple[str, int]:
    """Text of an inline-content element with <lb> as newlines; also the number of characters inside links."""
    parts: list[str] = []
    link = 0

    def walk(node, in_ref):
        nonlocal link
        if node.text:
            parts.append(node.text)
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
                is_block = child.tag in ("p", "head", "item", "row", "quote", "code")
                if is_block:
                    parts.append("\n")
                walk(child, in_ref or child.tag == "ref")
                if is_block or child.tag == "cell":
                    parts.append(" " if child.tag == "cell" else "\n")
            if child.tail:
                parts.append(child.tail)
                if in_ref:
                    link += len(child.tail.strip())

    walk(el, el.tag == "ref")
    lines = [_norm_space(line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line), link


_FILENAME_RE = re.compile(
    r"^\S+\.(?:jpe?g|png|gif|webp|svg|bmp)$|^https?://|^(?:image|photo|img|picture|thumbnail|logo)\W*\d*$",
    re.IGNORECASE,
)


def _useful_alt(alt: str) -> bool:
    alt = _norm_space(alt)
    return len(alt.split()) >= 2 and not _FILENAME_RE.search(alt)


def _blocks(body) -> list[_Block]:
    out: list[_Block] = []
    group = 0

    def add(kind, el, grp):
        text, link = _line_text(el)
        if text:
            out.append(_Block(kind, text, link, grp))

    def visit(el):
        nonlocal group
        tag = el.tag
        if not isinstance(tag, str) or tag == "graphic":
            return
        group += 1
        if tag == "list":
            for item in el.iter("item"):
                # the item's own text, nested lists as their own items
                text, link = _line_text(item, skip=("graphic", "list"))
                if text:
                    out.append(_Block("item", text, link, group))
        elif tag == "table":
            for row in el.iterchildren("row"):
                cells = []
                link = 0
                for cell in row.iterchildren("cell"):
                    cell_text, cell_link = _line_text(cell)
                    if cell_text:
                        cells.append(cell_text.replace("\n", " "))
                        link += cell_link
                if cells:
                    out.append(_Block("row", " | ".join(cells), link, group))
        elif tag in ("quote", "div", "note") and any(
            isinstance(c.tag, str) and c.tag in ("p", "list", "table", "head", "quote") for c in el
        ):
            if el.text and el.text.strip():
                out.append(_Block("quote", _norm_space(el.text), 0, group))
            for child in el:
                visit(child)
                if child.tail and child.tail.strip():
                    out.append(_Block("quote", _norm_space(child.tail), 0, group))
        else:
            kind = tag if tag in ("p", "head", "quote", "code") else "p"
            add(kind, el, group)

    if body.text and body.text.strip():
        out.append(_Block("p", _norm_space(body.text)))
    for child in body:
        visit(child)
        if child.tail and child.tail.strip():
            group += 1
            out.append(_Block("p", _norm_space(child.tail), 0, group))
    return out


# --------------------------------------------------------------------------- block clean-ups


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def _title_keys(title: str | None) -> set[str]:
    if not title:
        return set()
    keys = {_key(title)}
    for sep in (" | ", " - ", " – ", " — ", " :: ", " « ", " » "):
        if sep in title:
            # "Headline | Section | Site": the first part, and everything before the last separator
            keys.update({_key(title.split(sep, 1)[0]), _key(title.rsplit(sep, 1)[0])})
    return {k for k in keys if k}


def _clean_blocks(blocks: list[_Block], title: str | None, options: _Options) -> list[_Block]:
    if options.drop_title_blocks and title:
        keys = _title_keys(title)
        # the title may open the content (h1 inside the article); later repeats are rare and kept
        i = 0
        while i < len(blocks) and i < 3:
            if _key(blocks[i].text) in keys:
                del blocks[i]
                continue
            i += 1
    if options.drop_link_blocks:
        blocks = [b for b in blocks if not _is_link_block(b, options)]
    if options.drop_datelines:
        blocks = [b for b in blocks if b.kind in ("row", "item") or not _is_dateline(b.text)]
    if options.drop_symbol_blocks:
        blocks = [b for b in blocks if _key(b.text)]
    if options.drop_url_blocks:
        blocks = [b for b in blocks if not _URL_ONLY_RE.match(b.text)]
    if options.drop_leading_heads:
        while blocks and blocks[0].kind == "head":
            del blocks[0]
    return blocks


_URL_ONLY_RE = re.compile(r"^\s*(?:(?:https?://|www\.)\S+|\[(\w+)\b[^\]]*\].*\[/\1\])\s*$", re.IGNORECASE | re.DOTALL)


def _is_link_block(b: _Block, options: _Options) -> bool:
    chars = len(b.text.replace(" ", "").replace("\n", ""))
    return (chars > 0 and b.link_chars >= options.link_density * chars
            and len(b.text.split()) <= options.link_max_words)


_TIME_RE = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b(?:19|20)\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")


def _is_dateline(text: str) -> bool:
    tokens = re.findall(r"\w+", text)
    if not tokens or len(tokens) > 10 or not _TIME_RE.search(text):
        return False
    if "@" in text or text.lstrip().startswith(("—", "–", "-")):
        return False  # "— Name (@handle) November 18, 2019" closes an embedded tweet
    digits = sum(1 for t in tokens if t.isdigit())
    return digits >= 2 and digits >= len(tokens) / 3


def _join(blocks: list[_Block]) -> str:
    parts: list[str] = []
    prev_group = None
    for b in blocks:
        if parts:
            same = prev_group is not None and b.group == prev_group and b.kind in ("item", "row")
            parts.append("\n" if same else "\n\n")
        parts.append(b.text)
        prev_group = b.group
    return "".join(parts)


# --------------------------------------------------------------------------- metadata


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    out = []
    for part in re.split(r"\s*;\s*", value):
        part = _norm_space(part)
        if part and part not in out:
            out.append(part)
    return out


def _metadata(doc) -> dict[str, str]:
    meta = {"extractor": "trafilatura"}
    for name in ("sitename", "hostname", "image", "pagetype", "license", "language"):
        value = getattr(doc, name, None)
        if value:
            meta[name] = str(value)
    for name in ("categories", "tags"):
        value = getattr(doc, name, None)
        if value:
            meta[name] = ", ".join(str(v) for v in value if v)
    return meta


# --------------------------------------------------------------------------- main entry


def _extract(html: str | bytes, url: str | None, options: _Options) -> HtmlExtract:
    text = _decode(html)
    _precheck(text)
    try:
        tree, depth_limited = _parse(text)
        figures = _prepass(tree, options)
        import trafilatura

        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            fast=options.fast,
            favor_precision=options.favor_precision,
            favor_recall=options.favor_recall,
            include_comments=options.include_comments,
            include_tables=options.include_tables,
            include_images=False,
            include_links=True,
            include_formatting=False,
            deduplicate=False,
            with_metadata=True,
            output_format="python",
        )
    except ExtractionError:
        raise
    except RecursionError:
        raise ExtractionError("too_deep", "recursion limit reached while extracting") from None
    except MemoryError:
        raise ExtractionError("too_large", "out of memory while extracting") from None
    except Exception as exc:  # the extractor's internals are not ours; any failure is a rejected page
        raise ExtractionError("extractor_error", f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if doc is None or doc.body is None:
        if depth_limited:
            raise ExtractionError("too_deep", "nested deeper than the parser's limit (256); no content above it")
        raise ExtractionError("no_main_content", "the extractor found no main content")
    try:
        title = _norm_space(doc.title) if doc.title else None
        blocks = _clean_blocks(_blocks(doc.body), title, options)
        body_text = _join(blocks)
        captions = _captions_in(figures, blocks)
    except RecursionError:
        raise ExtractionError("too_deep", "recursion limit reached while converting") from None
    if not body_text.strip():
        if depth_limited:
            raise ExtractionError("too_deep", "nested deeper than the parser's limit (256); no content above it")
        raise ExtractionError("no_main_content", "the main content has no text")
    metadata = _metadata(doc)
    if depth_limited:
        metadata["truncated"] = "nesting_depth"
    return HtmlExtract(
        text=body_text,
        title=title or None,
        authors=_authors(doc.author),
        published=doc.date or None,
        sitename=_norm_space(doc.sitename) if doc.sitename else None,
        url=doc.url or url,
        description=_norm_space(doc.description) if doc.description else None,
        captions=captions,
        metadata=metadata,
    )


def extract_html(html: str | bytes, *, url: str | None = None) -> HtmlExtract:
    """Main content and metadata of one HTML page; raises :class:`ExtractionError` on any failure."""
    return _extract(html, url, DEFAULT_OPTIONS)
