"""Per-site boilerplate learned from the corpus (transforms/corpus/site_lines.py, transforms/beam/corpus.py)."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.explain import main as explain_main
from tests.conftest import ROOT
from tests.fixtures.corpus import build
from transforms.beam.corpus import LearnSiteBoilerplate
from transforms.clean import clean_doc
from transforms.corpus.learn import corpus_docs, learn_corpus_side
from transforms.corpus.site_lines import (
    KIND,
    SiteSettings,
    doc_lines,
    learn_site_lines,
    line_hash,
    remove_site_boilerplate,
)
from transforms.document import Doc, Segment
from transforms.keys import text_key

NOTICE = "Corrections are printed on page two of every Saturday edition of this paper."
QUOTE = "\u201cWe will rebuild the bridge before winter,\u201d the mayor said on Tuesday."


def _doc(i: int, lines: list[str], domain: str = "ledger.example") -> Doc:
    return Doc(id=f"d{i:02d}", source=f"f.jsonl:{i}", file="f.jsonl", raw=b"", input_format="text",
               url=f"https://www.{domain}/story/{i}",
               segments=[Segment(text, n, n) for n, text in enumerate(lines)])


def _story(i: int) -> list[str]:
    return [f"Story {i} opens with its own first paragraph about topic number {i}.",
            f"The second paragraph of story {i} adds detail that no other story has."]


def _site(n: int, with_notice: int, with_quote: int = 0) -> list[Doc]:
    docs = []
    for i in range(n):
        lines = _story(i)
        if i < with_quote:
            lines.insert(1, QUOTE)
        if i < with_notice:
            lines.append(NOTICE)
        docs.append(_doc(i, lines))
    return docs


def _learn(docs: list[Doc], **kwargs):
    return learn_site_lines(((doc_lines(doc)[0], [s.text for s in doc.segments]) for doc in docs), **kwargs)


def _clean(docs: list[Doc]) -> list[Doc]:
    side = _learn(docs)
    return [remove_site_boilerplate(doc, site_lines=side) for doc in docs]


def test_site_wide_notice_is_removed_with_its_count():
    cleaned = _clean(_site(5, with_notice=5))
    for doc in cleaned:
        assert NOTICE not in doc.paragraphs  # without
        assert doc.paragraphs == _story(int(doc.id[1:]))  # with: the story itself
        [removed] = doc.removed
        assert (removed.kind, removed.text, removed.detail, removed.line) == (KIND, NOTICE, "5 of 5 documents", 2)
        assert doc.domain == "ledger.example"


def test_quote_repeated_in_two_articles_of_a_site_survives():
    cleaned = _clean(_site(6, with_notice=6, with_quote=2))
    assert [QUOTE in doc.paragraphs for doc in cleaned] == [True, True, False, False, False, False]
    assert all(r.text == NOTICE for doc in cleaned for r in doc.removed)


def test_threshold_needs_both_min_docs_and_min_fraction():
    # 3 of 20 documents (15%): repeated, but not site-wide
    assert _learn(_site(20, with_notice=3)) == {}
    # 6 of 20 (30%): site-wide
    [(key, n, total)] = _learn(_site(20, with_notice=6))["ledger.example"]
    assert (n, total) == (6, 20) and key == line_hash("corrections are printed on page two of every saturday edition of this paper")
    # 2 of 2 documents: 100%, but fewer than min_docs
    assert _learn(_site(2, with_notice=2)) == {}
    # the options move the threshold
    assert _learn(_site(20, with_notice=3), min_docs=3, min_fraction=0.1) != {}
    assert _learn(_site(5, with_notice=5), min_docs=6, min_fraction=0.3) == {}


def test_sites_are_counted_separately():
    docs = _site(3, with_notice=3) + [_doc(10 + i, _story(10 + i) + [NOTICE], "other.example") for i in range(2)]
    learned = _learn(docs)
    assert list(learned) == ["ledger.example"]  # 2 documents of other.example are not enough there
    cleaned = [remove_site_boilerplate(d, site_lines=learned) for d in docs]
    assert [NOTICE in d.paragraphs for d in cleaned] == [False, False, False, True, True]


def test_equal_bodies_count_once():
    # a site that published one story three times does not learn that the story is boilerplate
    same = [_doc(i, _story(0)) for i in range(3)] + [_doc(5 + i, _story(5 + i)) for i in range(2)]
    assert _learn(same) == {}


def test_without_corpus_counts_nothing_is_removed():
    doc = _site(1, with_notice=1)[0]
    assert remove_site_boilerplate(doc, site_lines={}).paragraphs == doc.paragraphs
    assert remove_site_boilerplate(doc, site_lines=None).domain == "ledger.example"


def test_settings_are_checked():
    with pytest.raises(ValueError, match="site_min_docs"):
        SiteSettings(min_docs=1)
    with pytest.raises(ValueError, match="site_min_fraction"):
        SiteSettings(min_fraction=0)


def test_beam_transform_learns_what_the_pure_function_learns():
    docs = (_site(6, with_notice=6, with_quote=2)
            + [_doc(20 + i, _story(20 + i) + [NOTICE], "small.example") for i in range(2)]
            + [_doc(30, _story(0))])  # an equal body of ledger story 0: counted once
    expected = [(domain, entry) for domain, entries in _learn(docs).items() for entry in entries]
    assert expected  # the notice on ledger.example
    with TestPipeline() as p:
        got = p | beam.Create(docs) | LearnSiteBoilerplate(SiteSettings())
        assert_that(got, equal_to(expected))


def test_explain_with_corpus_shows_site_boilerplate(capsys):
    corpus = str(ROOT / "tests" / "fixtures" / "corpus" / build.JSONL_NAME)
    assert explain_main(["--corpus", corpus, "--line", "2", "--only-removed", corpus]) == 0
    out = capsys.readouterr().out
    notice = build.SITES["ledger.example"][1]
    assert "site_boilerplate (5 of 5 documents)" in out and notice[:60] in out
    # without --corpus the same line is kept
    assert explain_main(["--line", "2", corpus]) == 0
    plain = capsys.readouterr().out
    assert "site_boilerplate" not in plain and notice[:60] in plain


def test_explain_corpus_counts_match_the_pipeline_input(resources, detector):
    corpus = ROOT / "tests" / "fixtures" / "corpus" / build.JSONL_NAME
    side = learn_corpus_side([str(corpus)], resources, detector)["site_lines"]
    assert sorted(side) == ["harbor.example", "ledger.example", "valley.example"]
    sizes = {"ledger.example": 5, "harbor.example": 4, "valley.example": 4}
    for domain, entries in side.items():
        # one line per site, in every document of it: its notice (the wire story is on 3 sites, once per site)
        [(key, n, total)] = entries
        assert n == total == sizes[domain]
        assert key == line_hash(text_key(build.SITES[domain][1]))
    doc = next(iter(corpus_docs([str(corpus)])))
    cleaned = clean_doc(doc, resources, detector, side={"site_lines": side})
    assert [r.kind for r in cleaned.removed].count(KIND) == 1
    assert build.SITES["ledger.example"][1] not in cleaned.paragraphs
