"""HTML mode, issue 11: the dateparser gate in front of htmldate (transforms/html/dates.py) changes no date.

The gate skips dateparser for a string whose four-digit numbers are all outside
the accepted years (and that has no longer digit run).  That is only right if
dateparser's answer for such a string is always ``None`` or out of range; these
tests check it on hand-made strings and on generated ones in several languages,
and check that the gate is off outside ``gated`` (other htmldate callers keep
htmldate's behaviour).  Speed is measured by ``python -m bench.html_speed --cold``.
"""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from transforms.html import dates
from transforms.html.extract import extract_html

MIN_YEAR, MAX_YEAR = 1995, datetime.now().year


def _dateparser(string: str):
    from htmldate.extractors import get_external_parser

    return get_external_parser().get_date_data(string)["date_obj"]


def _in_range(found) -> bool:
    return found is not None and MIN_YEAR <= found.year <= MAX_YEAR


@pytest.mark.parametrize("string, skipped", [
    ("November 11, 9614 - 90:22", True),
    ("Posted: Fri 7:52 PM, Feb 55, 8333", True),
    ("- November 82, 1920, 7:30", True),  # 1920 is before htmldate's earliest date
    ("20 November 3019", True),
    ("November 20 15:23 2019", False),  # a year in range: dateparser is asked
    ("Nov 20, 19", False),  # no four-digit number: a two-digit year is possible
    ("Nov 20, 2019 1234", False),  # one of the four-digit numbers is in range
    ("20191120 9999", False),  # a longer digit run may be a whole date
    ("２０１９年11月20日", False),  # full-width digits: dateparser normalises them (NFKD)
    ("٢٠١٩ نوفمبر 20", False),  # Arabic-Indic digits are digits too
    ("٩٦١٤ نوفمبر 20", True),
    ("", False),
])
def test_no_year_in_range(string, skipped):
    assert dates.no_year_in_range(string, MIN_YEAR, MAX_YEAR) is skipped


HAND_MADE = [
    "Nov 20, 19 - 1234", "November 20, 19 1234", "1234 November 20, 19", "Nov 20 19 2359", "2359 Nov 20 19",
    "20 Nov 19 0830", "0830 20 Nov 19", "November 20 1530 19", "November 11, 9614 - 90:22", "20 November 3019",
    "November 20, 1234, 19", "20.11.19 1234 Nov", "Nov 5 1999 0012", "Nov 20 0019", "Nov 20, 0019",
    "20 de novembro de 19 1234", "Monday 20 November 19 2359", "Nov 20 '19 - 1234", "1530 GMT Nov 20 19",
    "20 ноября 19 1234", "2019年11月20日 3333", "3333年11月20日", "11/20/19 1234", "1234 11/20/19",
    "Nov 20 19 12:34 1234", "Associated Press November 70, 7287, 5:39 AM", "Updated: Sat 0:90 PM, Feb 41, 3922",
]

_MONTHS = ["November", "Nov", "März", "décembre", "novembro", "ноября", "marzo", "januari", "Oktober", "mayo"]
_SHAPES = ["{m} {d}, {y}", "{d} {m} {y}", "{d} de {m} de {y}", "{m} {d} {h}:{mi} {y}", "{w} {d} {m} {y} {h}:{mi}",
           "{d}. {m} {y}, {h}:{mi} Uhr", "{y}年{mo}月{d}日 {h}:{mi}", "{m} {d}, {y} - {h}:{mi}", "{d} {m} {s} {y}",
           "{m} {y} {d}", "{y} {m} {d}", "{d}/{mo}/{s} {y}"]


def _generated(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        year = rng.choice([rng.randrange(1000, 1995), rng.randrange(MAX_YEAR + 1, 10000)])
        string = rng.choice(_SHAPES).format(
            m=rng.choice(_MONTHS), d=rng.randrange(1, 40), y=year, h=rng.randrange(0, 30), mi=f"{rng.randrange(60):02d}",
            mo=rng.randrange(1, 13), s=rng.randrange(0, 100), w=rng.choice(["Monday", "Mon", "lundi", "Freitag"]))
        if dates.no_year_in_range(string, MIN_YEAR, MAX_YEAR):
            out.append(string)
    return out


@pytest.mark.parametrize("string", HAND_MADE + _generated(120))
def test_skipped_strings_get_no_date_in_range_from_dateparser(string):
    if dates.no_year_in_range(string, MIN_YEAR, MAX_YEAR):
        assert not _in_range(_dateparser(string)), "the gate would hide a date dateparser finds in range"


def test_this_htmldate_has_the_call_the_gate_wraps():
    # if a new htmldate renames it, the gate is off (same dates, the old speed): this test says so
    assert dates._install()
    assert dates.year_range() == (MIN_YEAR, MAX_YEAR)  # htmldate's defaults, as trafilatura calls find_date
    assert dates.year_range("2001-02-03", "2010-01-01") == (2001, 2010)


def test_gate_is_off_outside_gated():
    import htmldate.extractors as extractors

    with dates.gated():
        assert extractors._external_date("20 November 3019") is None  # skipped
        assert extractors._external_date("20 November 2019") == datetime(2019, 11, 20)  # asked
    found = extractors._external_date("20 November 3019")  # another caller of htmldate: dateparser as before
    assert found is not None and found.year == 3019


def _page(date_text: str) -> str:
    return ("<html><head><title>A story</title></head><body><article><h1>A story</h1>"
            f'<div class="date">{date_text}</div>'
            + "<p>" + "A sentence of the story that goes on for a while. " * 8 + "</p></article></body></html>")


@pytest.mark.parametrize("date_text, published", [
    ("November 20 15:23 2019", "2019-11-20"),  # read by dateparser (htmldate's own parsers do not)
    ("November 11, 9614 - 90:22", None),  # impossible: no date, with or without the gate
    ("20 ноября 2019 15:23", "2019-11-20"),
])
def test_page_dates_with_and_without_the_gate(monkeypatch, date_text, published):
    assert extract_html(_page(date_text)).published == published
    monkeypatch.setattr(dates, "no_year_in_range", lambda *args: False)  # the gate never skips
    from htmldate.extractors import try_date_expr

    try_date_expr.cache_clear()
    assert extract_html(_page(date_text)).published == published
