"""One text key: the text stages compare headlines and captions with ``transforms.keys.text_key``."""

from __future__ import annotations

from transforms.document import Doc
from transforms.keys import text_key
from transforms.text.captions import extract_captions
from transforms.text.headline import dedup_headline
from transforms.text.normalize import normalize_doc


def _doc(text: str, **fields) -> Doc:
    return normalize_doc(Doc(id="t", source="t", file="t", raw=b"", input_format="text", text=text, **fields))


def test_headline_repeat_in_compatibility_characters_is_a_repeat():
    # Full-width letters and a ligature: the same headline for a reader, equal under NFKC (text_key), not
    # under case folding alone (the old headline key).
    title = "Ｔｏｋｙｏ oﬃce fire kills three"
    assert text_key(title) == text_key("Tokyo office fire kills three")
    doc = dedup_headline(_doc(f"{title}\n\nTokyo office fire kills three\n\nThe fire started at noon, officials said."))
    assert [(r.kind, r.text) for r in doc.removed] == [
        ("headline", title), ("duplicate_headline", "Tokyo office fire kills three")]
    assert doc.paragraphs == ["The fire started at noon, officials said."]


def test_caption_repeat_in_compatibility_characters_is_one_caption(resources):
    text = ("Story text that is long enough to be a paragraph of the article.\n\n"
            "Ｍａｙｏｒ opens the new bridge (AP Photo/Jane Doe)\nMayor opens the new bridge\n\n"
            "More story text that is long enough to be a paragraph of the article.")
    doc = extract_captions(_doc(text), resources.captions)
    assert [c.credit for c in doc.captions] == ["AP Photo/Jane Doe"]
    assert [r.kind for r in doc.removed] == ["caption", "duplicate_caption"]


def test_author_names_are_unique_by_text_key(resources):
    from transforms.text.credits import extract_credits

    doc = _doc("Story text long enough to be a paragraph of the article here.\n\nBY JANE DOE\n\nMore text.",
               authors=["Jane Doe"])
    doc = extract_credits(doc, resources.credits)
    assert doc.authors == ["Jane Doe"]
    assert [r.kind for r in doc.removed] == ["byline"]
