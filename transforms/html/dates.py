"""HTML mode: htmldate's date search without the dateparser calls that cannot give a date (pure).

trafilatura's metadata reader finds the publication date with htmldate's
``find_date(extensive_search=True)``.  htmldate tries its own fast parsers first;
an expression they cannot read (and that looks like a date: a month name, a
plausible first year) goes to dateparser, and the answer is kept only if it lies
between htmldate's earliest date (1995-01-01) and today.  dateparser tries every
one of its 205 locales on a string no locale can read, compiling each locale's
patterns the first time: about 1.2 s of CPU the first time in every process, and
then ~20 ms per such string.  Real pages rarely send such strings (none of the 74
DEV pages; one sends a date dateparser reads with its first locale, English),
but a page with an impossible date (``November 11, 9614 - 90:22``, as
``bench.corpus`` makes them by renumbering the digits of a page's text) pays it.

:func:`gated` skips dateparser for a string whose four-digit numbers are all
outside the year range the caller accepts, when the string has no longer digit
run: dateparser reads a four-digit number as the year wherever it stands (its
parser's rule), and in strict parsing (htmldate's setting) a date needs its
year, so its answer would be outside the range and thrown away.
``tests/test_html_dates.py`` checks that dateparser gives no date in range for
the strings the gate skips (hand-made ones, e.g. a two-digit year next to a
four-digit number, and 120 generated ones in several languages, 64 of which
dateparser does read, always out of range), that dates on pages stay the same,
and that the gate is off outside :func:`gated`.  Written against htmldate 1.11
(``htmldate.extractors._external_date``, called only by ``try_date_expr``,
which range-checks its answer); with an htmldate without that function nothing
is gated.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

_DIGITS = re.compile(r"\d+")  # any script's decimal digits: dateparser reads those too
_STATE = threading.local()  # the year range of the find_date call running in this thread, if any
_INSTALLED: list = []
_LOCK = threading.Lock()


def no_year_in_range(string: str, min_year: int, max_year: int) -> bool:
    """True when ``string`` has a four-digit number, none of them in ``[min_year, max_year]``, and no digit
    run longer than four (dateparser reads ``20191120`` as a date): dateparser's date, if any, is out of range.
    """
    runs = _DIGITS.findall(unicodedata.normalize("NFKD", string))  # dateparser normalises as NFKD
    years = [int(run) for run in runs if len(run) == 4]
    return bool(years) and all(len(run) <= 4 for run in runs) and not any(
        min_year <= year <= max_year for year in years)


def _install() -> bool:
    """Put the gate in front of htmldate's dateparser call (once per process; off outside :func:`gated`).
    False when this htmldate has no such call to wrap: then nothing is gated (same dates, no speed-up)."""
    if not _INSTALLED:
        with _LOCK:
            if not _INSTALLED:
                import htmldate.extractors as extractors

                original = getattr(extractors, "_external_date", None)
                if original is not None:
                    def external_date(string: str):
                        years = getattr(_STATE, "years", None)
                        if years is not None and no_year_in_range(string, *years):
                            return None
                        return original(string)

                    external_date.__wrapped__ = original  # type: ignore[attr-defined]
                    extractors._external_date = external_date
                _INSTALLED.append(original is not None)
    return _INSTALLED[0]


def year_range(min_date=None, max_date=None) -> tuple[int, int] | None:
    """The years of htmldate's accepted dates for ``find_date(min_date=..., max_date=...)``, read with
    htmldate's own defaults (1995-01-01 to the end of today); None if this htmldate has no such helpers."""
    try:
        from htmldate.validators import get_max_date, get_min_date
    except ImportError:
        return None
    return get_min_date(min_date).year, get_max_date(max_date).year


@contextmanager
def gated(min_date=None, max_date=None) -> Iterator[None]:
    """Within this block (this thread only), htmldate's ``find_date(min_date=..., max_date=...)`` does not
    send dateparser a string whose date could only fall outside the accepted years; every other caller
    of htmldate is unaffected.  With an htmldate this module does not know, nothing is gated."""
    years = year_range(min_date, max_date)
    if years is None or not _install():
        yield
        return
    previous = getattr(_STATE, "years", None)
    _STATE.years = years
    try:
        yield
    finally:
        _STATE.years = previous
