"""The golden expectations for the sample article, shared by the pure and the end-to-end tests."""

from __future__ import annotations

TITLE = "US says it ‘takes steps’ to ensure Iran talks secure"
SUBTITLE = (
    "American officials refuse to say whether they believe Israeli spyware compromised recent nuclear deliberations"
)
CAPTIONS = [
    {"text": "US State Department spokesman Jeff Rathke", "credit": "YouTube screen capture"},
    {"text": "Deputy Minister Eli Ben Dahan", "credit": "Flash90"},
]
CONTRIBUTORS = ["JTA", "AP", "David Shamah"]
PARAGRAPH_STARTS = [
    "The US said Wednesday night it “takes steps”",
    "“We take steps, certainly,",
    "“We are always mindful of the need",
    "Grilled on whether the US believed",
    "“These are claims by a private company",
    "The Wall Street Journal reported Wednesday",
    "According to WSJ, Kaspersky checked",
    "Israel, the Wall Street Journal report said,",
    "The Wall Street Journal reported in March",
    "Kaspersky did not identify Israel by name",
    "“The people behind Duqu",
    "Israeli officials declined to comment on the report.",
    "US intelligence agencies view Duqu infections",
    "Israel’s Deputy Defense Minister Eli Ben Dahan denied",
    "In an interview with Israel Radio",
    "Shortly afterwards however, Ben Dahan conceded",
    "The spying allegations coincide",
    "The Jewish state has aggressively lobbied",
]
APPEAL_PIECES = ["Join us!", "A message from the Editor", "David Horovitz", "paywall", "Become a member", "read more:"]


def check_sample_record(record: dict) -> None:
    """Assert every golden expectation on one article record (a dict with the schema's fields)."""
    assert record["title"] == TITLE
    assert record["subtitle"] == SUBTITLE
    assert [dict(c) for c in record["captions"]] == CAPTIONS
    paragraphs = record["paragraphs"]
    assert len(paragraphs) == 18
    for paragraph, start in zip(paragraphs, PARAGRAPH_STARTS):
        assert paragraph.startswith(start), (paragraph[:60], start)
    assert paragraphs[10].startswith("“The people behind Duqu")
    assert not paragraphs[10].startswith("““")
    assert record["body"] == "\n\n".join(paragraphs)
    assert record["contributors"] == CONTRIBUTORS
    assert record["language"] == "en"
    visible = "\n".join([record["title"], record["subtitle"], record["body"]] + [c["text"] for c in record["captions"]])
    assert visible.count(TITLE) == 1
    removed = [(r["kind"], r["text"]) for r in record["removed"]]
    appeal_texts = "\n".join(text for kind, text in removed if kind == "editorial_appeal")
    for piece in APPEAL_PIECES:
        assert piece not in visible, piece
        assert piece in appeal_texts, piece
    assert ("duplicate_headline", TITLE) in removed
    for caption in CAPTIONS:
        dupes = [text for kind, text in removed if kind == "duplicate_caption" and text.startswith(caption["text"])]
        assert len(dupes) == 1, caption
    assert ("credit_line", "JTA, AP and David Shamah contributed to this report.") in removed
