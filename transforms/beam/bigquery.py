"""Articles -> a BigQuery table (optional sink, ``--bigquery_table PROJECT:DATASET.TABLE``).

The schema and the row form come from :mod:`schemas.bigquery` (derived from
``ARTICLE_SCHEMA``).  Batch runs use file loads (load jobs: no per-row
cost, exactly once); streaming runs use the Storage Write API.  Needs the
``gcp`` extra (``pip install '.[gcp]'``).  Example::

    articles | WriteArticlesToBigQuery("my-project:news.articles", streaming=False)
"""

from __future__ import annotations

import apache_beam as beam

from schemas import ARTICLE_SCHEMA, article_row
from schemas.bigquery import bigquery_row, parse_table, table_schema


def _to_bigquery(doc, beam_timestamps: bool):
    return bigquery_row(article_row(doc), ARTICLE_SCHEMA, beam_timestamps=beam_timestamps)


class WriteArticlesToBigQuery(beam.PTransform):
    """Cleaned documents -> rows appended to ``table`` (created with the derived schema if missing)."""

    def __init__(self, table: str, streaming: bool = False) -> None:
        super().__init__()
        parse_table(table)  # a clear error now rather than at the first write
        self._table, self._streaming = table, streaming

    def expand(self, docs):
        from apache_beam.io.gcp.bigquery import BigQueryDisposition, WriteToBigQuery

        method = WriteToBigQuery.Method.STORAGE_WRITE_API if self._streaming else WriteToBigQuery.Method.FILE_LOADS
        return (
            docs
            | "ToBigQueryRow" >> beam.Map(_to_bigquery, beam_timestamps=self._streaming)
            | "WriteToBigQuery" >> WriteToBigQuery(
                self._table,
                schema=table_schema(ARTICLE_SCHEMA),
                method=method,
                create_disposition=BigQueryDisposition.CREATE_IF_NEEDED,
                write_disposition=BigQueryDisposition.WRITE_APPEND,
            )
        )
