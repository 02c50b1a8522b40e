"""Parquet schemas of presswash's outputs, defined once.

The writers, the tests and the docs import them from here.  Each schema
carries ``presswash.schema_version`` in its metadata; bump
:data:`SCHEMA_VERSION` on any change and keep readers of older files working
(see ``tests/test_schema_compat.py``).
"""

from schemas.articles import (
    ARTICLE_SCHEMA,
    PIPELINE_VERSION,
    REJECT_SCHEMA,
    SCHEMA_VERSION,
    article_row,
    reject_row,
)

__all__ = [
    "ARTICLE_SCHEMA",
    "PIPELINE_VERSION",
    "REJECT_SCHEMA",
    "SCHEMA_VERSION",
    "article_row",
    "reject_row",
]
