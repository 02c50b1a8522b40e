"""Corpus counts in one process, for ``python -m pipeline explain --corpus GLOB FILE`` (pure, no Beam).

The same functions the Beam graph runs: every document of the corpus goes through the
stages before ``site_boilerplate`` (:func:`transforms.clean.clean_doc` with ``until``), its
lines are counted per domain (:func:`transforms.corpus.site_lines.learn_site_lines`), and
the result is the ``site_lines`` side input ``clean_doc(side=...)`` gives the stage.

    python -m pipeline explain --corpus 'crawl/*.warc.gz' crawl/part-0001.warc.gz
"""

from __future__ import annotations

import glob
import os
from typing import Any, Iterable

from transforms.corpus.site_lines import SiteSettings, doc_domain, learn_site_lines
from transforms.document import Doc
from transforms.ingest.readers import read_records

SITE_STAGE = "site_boilerplate"


def corpus_files(pattern: str) -> list[str]:
    """Local files of a glob (``**`` recursive), a directory (every file under it) or one file."""
    if os.path.isdir(pattern):
        return sorted(os.path.join(root, name) for root, _, names in os.walk(pattern) for name in names)
    return sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))


def corpus_docs(paths: Iterable[str], input_format: str = "auto") -> Iterable[Doc]:
    """Every document (not the rejects) of the files, in file order."""
    for path in paths:
        for item in read_records(path, lambda path=path: open(path, "rb"), input_format=input_format):
            if isinstance(item, Doc):
                yield item


def learn_corpus_side(paths: Iterable[str], resources, detector, *, boilerplate_mode: str = "auto",
                      settings: SiteSettings | None = None, input_format: str = "auto") -> dict[str, Any]:
    """The corpus side inputs (``{"site_lines": ...}``) learned from the files, as the pipeline learns them."""
    from transforms.clean import clean_doc

    def lines():
        for doc in corpus_docs(paths, input_format):
            try:
                doc = clean_doc(doc, resources, detector, boilerplate_mode=boilerplate_mode, until=SITE_STAGE)
            except Exception:  # noqa: BLE001 - a document the pipeline rejects adds no lines
                continue
            yield doc_domain(doc), [seg.text for seg in doc.segments]

    settings = settings or SiteSettings()
    return {"site_lines": learn_site_lines(lines(), settings.min_docs, settings.min_fraction)}
