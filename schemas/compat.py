"""Reading presswash Parquet outputs written by this or an older schema version.

``read_articles``/``read_rejects`` check ``presswash.schema_version`` and return
a table in the *current* schema: columns added since the file was written come
back as nulls, columns dropped since are left out, types are cast.  A file from
a newer version than this code knows is refused with a clear error instead of
being misread.  Add a step to :data:`UPGRADES` whenever :data:`SCHEMA_VERSION`
is bumped::

    from schemas.compat import read_articles
    table = read_articles("output/articles-00000-of-00001.parquet")
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.articles import ARTICLE_SCHEMA, REJECT_SCHEMA, SCHEMA_VERSION

VERSION_KEY = b"presswash.schema_version"
# version -> function turning a table of that version into one of the next.  The new columns of a
# version (v2: articles ``comments``, rejects ``duplicate_of``) are added as nulls by ``_conform``;
# content_hash changed its definition in v2 (hash of ``transforms.keys.text_key``), so v1 values
# are not comparable with v2 ones and are kept as they were.
UPGRADES: dict[int, Callable[[pa.Table], pa.Table]] = {1: lambda table: table}


class SchemaVersionError(ValueError):
    """The file is not a presswash output this code can read."""


def schema_version(schema: pa.Schema) -> int:
    """The ``presswash.schema_version`` of a file's schema."""
    raw = (schema.metadata or {}).get(VERSION_KEY)
    if raw is None:
        raise SchemaVersionError("no presswash.schema_version in the Parquet metadata: not a presswash output")
    try:
        return int(raw.decode())
    except ValueError:
        raise SchemaVersionError(f"unreadable presswash.schema_version {raw!r}") from None


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _read(path: str, schema: pa.Schema) -> pa.Table:
    table = pq.read_table(path)
    version, current = schema_version(table.schema), int(SCHEMA_VERSION)
    if version > current:
        raise SchemaVersionError(f"{path}: schema version {version} is newer than this presswash ({current})")
    while version < current:
        table = UPGRADES[version](table)
        version += 1
    return _conform(table, schema)


def read_articles(path: str) -> pa.Table:
    """An articles file of any known schema version, as a table in the current :data:`ARTICLE_SCHEMA`."""
    return _read(path, ARTICLE_SCHEMA)


def read_rejects(path: str) -> pa.Table:
    """A rejects file of any known schema version, as a table in the current :data:`REJECT_SCHEMA`."""
    return _read(path, REJECT_SCHEMA)
