"""Write the hostile-input corpus (issue 5) into a directory, deterministically.

Every case is one input file with the outcome expected for each document in
it: an article, or a reject with its ``stage/reason``.  The same table drives
``tests/test_hostile.py`` and ``docs/bad-input.md``.  Large files (50 MB
without a newline, a million lines, a 12 MB JSON value) are written at test
time into a temporary directory, never committed::

    python -m tests.hostile.make_corpus /tmp/hostile            # everything (~70 MB)
    python -m tests.hostile.make_corpus /tmp/hostile --small    # without the large files
    python -m pipeline --input '/tmp/hostile/*' --output /tmp/hostile-out --overwrite
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

SEED = 20260525
MB = 1024 * 1024
DEFAULT_CANARY = "http://127.0.0.1:9"  # discard port: nothing listens there


@dataclass(frozen=True)
class Expect:
    """The outcome of one document: ``article``, or ``reject`` with ``stage/reason``."""

    outcome: str
    reason: str | None = None  # "stage/reason" of a reject
    line: int | None = None  # JSONL line number (the document's source is "<file>:<line>")

    @property
    def label(self) -> str:
        return "article" if self.outcome == "article" else f"reject {self.reason}"


def article(line: int | None = None) -> Expect:
    return Expect("article", None, line)


def reject(reason: str, line: int | None = None) -> Expect:
    return Expect("reject", reason, line)


@dataclass(frozen=True)
class Case:
    name: str  # file name in the corpus
    what: str  # the input, for people (docs/bad-input.md)
    build: Callable[["Ctx"], bytes | Iterable[bytes]]
    expect: tuple[Expect, ...]
    large: bool = False


@dataclass(frozen=True)
class Ctx:
    rng: random.Random
    canary: str  # URL that must never be fetched


# --------------------------------------------------------------------------- text helpers

_SENTENCES = [
    "The harbour ferry resumed its morning crossings on Tuesday after a three-day pause caused by the storm.",
    "Engineers inspected the landing stages overnight and found only minor damage to the wooden railings.",
    "Commuters who had faced a ninety-minute detour by road welcomed the return of the service.",
    "The operator said timetables would run normally for the rest of the week, weather permitting.",
    "Local shop owners reported that trade along the waterfront had fallen sharply during the closure.",
    "A spokesperson for the council said the repairs would be paid for from the emergency maintenance budget.",
    "Residents of the island have long asked for a second vessel so that one breakdown does not cut them off.",
    "The council will discuss the request at its next meeting, which is open to the public.",
    "Forecasters expect calmer conditions through the weekend, with light winds from the south-west.",
    "Volunteers spent Wednesday clearing seaweed and driftwood from the slipway near the old customs house.",
    "School buses that had been rerouted will return to their usual stops from Thursday morning.",
    "The ferry company thanked passengers for their patience and promised refunds for cancelled season tickets.",
]


def prose(ctx: Ctx, paragraphs: int = 4, title: str = "Harbour ferry service resumes after storm") -> str:
    """A small news article: title line, blank line, paragraphs of two or three sentences."""
    paras = []
    for _ in range(paragraphs):
        paras.append(" ".join(ctx.rng.sample(_SENTENCES, ctx.rng.choice((2, 3)))))
    return title + "\n\n" + "\n\n".join(paras) + "\n"


_DE = ("Die Straße am Zürcher Seeufer wird ab Montag für den Verkehr gesperrt, teilte die Stadtverwaltung mit. "
       "Anwohner müssen mit Umleitungen über die Bahnhofstraße rechnen, sagte der Bürgermeister. "
       "Die Bauarbeiten an der Brücke sollen bis Ende März dauern; danach öffnet die Straße wieder für Fußgänger "
       "und Radfahrer. Geschäfte am Ufer bleiben während der gesamten Bauzeit geöffnet.")
_FR = ("Le conseil municipal a approuvé mardi la création de nouvelles pistes cyclables dans le centre-ville. "
       "« C’est une étape décisive », a déclaré l’adjointe chargée des déplacements, qui espère voir les travaux "
       "débuter dès l’été. Les commerçants s’inquiètent toutefois de la suppression d’une centaine de places de "
       "stationnement — environ 15 € de recettes perdues par jour et par place, selon leur association.")
_JA = ("東京都は二十五日、都心部に新しい自転車専用道路を整備する計画を発表した。"
       "市民の安全を守るため、来年春から工事を始める予定だという。"
       "都の担当者は「通勤時間帯の事故を減らしたい」と話している。"
       "一方、沿道の商店からは駐車スペースの減少を心配する声も上がっている。"
       "計画は来月の議会で審議される見通しだ。")
_RTL = ("المجلس البلدي يوافق على إنشاء مسارات جديدة للدراجات في وسط المدينة. "
        "وقال رئيس البلدية إن الأعمال ستبدأ في الربيع المقبل.")
# Second texts for cases that would otherwise repeat another case's body (exact/near dedup would reject it).
_ES = ("El ayuntamiento de Sevilla aprobó el martes la construcción de nuevos carriles bici en el centro. "
       "Los comerciantes temen perder un centenar de plazas de aparcamiento, según su asociación. "
       "Las obras empezarán en primavera y durarán seis meses; el alcalde promete que ningún comercio cerrará. "
       "La oposición pide más autobuses nocturnos antes de reducir el espacio para los coches.")
_JA2 = ("大阪市は十日、港の近くに新しい図書館を建てる計画を明らかにした。"
        "建設費は約五十億円で、二年後の開館を目指す。"
        "市の担当者は「子どもたちが安心して学べる場所にしたい」と話している。"
        "周辺の住民からは駐輪場の整備を求める声も出ている。")
_IT = ("Il consiglio comunale di Bologna ha approvato martedì un piano per nuove piste ciclabili in centro. "
       "I commercianti temono di perdere un centinaio di posti auto, secondo la loro associazione. "
       "I lavori inizieranno in primavera e dureranno sei mesi; il sindaco promette più autobus serali. "
       "L'opposizione chiede di ascoltare prima i residenti delle vie più strette.")
_RU = ("Городской совет Казани во вторник одобрил строительство новых велодорожек в центре города. "
       "Владельцы магазинов опасаются потерять около сотни парковочных мест. "
       "Работы начнутся весной и продлятся полгода, сообщил мэр. "
       "Оппозиция требует сначала выслушать жителей узких улиц.")
_DE2 = ("Die Fähre über den Bodensee fährt ab Dienstag wieder nach dem gewohnten Fahrplan, teilte die Reederei mit. "
        "Nach dem Sturm mussten Techniker die Anlegestelle in Meersburg gründlich prüfen. "
        "Fahrgäste, deren Fahrten ausgefallen sind, erhalten ihr Geld zurück. "
        "Die Gemeinde dankt den Helfern für ihren Einsatz am Wochenende.")
_HE = "מועצת העיר אישרה שבילי אופניים חדשים במרכז העיר. העבודות יתחילו באביב."


def _two(text: str, stop: str = ". ") -> str:
    """The text as two paragraphs (split at the sentence end nearest its middle)."""
    cut = text.find(stop, len(text) // 2) + len(stop)
    return text[:cut].strip() + "\n\n" + text[cut:].strip()


def _words(n_bytes: int, word: bytes = b"word ") -> bytes:
    return word * (n_bytes // len(word) + 1)


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _jsonl(*rows: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n" for r in rows)


# --------------------------------------------------------------------------- builders


def _no_newline_50mb(ctx: Ctx) -> Iterable[bytes]:
    chunk = _words(MB)[:MB]
    for _ in range(50):
        yield chunk


def _million_lines(ctx: Ctx) -> bytes:
    return b"a\n" * 1_000_000


def _truncated(compress: Callable[[bytes], bytes]) -> Callable[[Ctx], bytes]:
    def build(ctx: Ctx) -> bytes:
        data = compress(prose(ctx, 30).encode())
        return data[: len(data) * 2 // 3]

    return build


def _truncated_jsonl_gz(ctx: Ctx) -> bytes:
    # Three whole lines in the first compressed blocks, then a long tail that is cut off.
    rows = [{"id": f"t{i}", "text": prose(ctx, title=f"Ferry update number {i}")} for i in range(1, 4)]
    tail = {"id": "t4", "text": prose(ctx, 40) + ctx.rng.randbytes(60_000).hex()}
    head = gzip.compress(_jsonl(*rows), mtime=0)  # a complete gzip member ...
    rest = gzip.compress(_jsonl(tail), mtime=0)  # ... followed by a second one, cut in the middle
    return head + rest[: len(rest) // 2]


def _malformed_jsonl(ctx: Ctx) -> bytes:
    body = prose(ctx)
    return b"".join([
        _jsonl({"id": "m1", "text": body, "url": "https://news.example.org/ferry"}),  # 1 article
        b'{"id": "m2", "text": "unterminated string\n',  # 2 malformed_json
        b"this line is not JSON at all\n",  # 3 malformed_json
        b"[1, 2, 3]\n",  # 4 not_an_object
        _jsonl({"id": "m5", "text": 42}),  # 5 invalid_field_type
        _jsonl({"id": "m6", "text": body, "title": ["not", "a", "string"]}),  # 6 invalid_field_type
        _jsonl({"id": {"nested": 1}, "text": body}),  # 7 invalid_field_type
        _jsonl({"id": "m8", "title": "A title but no body"}),  # 8 missing_text
        _jsonl({"id": "m9", "text": None}),  # 9 missing_text
        _jsonl({"id": "m10", "text": ""}),  # 10 empty_input
        _jsonl({"id": "m11", "text": " \n\t "}),  # 11 empty_input
        b"[" * 100_000 + b"]" * 100_000 + b"\n",  # 12 malformed_json (nesting too deep)
        b'{"id": ' + b"7" * 5000 + b', "text": "too many digits"}\n',  # 13 malformed_json (int limit)
        b"\n",  # 14 blank line: not a document
        _jsonl({"id": True, "text": body}),  # 15 invalid_field_type
        _jsonl({"id": "m16", "text": prose(ctx, title="Ferry timetable: odd date"), "published": "the day before yesterday",
                "extra": {"nested": [1, 2, {"deep": None}]}}),  # 16 article, odd date and metadata
        _jsonl({"id": "m17", "text": prose(ctx).replace("storm", "storm\u0000\u0007")}),  # 17 article, control chars
        b'{"id": "m18", "text": "Caf\xe9 owners welcome ferry\\n\\n'
        + prose(ctx).replace("\n", "\\n").encode() + b'"}\n',
        # 18 article: a raw Windows-1252 byte in a JSON line
        b'{"id": "m19", "text": 1.5e999}\n',  # 19 invalid_field_type (a number, Infinity)
        b"\xef\xbb\xbf" + _jsonl({"id": "m20", "text": prose(ctx, title="Ferry notes")}),  # 20 article: a BOM in the middle of the file
    ])


def _huge_values_jsonl(ctx: Ctx) -> bytes:
    body = prose(ctx)
    return b"".join([
        _jsonl({"id": "h1", "text": body}),
        b'{"id": "h2", "text": "' + _words(12 * MB) + b'"}\n',  # > 10 MB default --max_doc_bytes
        _jsonl({"id": "h3", "text": prose(ctx, title="Ferry notes"), "notes": "x" * 2 * MB}),  # big metadata value
        _jsonl({"id": "h4", "text": "Long single paragraph\n\n" + " ".join(_SENTENCES) * 1500}),  # ~1.9 MB one line
    ])


def _duplicate_ids_jsonl(ctx: Ctx) -> bytes:
    a, b, c, d, e = (prose(ctx, title=f"Ferry story {i}") for i in range(5))
    return _jsonl(
        {"id": "d1", "text": a},  # 1 article
        {"id": "d2", "text": b},  # 2 article
        {"id": "d1", "text": c},  # 3 duplicate_id
        {"id": 7, "text": c},  # 4 article (id "7")
        {"id": "7", "text": a},  # 5 duplicate_id: 7 and "7" are the same id
        {"text": d + "\nNo id here.", "published": "2024-01-01"},  # 6 article (id from the source: file and line)
        # 7 the same text again, published a day later: its own id, and rejected by exact dedup as a copy of 6
        {"text": d + "\nNo id here.", "published": "2024-01-02"},
        {"id": "", "text": e + "\nEmpty id."},  # 8 article (empty id -> id from the source)
    )


def _deep_html(ctx: Ctx) -> bytes:
    body = "".join(f"<p>{s}</p>" for s in _SENTENCES)
    return (b"<!DOCTYPE html><html><head><title>Deep page</title></head><body>" + b"<div>" * 10_000
            + body.encode() + b"</div>" * 10_000 + b"</body></html>")


def _entity_html(ctx: Ctx) -> bytes:
    paras = "".join(f"<p>{s.replace('and', '&amp;').replace(' ', '&nbsp;', 3)} &#8212; &eacute;t&eacute; &#x1F600;</p>"
                    for s in _SENTENCES)
    noise = "&amp;&lt;&gt;&quot;&#39;&nbsp;&bogus;&#0;&#xD800;&#x110000;&#99999999999;" * 20_000
    return (f"<!DOCTYPE html><html><head><title>Entities everywhere</title></head><body><article>"
            f"<h1>Entities everywhere</h1>{paras}<p>{noise}</p></article></body></html>").encode()


def _xxe_html(ctx: Ctx) -> bytes:
    c = ctx.canary
    paras = "".join(f"<p>{s}</p>" for s in _SENTENCES)
    return f"""<?xml version="1.0"?>
<!DOCTYPE html SYSTEM "{c}/x.dtd" [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "{c}/entity.txt">
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<html><head><title>Ferry service resumes</title>
<link rel="stylesheet" href="{c}/style.css"><script src="{c}/app.js"></script>
<meta http-equiv="refresh" content="0; url={c}/redirect">
<base href="{c}/"></head>
<body><article><h1>Ferry service resumes</h1>
<p>Leak check: [&xxe;] [&remote;] [&lol4;]</p>
<img src="{c}/photo.jpg" alt=""><iframe src="{c}/frame.html"></iframe>
<object data="{c}/object.swf"></object><video src="{c}/video.mp4"></video>
{paras}
<p style="background: url({c}/bg.png)">The operator thanked passengers for their patience.</p>
</article></body></html>
""".encode()


def _html_page(title: str, paragraphs: Iterable[str], charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>")


def _unicode_text(ctx: Ctx) -> bytes:
    zw = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    lines = [
        "Ferry\u200b service\u2060 resumes\u00ad after storm 🚢",
        "",
        "The harbour\u200b ferry\x07 resumed its\x1b[0m crossings on Tuesday 🌊 after a three-day pause.",
        "",
        _RTL,
        "",
        _HE + " \u202eevil override\u202c and \u2066isolate\u2069.",
        "",
        "Families 👨‍👩‍👧‍👦 and flags 🇳🇴🇯🇵 and skin tones 👋🏽 survive; zero-width" + zw + " characters do not.",
        "",
        " ".join(_SENTENCES[:4]),
    ]
    return "\n".join(lines).encode()


def _only_appeal(ctx: Ctx) -> bytes:
    return (b"Support our journalism\n\nIndependent reporting like this costs money. "
            b"If you value it, please make a donation today.\n\nDonate now\n")


def _only_caption(ctx: Ctx) -> bytes:
    return "Passengers board the morning ferry at the harbour on Tuesday. (AP Photo/Jane Doe)\n".encode()


CASES: tuple[Case, ...] = (
    # --- empty and not text
    Case("empty.txt", "empty file", lambda c: b"", (reject("read/empty_input"),)),
    Case("whitespace.txt", "white space only", lambda c: b"  \n\t\r\n \x0b \n", (reject("read/empty_input"),)),
    Case("bom-only.txt", "only a UTF-8 byte-order mark", lambda c: b"\xef\xbb\xbf\n", (reject("read/empty_input"),)),
    Case("utf16-bom-only.txt", "only a UTF-16 byte-order mark", lambda c: b"\xff\xfe",
         (reject("read/empty_input"),)),
    Case("zero-width-only.txt", "only zero-width characters",
         lambda c: "\u200b\u2060\ufeff\u200b\n\u200b".encode(), (reject("finish/empty_after_cleaning"),)),
    Case("image.png", "a PNG image", lambda c: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + c.rng.randbytes(4000),
         (reject("decode/binary_content"),)),
    Case("picture.txt", "a JPEG saved as .txt", lambda c: b"\xff\xd8\xff\xe0\x00\x10JFIF" + c.rng.randbytes(4000),
         (reject("decode/binary_content"),)),
    Case("random.bin", "random bytes", lambda c: c.rng.randbytes(64 * 1024), (reject("decode/binary_content"),)),
    Case("nul-bytes.txt", "NUL bytes", lambda c: b"\x00" * 10_000, (reject("decode/binary_content"),)),
    Case("random-high-bytes.txt", "random bytes 0x80-0xFF (no encoding fits)",
         lambda c: bytes(c.rng.randrange(0x80, 0x100) for _ in range(8000)), (reject("decode/undecodable"),)),
    # --- encodings
    Case("invalid-utf8.txt", "UTF-8 with broken sequences (truncated, overlong, surrogates)",
         lambda c: ("Harbour ferry café reopens\n\n" + "\n\n".join(_SENTENCES[:6])).encode()
         .replace(b"Tuesday", b"Tues\xc3\x28day")
         .replace(b"overnight", b"over\xc0\xafnight").replace(b"railings", b"rail\xed\xa0\x80ings"),
         (article(),)),
    Case("mixed-utf8-cp1252.txt", "UTF-8 lines and Windows-1252 lines in one file",
         lambda c: ("Café owners welcome the ferry\n\n" + _FR + "\n\n").encode() + (_DE + "\n\n").encode("cp1252")
         + prose(c).encode(), (article(),)),
    Case("latin1.txt", "ISO-8859-1 (Latin-1) German text",
         lambda c: ("Seeufer in Zürich gesperrt\n\n" + _two(_DE)).encode("latin-1"),
         (article(),)),
    Case("cp1252.txt", "Windows-1252 French text (curly quotes, euro sign)",
         lambda c: ("Pistes cyclables : le conseil dit oui\n\n" + _two(_FR)).encode("cp1252"), (article(),)),
    Case("utf16-le-bom.txt", "UTF-16 LE with BOM", lambda c: ("Carriles bici en Sevilla\n\n" + _two(_ES)).encode("utf-16"),
         (article(),)),
    Case("utf16-be-bom.txt", "UTF-16 BE with BOM",
         lambda c: b"\xfe\xff" + ("Велодорожки в Казани\n\n" + _two(_RU)).encode("utf-16-be"),
         (article(),)),
    Case("utf16-le-nobom.txt", "UTF-16 LE without BOM",
         lambda c: ("Bodensee: Fähre fährt wieder\n\n" + _two(_DE2)).encode("utf-16-le"), (article(),)),
    Case("shift-jis.txt", "Shift-JIS Japanese text",
         lambda c: ("自転車専用道路を整備へ\n\n" + _two(_JA, "。")).encode("shift_jis"), (article(),)),
    Case("shift-jis.html", "Shift-JIS HTML with `<meta charset>`",
         lambda c: _html_page("大阪に新図書館", _two(_JA2, "。").split("\n\n"), "shift_jis").encode("shift_jis"),
         (article(),)),
    Case("latin1.html", "ISO-8859-1 HTML with `<meta charset>`",
         lambda c: _html_page("Piste ciclabili a Bologna", _two(_IT).split("\n\n"), "iso-8859-1").encode("latin-1"),
         (article(),)),
    Case("unicode.txt", "zero-width and control characters, right-to-left text, emoji", _unicode_text, (article(),)),
    # --- size limits
    Case("no-newline-50mb.txt", "50 MB without a newline", _no_newline_50mb, (reject("read/document_too_large"),),
         large=True),
    Case("million-lines.txt", "a million tiny lines", _million_lines, (reject("read/too_many_lines"),), large=True),
    Case("long-line.txt", "a 2 MB single paragraph (under the limits)",
         lambda c: ("A very long paragraph\n\n" + " ".join(_SENTENCES) * 1600).encode(), (article(),)),
    # --- compression
    Case("good.txt.gz", "gzip text", lambda c: _gz(prose(c, title="Ferry timetable back to normal").encode()),
         (article(),)),
    Case("good.jsonl.bz2", "bzip2 JSONL",
         lambda c: bz2.compress(_jsonl({"id": "b1", "text": prose(c)}, {"id": "b2", "text": prose(c)})),
         (article(line=1), article(line=2))),
    Case("truncated.txt.gz", "truncated gzip", _truncated(_gz), (reject("read/corrupt_compressed_input"),)),
    Case("truncated.txt.bz2", "truncated bzip2", _truncated(bz2.compress), (reject("read/corrupt_compressed_input"),)),
    Case("truncated.jsonl.gz", "gzip JSONL cut off after three lines", _truncated_jsonl_gz,
         (article(line=1), article(line=2), article(line=3), reject("read/corrupt_compressed_input"))),
    Case("not-gzip.txt.gz", "plain text named .gz", lambda c: prose(c).encode(),
         (reject("read/corrupt_compressed_input"),)),
    # --- JSONL
    Case("malformed.jsonl", "JSONL: malformed lines, wrong types, missing or empty text", _malformed_jsonl, (
        article(1), reject("parse_jsonl/malformed_json", 2), reject("parse_jsonl/malformed_json", 3),
        reject("parse_jsonl/not_an_object", 4), reject("parse_jsonl/invalid_field_type", 5),
        reject("parse_jsonl/invalid_field_type", 6), reject("parse_jsonl/invalid_field_type", 7),
        reject("parse_jsonl/missing_text", 8), reject("parse_jsonl/missing_text", 9),
        reject("parse_jsonl/empty_input", 10), reject("parse_jsonl/empty_input", 11),
        reject("parse_jsonl/malformed_json", 12), reject("parse_jsonl/malformed_json", 13),
        reject("parse_jsonl/invalid_field_type", 15), article(16), article(17), article(18),
        reject("parse_jsonl/invalid_field_type", 19), article(20),
    )),
    Case("huge-values.jsonl", "JSONL: a 12 MB text value, a 2 MB metadata value, a 2 MB paragraph",
         _huge_values_jsonl, (article(1), reject("read/document_too_large", 2), article(3), article(4)), large=True),
    Case("duplicate-ids.jsonl", "JSONL: duplicate ids (also 7 vs \"7\", identical lines without id)",
         _duplicate_ids_jsonl, (article(1), article(2), reject("parse_jsonl/duplicate_id", 3), article(4),
                                reject("parse_jsonl/duplicate_id", 5), article(6),
                                reject("dedup/duplicate", 7), article(8))),
    Case("jsonl-no-extension", "JSONL without an extension (sniffed)",
         lambda c: _jsonl({"id": "s1", "text": prose(c)}), (article(line=1),)),
    Case("README", "plain text without an extension (sniffed)", lambda c: prose(c, title="Ferry notes").encode(),
         (article(),)),
    # --- HTML
    Case("deep.html", "HTML nested 10,000 levels deep", _deep_html, (reject("extract_html/too_deep"),)),
    Case("entities.html", "HTML with 200,000 entities, invalid and unknown ones", _entity_html, (article(),)),
    Case("xxe.html", "HTML with an external DTD, external entities, entity expansion, remote resources",
         _xxe_html, (article(),)),
    Case("prose.html", "a .html file with plain prose, no tags", lambda c: prose(c).encode(),
         (reject("extract_html/not_html"),)),
    Case("binary.html", "a .html file with PNG bytes",
         lambda c: b"\x89PNG\r\n\x1a\n" + c.rng.randbytes(2000), (reject("decode/binary_content"),)),
    Case("empty.html", "an empty .html file", lambda c: b"", (reject("read/empty_input"),)),
    Case("tags-only.html", "HTML with markup but no text",
         lambda c: b"<html><head><title></title></head><body><div><span></span></div></body></html>",
         (reject("extract_html/no_main_content"),)),
    # --- content that cleaning removes entirely
    Case("only-appeal.txt", "a document that is only a donation appeal", _only_appeal,
         (reject("finish/empty_after_cleaning"),)),
    Case("only-caption.txt", "a document that is only a photo caption", _only_caption,
         (reject("finish/empty_after_cleaning"),)),
    Case("naïve name ünïcode.txt", "a file name with spaces and non-ASCII letters",
         lambda c: prose(c, title="Ferry names").encode(), (article(),)),
)


# Notes for the docs table, by file name.
NOTES: dict[str, str] = {
    'invalid-utf8.txt': 'valid UTF-8 kept; each invalid byte read as Windows-1252 (`utf-8+cp1252`)',
    'mixed-utf8-cp1252.txt': 'both read correctly (`utf-8+cp1252`)',
    'latin1.txt': 'read as `cp1252` (a superset for text)',
    'cp1252.txt': '`cp1252`',
    'utf16-le-nobom.txt': 'recognised by its NUL pattern (`utf-16-le`)',
    'shift-jis.txt': 'detected (`cp932`), language `ja`',
    'unicode.txt': 'invisible/control/bidi-override characters removed; RTL text, emoji and ZWJ sequences kept',
    'no-newline-50mb.txt': 'over `--max_doc_bytes` (10 MB); first 10 MB kept in the reject',
    'million-lines.txt': 'over `--max_lines` (200,000)',
    'truncated.jsonl.gz': 'lines before the damage are kept',
    'huge-values.jsonl': 'the 12 MB line is skipped, the rest of the file is read',
    'duplicate-ids.jsonl': 'first occurrence kept; ids are per file (a line without id gets an id from file and line); '
                           'line 7 repeats line 6 (published a day later): `dedup/duplicate` with `duplicate_of` = '
                           "line 6's id",
    'deep.html': 'deeper than the HTML parser goes (libxml2: 256 levels)',
    'xxe.html': 'nothing fetched, no entity expanded (left as text)',
    'prose.html': 'rerun with `--input_format text` to read it as text',
    'only-appeal.txt': 'the error lists what was removed',
}


def make_corpus(directory: str | Path, *, include_large: bool = True, canary: str = DEFAULT_CANARY,
                cases: Iterable[Case] = CASES) -> list[Case]:
    """Write the cases into ``directory``; returns the cases written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for index, case in enumerate(cases):
        if case.large and not include_large:
            continue
        ctx = Ctx(random.Random(SEED + index), canary)
        data = case.build(ctx)
        with open(out / case.name, "wb") as f:
            if isinstance(data, (bytes, bytearray)):
                f.write(data)
            else:
                for chunk in data:
                    f.write(chunk)
        written.append(case)
    return written


def markdown_table(cases: Iterable[Case] = CASES) -> str:
    """The 'What happens to bad input' table: input -> outcome -> reason."""
    rows = ["| Input | Outcome | Reason (`stage/reason`) | Notes |", "|---|---|---|---|"]
    for case in cases:
        outcomes: dict[str, int] = {}
        for e in case.expect:
            outcomes[e.label] = outcomes.get(e.label, 0) + 1
        articles = outcomes.pop("article", 0)
        outcome = []
        if articles:
            outcome.append("article" if len(case.expect) == 1 else f"{articles} article{'s' * (articles > 1)}")
        rejects = sum(outcomes.values())
        if rejects:
            outcome.append("reject" if len(case.expect) == 1 else f"{rejects} reject{'s' * (rejects > 1)}")
        reasons = ", ".join(f"`{label[7:]}`" + (f" ×{n}" if n > 1 else "") for label, n in outcomes.items())
        rows.append(f"| {case.what} | {' + '.join(outcome)} | {reasons or '—'} | {NOTES.get(case.name, '')} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--small", action="store_true", help="leave out the large files")
    parser.add_argument("--canary", default=DEFAULT_CANARY, help="URL the HTML cases point at (must never be hit)")
    parser.add_argument("--table", action="store_true", help="print the markdown table instead")
    args = parser.parse_args(argv)
    if args.table:
        print(markdown_table())
        return 0
    cases = make_corpus(args.directory, include_large=not args.small, canary=args.canary)
    print(f"{len(cases)} files, {sum(len(c.expect) for c in cases)} documents expected, in {args.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
