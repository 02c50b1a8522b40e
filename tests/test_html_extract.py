"""HTML mode: transforms.html.extract on small hand-written pages (no DEV data)."""

from __future__ import annotations

import time

import pytest

from transforms.document import Caption
from transforms.html.extract import ExtractionError, HtmlExtract, extract_html

BODY_1 = ("The city council voted on Tuesday to expand the harbour ferry service, adding three new routes "
          "that will connect the northern suburbs with the old town for the first time since 1987.")
BODY_2 = ("Councillor Maria Jensen said the decision followed two years of consultation with residents, "
          "who had complained about crowded buses and long journeys along the coast road every morning.")
BODY_3 = ("The first of the new boats is expected to enter service next spring, and the operator has promised "
          "to publish a full timetable at least two months before the launch of the extended network.")
BODY_4 = ("Critics argued that the money would be better spent on repairing the existing piers, several of which "
          "have been closed for safety reasons since the storms of last winter damaged their foundations.")


def page(article: str, *, head: str = "", before: str = "", after: str = "", lang: str = "en") -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">{head}</head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather and travel updates for the whole region</a></li></ul></nav></header>
{before}
<main><article>{article}</article></main>
{after}
<footer><p>Copyright 2024 Harbour Gazette Media Group. All rights reserved. Contact us at the newsroom.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul></footer>
</body></html>"""


META = """<title>Ferry service to expand to northern suburbs | Harbour Gazette</title>
<meta name="description" content="Three new routes will link the suburbs and the old town.">
<meta name="author" content="Anna Berg">
<meta property="og:site_name" content="Harbour Gazette">
<meta property="article:published_time" content="2024-03-05T09:30:00+01:00">
<link rel="canonical" href="https://gazette.example.org/news/ferry-service-expands">"""

ARTICLE = f"""<h1>Ferry service to expand to northern suburbs</h1>
<p>{BODY_1}</p>
<figure><img src="/img/ferry.jpg" alt="A ferry in the harbour">
<figcaption>The harbour ferry leaving the old town pier. <span class="credit">Photo: Lars Holm</span></figcaption></figure>
<p>{BODY_2}</p>
<h2>Timetable next year</h2>
<p>{BODY_3}</p>
<p>{BODY_4}</p>"""


@pytest.fixture(scope="module")
def news() -> HtmlExtract:
    return extract_html(page(ARTICLE, head=META), url="https://gazette.example.org/news/ferry-service-expands?utm=x")


def test_body_paragraphs_in_order(news):
    paragraphs = news.text.split("\n\n")
    assert paragraphs == [BODY_1, BODY_2, "Timetable next year", BODY_3, BODY_4]


def test_no_title_line_in_text(news):
    assert "Ferry service to expand" not in news.text


def test_navigation_and_footer_excluded(news):
    assert "Weather and travel" not in news.text
    assert "Privacy policy" not in news.text
    assert "All rights reserved" not in news.text


def test_metadata(news):
    assert news.title == "Ferry service to expand to northern suburbs"
    assert news.authors == ["Anna Berg"]
    assert news.published is not None and news.published.startswith("2024-03-05")
    assert news.sitename == "Harbour Gazette"
    assert news.url == "https://gazette.example.org/news/ferry-service-expands"
    assert news.description == "Three new routes will link the suburbs and the old town."
    assert news.metadata["extractor"] == "trafilatura"


def test_figcaption_becomes_caption_with_credit(news):
    assert news.captions == [Caption("The harbour ferry leaving the old town pier.", "Photo: Lars Holm")]
    assert "harbour ferry leaving" not in news.text
    assert "Lars Holm" not in news.text


def test_caption_credit_split_from_text():
    """A credit written into the caption text is split off by the shared caption stage."""
    from transforms.clean import clean_text

    article = f"""<p>{BODY_1}</p><figure><img src="a.jpg"><figcaption>Crowds on the pier at dawn (Photo: Jo Lee/Reuters)</figcaption></figure>
    <p>{BODY_2}</p><p>{BODY_3}</p>"""
    assert Caption("Crowds on the pier at dawn (Photo: Jo Lee/Reuters)", None) in extract_html(page(article)).captions
    assert Caption("Crowds on the pier at dawn", "Jo Lee/Reuters") in clean_text(page(article), html=True).captions


def test_url_falls_back_to_given_url():
    result = extract_html(page(f"<p>{BODY_1}</p><p>{BODY_2}</p><p>{BODY_3}</p>"), url="https://x.example.com/a")
    assert result.url == "https://x.example.com/a"


def test_related_link_teasers_dropped():
    article = f"""<p>{BODY_1}</p><p>{BODY_2}</p>
    <p><a href="/news/other-story">Harbour master retires after forty years</a></p>
    <ul><li><a href="/a">Storm damage closes two piers</a></li><li><a href="/b">New bridge opens in spring</a></li></ul>
    <p>{BODY_3}</p><p>{BODY_4}</p>"""
    result = extract_html(page(article))
    assert "Harbour master retires" not in result.text
    assert "Storm damage" not in result.text
    assert BODY_3 in result.text and BODY_4 in result.text


def test_hidden_elements_dropped():
    article = f"""<p>{BODY_1}</p><div style="display: none"><p>Hidden subscriber teaser text that nobody can see on screen at all.</p></div>
    <p>{BODY_2}</p><p hidden>Another invisible paragraph with enough words to look like content here.</p><p>{BODY_3}</p>"""
    result = extract_html(page(article))
    assert "Hidden subscriber" not in result.text
    assert "invisible paragraph" not in result.text
    assert BODY_2 in result.text


def test_hidden_by_class_and_screen_reader_labels_dropped():
    article = f"""<p>{BODY_1}</p><div class="email-form hide"><p>An error has occurred, please try again later.</p></div>
    <p>{BODY_2}</p><p class="print-only">This copy is for your personal, non-commercial use only.</p><p>{BODY_3}</p>
    <figure><img src="a.jpg"><figcaption><span class="visually-hidden">Image caption</span>Boats in the bay</figcaption></figure>"""
    result = extract_html(page(article))
    assert "error has occurred" not in result.text
    assert "personal, non-commercial" not in result.text
    assert [c.text for c in result.captions] == ["Boats in the bay"]


def test_content_hidden_until_script_runs_is_still_extracted():
    article = f'<div style="display:none" class="article-body"><p>{BODY_1}</p><p>{BODY_2}</p><p>{BODY_3}</p></div>'
    result = extract_html(page(article))
    assert BODY_1 in result.text and BODY_3 in result.text


def test_hover_card_inside_paragraph_dropped_but_name_kept():
    card = ('<span class="person"><a href="/people/jensen">Maria Jensen</a><span class="card">'
            '<a href="/people/jensen">Maria Jensen</a><a href="/a1">Jensen backs new bridge plan for the harbour</a> '
            '<a href="/a2">Council approves budget after long debate</a> <a href="/people/jensen">MORE</a></span></span>')
    article = f"<p>Councillor {card} said the ferry decision was overdue and welcome.</p><p>{BODY_1}</p><p>{BODY_2}</p>"
    text = extract_html(page(article)).text
    assert "Councillor Maria Jensen said the ferry decision was overdue and welcome." in text
    assert "bridge plan" not in text


def test_standfirst_dateline_and_bare_url_dropped():
    article = f"""<h1>Ferry service to expand</h1><h2>Three new routes will link the suburbs with the old town next year</h2>
    <p>Tuesday, 5 March 2024, 09:30</p><p>https://gazette.example.org/news/ferry-service-expands</p>
    <p>{BODY_1}</p><p>{BODY_2}</p><p>{BODY_3}</p>"""
    result = extract_html(page(article))
    assert result.text.split("\n\n") == [BODY_1, BODY_2, BODY_3]


def test_labelled_caption_is_not_a_credit():
    from transforms.clean import clean_text

    article = f"""<p>{BODY_1}</p><figure><img src="a.jpg"><figcaption>Image: The new ferry on its first test run across the
    bay last week</figcaption></figure><p>{BODY_2}</p><p>{BODY_3}</p>"""
    result = clean_text(page(article), html=True)
    assert result.captions == [Caption("The new ferry on its first test run across the bay last week", None)]


def test_list_items_and_table_rows_on_their_own_lines():
    article = f"""<p>{BODY_1}</p><p>{BODY_2}</p>
    <ul><li>North route via the island stops</li><li>East route along the coast road</li></ul>
    <table><tr><th>Route</th><th>Boats</th></tr><tr><td>North</td><td>3</td></tr></table><p>{BODY_3}</p>"""
    lines = extract_html(page(article)).text.splitlines()
    assert "North route via the island stops" in lines
    assert "East route along the coast road" in lines
    assert any("Route" in line and "Boats" in line for line in lines)
    assert any("North" in line and "3" in line for line in lines)


def test_embedded_tweet_kept():
    article = f"""<p>{BODY_1}</p><div class="embed-widget social-widget"><blockquote class="twitter-tweet">
    <p lang="en">Great news for everyone who commutes from the north, finally a ferry again!</p>&mdash; Commuter (@commuter)
    <a href="https://twitter.com/commuter/status/1">March 5, 2024</a></blockquote></div><p>{BODY_2}</p><p>{BODY_3}</p>"""
    result = extract_html(page(article))
    assert "finally a ferry again" in result.text


def test_non_english_page():
    paras = [
        "Le conseil municipal a voté mardi l'extension du service de bac du port, avec trois nouvelles lignes "
        "qui relieront les banlieues du nord à la vieille ville pour la première fois depuis 1987.",
        "La conseillère Marie Dupont a déclaré que la décision faisait suite à deux années de consultation avec "
        "les habitants, qui se plaignaient de bus bondés et de longs trajets le long de la route côtière.",
        "Le premier des nouveaux bateaux devrait entrer en service au printemps prochain, et l'exploitant a promis "
        "de publier un horaire complet au moins deux mois avant le lancement du réseau élargi.",
    ]
    head = "<title>Le bac du port s'agrandit</title><meta name=\"author\" content=\"Claire Martin\">"
    result = extract_html(page("".join(f"<p>{p}</p>" for p in paras), head=head, lang="fr").encode("utf-8"))
    assert result.text.split("\n\n") == paras
    assert result.title == "Le bac du port s'agrandit"
    assert result.authors == ["Claire Martin"]


def test_bytes_in_declared_legacy_encoding():
    html = page(f"<p>{BODY_1} Café crème.</p><p>{BODY_2}</p><p>{BODY_3}</p>",
                head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Caf\u00e9</title>')
    html = html.replace('<meta charset="utf-8">', "")
    result = extract_html(html.encode("cp1252"))
    assert "Café crème." in result.text
    assert result.title == "Café"


def test_deterministic():
    html = page(ARTICLE, head=META)
    assert extract_html(html) == extract_html(html)


@pytest.mark.parametrize("data, reason", [
    ("", "empty"),
    (b"", "empty"),
    ("   \n\t", "empty"),
    ("Just a plain text line.\nAnother line without any markup at all.\n" * 20, "not_html"),
    ('{"title": "json", "body": [1, 2, 3]}', "not_html"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 20, "not_html"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not_html"),
    ("<html><body>\x00\x00</body></html>", "not_html"),
])
def test_not_html_rejected(data, reason):
    with pytest.raises(ExtractionError) as info:
        extract_html(data)
    assert info.value.reason == reason


def test_page_without_content_rejected():
    with pytest.raises(ExtractionError) as info:
        extract_html("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>")
    assert info.value.reason == "no_main_content"


def test_error_is_value_error_with_reason_in_message():
    with pytest.raises(ValueError, match="^not_html"):
        extract_html("no markup here at all")


def _survives(html, limit_s=20.0):
    """Either a result or ExtractionError, quickly; anything else fails the test."""
    start = time.perf_counter()
    try:
        result = extract_html(html)
    except ExtractionError:
        result = None
    assert time.perf_counter() - start < limit_s
    return result


@pytest.mark.parametrize("opener, closer", [("<div>", "</div>"), ("<span>", ""), ("<table><tr><td>", ""), ("<ul><li>", "")])
def test_deeply_nested_document_does_not_crash(opener, closer):
    html = "<html><body>" + opener * 10_000 + f"<p>{BODY_1}</p>" + closer * 10_000 + "</body></html>"
    start = time.perf_counter()
    with pytest.raises(ExtractionError) as info:
        extract_html(html)
    assert info.value.reason == "too_deep"  # the only text sits below the parser's depth limit
    assert time.perf_counter() - start < 20


def test_content_above_deep_junk_is_kept_and_flagged():
    html = page(f"<p>{BODY_1}</p><p>{BODY_2}</p><p>{BODY_3}</p>", after="<div>" * 10_000 + "junk")
    result = extract_html(html)
    assert BODY_2 in result.text
    assert result.metadata.get("truncated") == "nesting_depth"


def test_entity_heavy_and_internal_entities():
    _survives("<html><body><p>" + "&amp;&#x41;&eacute;&nbsp;" * 200_000 + "</p></body></html>")
    laughs = ('<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    result = _survives(laughs + page(f"<p>{BODY_1}</p><p>&d;&d;&d;</p><p>{BODY_2}</p>"))
    assert result is None or "aaaaaaaaaaaaaaaaaaaa" not in result.text


def test_external_entity_not_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = f'<!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]>' + page(f"<p>{BODY_1}</p><p>&x;</p><p>{BODY_2}</p>")
    result = _survives(html)
    assert result is None or "TOP-SECRET" not in result.text


def test_huge_inputs_rejected_fast():
    with pytest.raises(ExtractionError) as info:
        extract_html("<html><body>" + "<p>word</p>" * 1_000_000 + "</body></html>")
    assert info.value.reason == "too_large"
    _survives("<html><body><div class='" + "x" * 3_000_000 + f"'><p>{BODY_1}</p><p>{BODY_2}</p></div></body></html>", limit_s=5)


def test_unusual_but_valid_inputs():
    assert extract_html('<?xml version="1.0" encoding="utf-8"?>' + page(f"<p>{BODY_1}</p><p>{BODY_2}</p>")).text
    assert extract_html(page(f"<p>{BODY_1}</p><p>\ud800 {BODY_2}</p>")).text
    with pytest.raises(ExtractionError):
        extract_html(12345)  # type: ignore[arg-type]


def test_module_has_no_beam_import():
    import transforms.html.extract as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "apache_beam" not in source
