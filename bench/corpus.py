"""A synthetic benchmark corpus: N documents in the pipeline's input formats, deterministic from a seed.

The documents are light edits of real pages: the sample article in
``seeds/samples/`` and the DEV naive texts and HTML pages of ``../shared/eval``.
Every document gets its own numbers, a few words exchanged for others from the
same page (so the language stays the page's), sometimes a line dropped, and at
realistic rates an editorial-appeal box (``--appeal-rate``), an exact duplicate
of an earlier document (``--dup-rate``) or a near duplicate with one word
changed (``--near-dup-rate``)::

    python -m bench.corpus --docs 20000 --out /tmp/corpus           # text: .txt files + JSONL
    python -m bench.corpus --docs 2000 --formats html --out /tmp/html
    python -m bench.corpus --docs 1000 --formats txt,jsonl,html,warc --out /tmp/all

Layout under ``--out``: ``txt/NNNNNN.txt`` (one document per file),
``jsonl/part-NNNN.jsonl`` (``--jsonl-per-file`` documents per file, with id,
url, title), ``html/NNNNNN.html``, ``warc/part-NNNN.warc.gz`` (HTML pages as
WARC response records, one gzip member each, written with
FastWARC like the reader in ``transforms/ingest/warc.py``), and ``manifest.json`` (seed,
counts, bytes per format, the duplicate pairs).  Documents are spread over the
requested formats in turn (``--formats txt,jsonl`` puts every second document
in a JSONL file).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import random
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
FORMATS = ("txt", "jsonl", "html", "warc")

# Appeal boxes as scraped pages carry them (a heading, one or two lines, a button),
# in the languages of the evaluation pages.  Written for the benchmark, not taken
# from the pattern lists, so the corpus does not only hold the exact seed phrases.
APPEALS = (
    ["Support independent journalism", "Our reporting is free for everyone because readers like you "
     "chip in. If you value what we do, please consider making a contribution today.", "Donate now"],
    ["Sign up for our newsletter", "Get the day's top stories delivered to your inbox every morning.",
     "Subscribe"],
    ["Subscribe to continue reading", "You have reached your limit of free articles this month. "
     "Subscribe now for unlimited access to all our journalism.", "Already a subscriber? Log in"],
    ["A message from the editor", "Quality journalism takes time and money. We rely on your support "
     "to keep our newsroom going.", "Become a member"],
    ["Apoie o jornalismo independente", "Nosso trabalho depende de leitores como você. Assine agora "
     "e tenha acesso ilimitado.", "Assine"],
)
_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_NUMBER_RE = re.compile(r"\d+")
# Text between tags of an HTML page, outside script/style (only that text is edited).
_HTML_SPLIT_RE = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>)", re.S | re.I)


@dataclass(frozen=True)
class Base:
    """A real page the corpus documents are edited from."""

    name: str
    text: str  # naive scraped text (text documents)
    html: str | None  # the page's HTML (HTML documents), when there is one
    url: str


def load_bases(eval_dir: Path = DEFAULT_EVAL, split: str = "dev") -> list[Base]:
    """The sample article and the eval pages (naive text + HTML), in a fixed order."""
    bases = []
    samples = ROOT / "seeds" / "samples"
    sample_html = (samples / "news-page.html").read_text(encoding="utf-8")
    for path in sorted(samples.glob("*.txt")):
        bases.append(Base(path.stem, path.read_text(encoding="utf-8"), sample_html,
                          f"https://www.example-gazette.test/news/{path.stem}"))
    manifest = {}
    if (eval_dir / "manifest.json").exists():
        manifest = json.loads((eval_dir / "manifest.json").read_text(encoding="utf-8"))
        manifest = manifest.get("pages", manifest) if isinstance(manifest, dict) else {}
    ids_file = eval_dir / f"{split}_ids.txt"
    if ids_file.exists():
        for page in (line.strip() for line in ids_file.read_text().splitlines()):
            if not page:
                continue
            text = (eval_dir / split / f"{page}.txt").read_text(encoding="utf-8")
            html_path = eval_dir / split / f"{page}.html.gz"
            html = gzip.decompress(html_path.read_bytes()).decode("utf-8", "replace") if html_path.exists() else None
            info = manifest.get(page, {}) if isinstance(manifest, dict) else {}
            url = info.get("url") if isinstance(info, dict) else None
            bases.append(Base(page[:16], text, html, url or f"https://eval.example/{page[:16]}"))
    return bases


def _renumber(digits: str, rng: random.Random) -> str:
    """Another number with as many digits."""
    return str(rng.randrange(10 ** (len(digits) - 1) if len(digits) > 1 else 0, 10 ** len(digits)))


def _edit_words(text: str, rng: random.Random, rate: float) -> str:
    """Renumber every number and exchange about ``rate`` of the longer words for others of the same text."""
    words = _WORD_RE.findall(text)
    text = _NUMBER_RE.sub(lambda m: _renumber(m.group(), rng), text)
    if not words:
        return text
    return _WORD_RE.sub(lambda m: rng.choice(words) if rng.random() < rate else m.group(), text)


def edit_text(text: str, rng: random.Random, *, appeal: bool, rate: float = 0.03) -> str:
    """A light edit of a naive text: new numbers, a few words exchanged, maybe a line dropped, maybe an appeal."""
    lines = _edit_words(text, rng, rate).split("\n")
    if len(lines) > 10 and rng.random() < 0.5:
        del lines[rng.randrange(2, len(lines))]  # never the title lines
    if appeal:
        at = rng.randrange(min(len(lines), 3), len(lines) + 1)
        lines[at:at] = [""] + rng.choice(APPEALS) + [""]
    return "\n".join(lines)


def edit_html(html: str, rng: random.Random, *, appeal: bool, rate: float = 0.03) -> str:
    """The same light edit on the text between the tags of a page (scripts and styles untouched)."""
    parts = _HTML_SPLIT_RE.split(html)
    for i in range(0, len(parts), 2):  # even parts are text, odd parts are tags/scripts
        if parts[i].strip():
            parts[i] = _edit_words(parts[i], rng, rate)
    out = "".join(parts)
    if appeal:
        box = rng.choice(APPEALS)
        aside = ('<aside class="support"><h3>%s</h3><p>%s</p><a class="button">%s</a></aside>' % tuple(box))
        match = list(re.finditer(r"</p>", out, re.I))
        if match:
            cut = match[rng.randrange(len(match))].end()
            out = out[:cut] + aside + out[cut:]
    return out


@dataclass
class CorpusDoc:
    index: int
    fmt: str
    id: str
    url: str
    title: str
    body: str  # text, or HTML for html/warc documents
    duplicate_of: int | None = None  # index of the document this one copies (exactly or nearly)
    near: bool = False


def generate(n: int, seed: int = 0, formats: tuple[str, ...] = ("txt", "jsonl"), *, dup_rate: float = 0.03,
             near_dup_rate: float = 0.03, appeal_rate: float = 0.2, eval_dir: Path = DEFAULT_EVAL
             ) -> Iterator[CorpusDoc]:
    """``n`` documents, the same for the same arguments."""
    rng = random.Random(seed)
    bases = load_bases(eval_dir)
    html_bases = [b for b in bases if b.html]
    made: dict[str, list[CorpusDoc]] = {}  # earlier documents by kind (text/html), for duplicates
    for index in range(n):
        fmt = formats[index % len(formats)]
        kind = "html" if fmt in ("html", "warc") else "text"
        earlier = made.setdefault(kind, [])
        roll = rng.random()
        if earlier and roll < dup_rate + near_dup_rate:
            original = earlier[rng.randrange(len(earlier))]
            body = original.body
            near = roll >= dup_rate
            if near:  # one word changed
                words = _WORD_RE.findall(body)
                if words:
                    target = rng.choice(words)
                    body = body.replace(target, rng.choice(words) + "s", 1)
            doc = CorpusDoc(index, fmt, f"doc-{index:07d}", f"{original.url}?copy={index}", original.title, body,
                            duplicate_of=original.index, near=near)
        else:
            pool = html_bases if kind == "html" else bases
            base = pool[rng.randrange(len(pool))]
            appeal = rng.random() < appeal_rate
            if kind == "html":
                body = edit_html(base.html or "", rng, appeal=appeal)
            else:
                body = edit_text(base.text, rng, appeal=appeal)
            title = base.text.split("\n", 1)[0][:200]
            doc = CorpusDoc(index, fmt, f"doc-{index:07d}", f"{base.url}#v{index}", title, body)
        earlier.append(doc)
        yield doc


def warc_record_bytes(doc: CorpusDoc) -> bytes:
    """One gzip member holding a WARC ``response`` record (HTTP 200, text/html) for ``doc``.

    Written with FastWARC, the library ``transforms/ingest/warc.py`` reads WARC with.
    """
    from fastwarc.warc import WarcRecord, WarcRecordType

    payload = doc.body.encode("utf-8")
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Length: %d\r\n\r\n" % len(payload)) + payload
    record = WarcRecord()
    # A fixed record id (from the document id): the same corpus bytes on every run.
    record.init_headers(WarcRecordType.response, f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, doc.id)}".encode())
    record.headers["WARC-Target-URI"] = doc.url
    record.headers["WARC-Date"] = "2024-01-01T00:00:00Z"
    record.headers["Content-Type"] = "application/http; msgtype=response"
    record.set_bytes_content(http)
    buffer = io.BytesIO()
    record.write(buffer)
    return gzip.compress(buffer.getvalue(), mtime=0)


def write_corpus(out: Path, n: int, seed: int = 0, formats: tuple[str, ...] = ("txt", "jsonl"), *,
                 jsonl_per_file: int = 200, warc_per_file: int = 200, **kwargs) -> dict:
    """Write the corpus under ``out`` and return its manifest (also written as ``manifest.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {fmt: 0 for fmt in formats}
    sizes = {fmt: 0 for fmt in formats}
    duplicates = []
    jsonl_file = warc_file = None
    jsonl_in_file = warc_in_file = 0
    digest = hashlib.sha256()
    try:
        for doc in generate(n, seed, formats, **kwargs):
            counts[doc.fmt] += 1
            if doc.duplicate_of is not None:
                duplicates.append([doc.index, doc.duplicate_of, "near" if doc.near else "exact"])
            if doc.fmt == "txt":
                data = doc.body.encode("utf-8")
                (out / "txt").mkdir(exist_ok=True)
                (out / "txt" / f"{doc.index:07d}.txt").write_bytes(data)
            elif doc.fmt == "html":
                data = doc.body.encode("utf-8")
                (out / "html").mkdir(exist_ok=True)
                (out / "html" / f"{doc.index:07d}.html").write_bytes(data)
            elif doc.fmt == "jsonl":
                if jsonl_file is None or jsonl_in_file >= jsonl_per_file:
                    if jsonl_file:
                        jsonl_file.close()
                    (out / "jsonl").mkdir(exist_ok=True)
                    jsonl_file = open(out / "jsonl" / f"part-{doc.index:07d}.jsonl", "wb")
                    jsonl_in_file = 0
                data = (json.dumps({"id": doc.id, "url": doc.url, "title": doc.title, "text": doc.body},
                                   ensure_ascii=False) + "\n").encode("utf-8")
                jsonl_file.write(data)
                jsonl_in_file += 1
            elif doc.fmt == "warc":
                if warc_file is None or warc_in_file >= warc_per_file:
                    if warc_file:
                        warc_file.close()
                    (out / "warc").mkdir(exist_ok=True)
                    warc_file = open(out / "warc" / f"part-{doc.index:07d}.warc.gz", "wb")
                    warc_in_file = 0
                warc_file.write(warc_record_bytes(doc))
                warc_in_file += 1
                data = doc.body.encode("utf-8")
            else:
                raise ValueError(f"unknown format {doc.fmt!r}; choose from {FORMATS}")
            sizes[doc.fmt] += len(data)
            digest.update(data)
    finally:
        if jsonl_file:
            jsonl_file.close()
        if warc_file:
            warc_file.close()
    manifest = {
        "docs": n, "seed": seed, "formats": list(formats), "documents_by_format": counts,
        "bytes_by_format": sizes, "bytes": sum(sizes.values()), "sha256": digest.hexdigest(),
        "exact_duplicates": sum(1 for d in duplicates if d[2] == "exact"),
        "near_duplicates": sum(1 for d in duplicates if d[2] == "near"),
        "duplicates": duplicates, "options": {k: v for k, v in kwargs.items() if k != "eval_dir"},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="txt,jsonl", help=f"comma-separated, from {','.join(FORMATS)}")
    parser.add_argument("--dup-rate", type=float, default=0.03, help="share of exact duplicates")
    parser.add_argument("--near-dup-rate", type=float, default=0.03, help="share of near duplicates")
    parser.add_argument("--appeal-rate", type=float, default=0.2, help="share of documents with an appeal box")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        parser.error(f"unknown format(s) {bad}; choose from {FORMATS}")
    manifest = write_corpus(args.out, args.docs, args.seed, formats, dup_rate=args.dup_rate,
                            near_dup_rate=args.near_dup_rate, appeal_rate=args.appeal_rate, eval_dir=args.eval_dir)
    shown = {k: v for k, v in manifest.items() if k != "duplicates"}
    print(json.dumps(shown, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
