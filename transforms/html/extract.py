"""HTML mode: main content and metadata of one raw HTML page (pure, no Beam import).

:func:`extract_html` parses the page once (``parse``), records the page's
text blocks for the audit (``audit.page_blocks``), cleans the tree
(``prepass``: hidden elements, microdata, explicit paragraphs; ``comments``:
reader comments out as data; ``captions``: figure captions out as data), reads
the metadata (``metadata.read_metadata``: trafilatura's reader, cheaper), lets
trafilatura (fast mode) choose the main content, turns
trafilatura's content tree into text blocks itself (``serialise``), cleans the
blocks (``blocks``) and adds sibling containers that continue the article
after an ad slot (``continuation``).  When that leaves (almost) no text, it
falls back to trafilatura's recall mode and then its baseline before giving
up (a few words of page furniture are no article).

Every failure becomes :class:`ExtractionError` whose message starts with a
short machine-readable reason (``empty``, ``not_html``, ``too_large``,
``parse_error``, ``too_deep``, ``no_main_content``, ``extractor_error``).

>>> page = extract_html("<html><head><title>Hello</title></head><body><article>"
...                     "<p>" + "A sentence of the story. " * 10 + "</p></article></body></html>")
>>> page.title, page.text[:24]
('Hello', 'A sentence of the story.')
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from transforms.document import Caption, Comment
from transforms.html import block_model as _block_model
from transforms.html import blocks as _blocks
from transforms.html import captions as _captions
from transforms.html import comments as _comments
from transforms.html import prepass as _prepass
from transforms.html.audit import page_blocks
from transforms.html.continuation import continuation_blocks
from transforms.html.metadata import authors_of, metadata_of, read_metadata
from transforms.html.parse import (
    MAX_HTML_CHARS,
    MAX_TREE_ELEMENTS,
    ExtractionError,
    attributed_elements,
    decode_page,
    norm_space,
    parse_page,
    precheck,
)
from transforms.html.serialise import Block, join_blocks, to_blocks
from transforms.keys import text_key

__all__ = ["ExtractionError", "HtmlExtract", "extract_html", "MAX_HTML_CHARS", "MAX_TREE_ELEMENTS"]

# below this size of body text (captions not counted) the extraction is retried
MIN_BODY_SIZE = 25  # words; for scripts without spaces, characters / 5
MIN_PROSE_SIZE = 10  # a fallback result needs one block this long: a menu is not an article


@dataclass(frozen=True)
class HtmlExtract:
    text: str  # main content; blocks separated by a blank line, list items / table rows one per line; no title line
    title: str | None
    authors: list[str]
    published: str | None  # ISO-8601 date or datetime string
    sitename: str | None
    url: str | None  # canonical URL from the page if any, else the one passed in
    description: str | None  # meta description
    captions: list[Caption]
    metadata: dict[str, str]
    subtitle: str | None = None  # the standfirst (dek), taken out of the text
    comments: list[Comment] = field(default_factory=list)  # reader comments, never in the text
    page_blocks: list[str] = field(default_factory=list)  # the page's visible text blocks, for the audit
    moved: list[str] = field(default_factory=list)  # page text that went to a field other than text/captions


@dataclass(frozen=True)
class _Options:
    """Extraction choices.  Each one is judged by leave-sites-out CV on DEV (bench/html_cv.py);
    docs/quality.md has the figures."""

    # trafilatura
    include_comments: bool = False
    include_tables: bool = True
    favor_precision: bool = False
    favor_recall: bool = False
    # trafilatura's fast mode: no comparison with readability / jusText after its own extraction.  On DEV that
    # comparison changed one page (by a teaser line) and cost ~3 ms of ~24 per page; our own fallback
    # (recall mode, then the baseline) still runs when the body is (nearly) empty.  Chosen by CV (docs/html.md).
    fast: bool = True
    # page tree, before extraction
    drop_hidden: bool = True  # hidden attribute, display:none / visibility:hidden style
    drop_hidden_classes: bool = True  # class hide / hidden / d-none / print-only ...
    drop_screen_reader_only: bool = True  # sr-only / visually-hidden labels
    unwrap_embeds: bool = True  # tweets: widget wrappers replaced by a plain <blockquote>
    drop_inline_widgets: bool = True  # link clusters inside a paragraph, e.g. hover cards
    drop_microdata: bool = True  # schema.org machine values (keywords, ISO times, URLs, lone names)
    explicit_paragraphs: bool = True  # loose text runs and <br><br>-separated text become <p>
    take_comments: bool = True  # reader comment sections -> comments
    drop_figcaptions: bool = True  # figcaptions go to captions only
    drop_caption_class: bool = True  # class *caption* elements go to captions only
    # blocks of the extracted content
    drop_title_blocks: bool = True  # leading blocks equal to the title
    standfirst_to_subtitle: bool = True  # the standfirst (dek) -> subtitle (kept in the text if it is a paragraph)
    drop_leading_heads: bool = True  # headings before the first paragraph: headline, kicker
    drop_trailing_heads: bool = True  # headings after the last paragraph ("Popular on X", "Related")
    drop_link_blocks: bool = True  # blocks that are (nearly) all link text: related-article teasers
    keep_links_in_prose_lists: bool = True  # ... except items of a list that also holds prose
    link_density: float = 0.9  # share of a block's characters inside links to count as a link block
    link_max_words: int = 25  # longer blocks are kept whatever their link density
    drop_datelines: bool = True  # short blocks that are only a date / time stamp
    drop_url_blocks: bool = True  # a bare URL or an unrendered [shortcode]...[/shortcode]
    drop_symbol_blocks: bool = True  # blocks without a letter or digit, e.g. zero-width spaces
    add_continuations: bool = True  # sibling containers continuing the article after an ad slot
    fallback: bool = True  # recall mode, then trafilatura's baseline, when the body is (nearly) empty


DEFAULT_OPTIONS = _Options()


def _trafilatura(tree, url: str | None, options: _Options, *, recall: bool = False, with_metadata: bool = True):
    import trafilatura

    return trafilatura.bare_extraction(
        tree,
        url=url,
        fast=options.fast,
        favor_precision=options.favor_precision and not recall,
        favor_recall=options.favor_recall or recall,
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        include_images=False,
        include_links=True,
        include_formatting=False,
        deduplicate=False,
        with_metadata=with_metadata,
        # "xml": the body tree and its plain text as trafilatura measured it (``raw_text``), without the
        # text rendering of the body that "python" adds (we serialise the tree ourselves)
        output_format="xml",
    )


def text_size(text: str) -> int:
    """Words, or characters / 5 for text written without spaces (Japanese, Chinese, Thai)."""
    return max(len(text.split()), len(text_key(text).replace(" ", "")) // 5)


def _body_words(blocks: list[Block], captions: list[_captions.Figure]) -> int:
    """Size of the body text that is not a caption."""
    cap_keys = {text_key(f.caption.text) for f in captions}
    return sum(text_size(b.text) for b in blocks if text_key(b.text) not in cap_keys)


def _short_body(blocks: list[Block], captions: list[_captions.Figure]) -> bool:
    """``_body_words(blocks, captions) < MIN_BODY_SIZE``, stopping at the first blocks that reach the size
    (a block's size is at least its word count; the comparison keys are made only when there are captions)."""
    cap_keys = {text_key(f.caption.text) for f in captions}
    words = 0
    for b in blocks:
        if cap_keys and text_key(b.text) in cap_keys:
            continue
        words += len(b.text.split())
        if words >= MIN_BODY_SIZE:
            return False
    return _body_words(blocks, captions) < MIN_BODY_SIZE


def _extract(html: str | bytes, url: str | None, options: _Options,
             block_model: _block_model.BlockModel | None = None) -> HtmlExtract:
    text = decode_page(html)
    precheck(text)
    try:
        tree, depth_limited = parse_page(text)
        audit_blocks = page_blocks(tree)  # before the pre-pass changes the tree: what a reader sees
        found_meta: dict[str, str] = {}
        attributed = attributed_elements(tree)  # one search, shared by the steps that read class/id/style
        if options.drop_hidden:
            _prepass.drop_hidden(tree, hidden_classes=options.drop_hidden_classes,
                                 screen_reader=options.drop_screen_reader_only, elements=attributed)
        comments: list[Comment] = []
        moved: list[str] = []
        if options.take_comments:
            comments, moved = _comments.take_comments(tree, attributed)
        if options.unwrap_embeds:
            _prepass.unwrap_embeds(tree)
        if options.drop_inline_widgets:
            _prepass.drop_inline_widgets(tree)
        if options.drop_microdata:
            found_meta = _prepass.drop_microdata(tree)
        standfirst = _blocks.find_standfirst(tree, elements=attributed) if options.standfirst_to_subtitle else None
        figures = _captions.collect_figures(tree, drop_figcaptions=options.drop_figcaptions,
                                            drop_caption_class=options.drop_caption_class, elements=attributed)
        if options.explicit_paragraphs:
            _prepass.paragraphs_from_blocks(tree)
        # the metadata first, by our cheaper copy of trafilatura's reader (metadata.py), from the same tree
        # that bare_extraction(with_metadata=True) would read it from; trafilatura then only extracts
        meta = _metadata(tree, url)
        doc = _with_body(meta, _trafilatura(tree, url or meta.url, options, with_metadata=False))
    except ExtractionError:
        raise
    except RecursionError:
        raise ExtractionError("too_deep", "recursion limit reached while extracting") from None
    except MemoryError:
        raise ExtractionError("too_large", "out of memory while extracting") from None
    except Exception as exc:  # the extractor's internals are not ours; any failure is a rejected page
        raise ExtractionError("extractor_error", f"{type(exc).__name__}: {str(exc)[:200]}") from None
    try:
        title = norm_space(doc.title) if doc is not None and doc.title else None
        description = norm_space(doc.description) if doc is not None and doc.description else None
        subtitle = None
        extractor = "trafilatura"
        blocks: list[Block] = []
        if doc is not None and doc.body is not None:
            blocks, subtitle = _blocks.clean_blocks(to_blocks(doc.body), title, options,
                                                    standfirst=standfirst, description=description)
            if options.add_continuations and blocks:
                blocks = blocks + continuation_blocks(tree, blocks)
            blocks = _block_model.filter_blocks(blocks, tree, title, block_model)
        if options.fallback and _short_body(blocks, figures):
            blocks, subtitle, extractor, doc = _fallback(tree, url, options, blocks, subtitle, figures, doc, meta,
                                                         title, standfirst, description)
            if _short_body(blocks, figures) and not _has_prose(blocks):
                # still a few words and not one sentence of some length: page furniture ("Home", a menu,
                # a login box that trafilatura's baseline rescue returns as plain text), not an article
                blocks, subtitle = [], None
        body_text = join_blocks(blocks)
        captions = _captions.captions_near(figures, [b.text for b in blocks])
    except RecursionError:
        raise ExtractionError("too_deep", "recursion limit reached while converting") from None
    if doc is None or not body_text.strip():
        if depth_limited:
            raise ExtractionError("too_deep", "nested deeper than the parser's limit (256); no content above it")
        if doc is None:
            raise ExtractionError("no_main_content", "the extractor found no main content")
        raise ExtractionError("no_main_content", "the main content has no text")
    metadata = metadata_of(doc, extractor)
    if depth_limited:
        metadata["truncated"] = "nesting_depth"
    if subtitle:
        moved.append(subtitle)
    return HtmlExtract(
        text=body_text,
        title=title or None,
        authors=authors_of(doc.author),
        # the microdata date was taken out of the tree before trafilatura read it: it comes first
        published=found_meta.get("published") or doc.date or None,
        sitename=norm_space(doc.sitename) if doc.sitename else None,
        url=doc.url or url,
        description=description,
        captions=captions,
        metadata=metadata,
        subtitle=subtitle,
        comments=comments,
        page_blocks=audit_blocks,
        moved=moved,
    )


def _has_prose(blocks: list[Block]) -> bool:
    """At least one block reads as text (a sentence of some length), not a menu."""
    return any(text_size(b.text) >= MIN_PROSE_SIZE for b in blocks)


def _metadata(tree, url: str | None):
    """The page's metadata; a page whose metadata cannot be read still gets its text extracted."""
    try:
        return read_metadata(tree, url)
    except (RecursionError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - trafilatura's metadata helpers are not ours
        from trafilatura.settings import Document

        return Document()


def _with_body(meta, found):
    """The page's metadata with the body trafilatura extracted; None when it extracted nothing."""
    if found is None:
        return None
    doc = copy.copy(meta)
    doc.body, doc.raw_text, doc.commentsbody = found.body, found.raw_text, found.commentsbody
    return doc


def _fallback(tree, url, options, blocks, subtitle, figures, doc, meta, title, standfirst, description):
    """Recall mode, then trafilatura's baseline: the first that gives more body text (with prose) wins."""
    best = (blocks, subtitle, "trafilatura", doc)
    best_words = _body_words(blocks, figures)
    try:
        recall = _with_body(meta, _trafilatura(tree, url or meta.url, options, recall=True, with_metadata=False))
    except Exception:  # noqa: BLE001 - a failing fallback leaves the first result
        recall = None
    if recall is not None and recall.body is not None:
        r_blocks, r_sub = _blocks.clean_blocks(to_blocks(recall.body), title, options,
                                               standfirst=standfirst, description=description)
        words = _body_words(r_blocks, figures)
        if words > best_words and _has_prose(r_blocks):
            best, best_words = (r_blocks, r_sub, "trafilatura-recall", doc or recall), words
    if best_words < MIN_BODY_SIZE:
        try:
            import trafilatura

            b_body, _b_text, _b_len = trafilatura.baseline(tree)
        except Exception:  # noqa: BLE001
            b_body = None
        if b_body is not None:
            b_blocks, b_sub = _blocks.clean_blocks(to_blocks(b_body), title, options,
                                                   standfirst=standfirst, description=description)
            words = _body_words(b_blocks, figures)
            if words > best_words and _has_prose(b_blocks):
                best = (b_blocks, b_sub, "trafilatura-baseline", doc or recall or meta)
    return best


def extract_html(html: str | bytes, *, url: str | None = None,
                 block_model: _block_model.BlockModel | None = None) -> HtmlExtract:
    """Main content and metadata of one HTML page; raises :class:`ExtractionError` on any failure.

    ``block_model`` (optional, see :mod:`transforms.html.block_model`) filters the extracted blocks."""
    return _extract(html, url, DEFAULT_OPTIONS, block_model)
