"""Golden test on the sample article through the pure cleaning chain."""

from __future__ import annotations

from schemas import article_row
from tests.conftest import SAMPLE_ARTICLE
from tests.golden import check_sample_record
from transforms.clean import clean_text


def test_sample_article_golden(resources, detector):
    doc = clean_text(SAMPLE_ARTICLE.read_text(encoding="utf-8"), resources=resources, detector=detector)
    check_sample_record(article_row(doc))


def test_sample_article_is_clean_after_a_second_pass(resources, detector):
    """Cleaning the clean body again removes nothing (the stages are idempotent on it)."""
    first = clean_text(SAMPLE_ARTICLE.read_text(encoding="utf-8"), resources=resources, detector=detector)
    body = "\n\n".join(first.paragraphs)
    second = clean_text(body, title_hint=first.title, resources=resources, detector=detector)
    assert second.paragraphs == first.paragraphs
