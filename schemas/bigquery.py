"""BigQuery schemas derived from the Parquet schemas of :mod:`schemas.articles`, and the row conversion.

The pyarrow schemas stay the one definition; this module maps them field by
field (no second hand-written schema to drift):

=====================  ==========================================
pyarrow                BigQuery
=====================  ==========================================
string                 STRING
binary                 BYTES (base64 text in JSON rows)
int8..int64            INTEGER
float16..float64       FLOAT
bool                   BOOLEAN
timestamp              TIMESTAMP
struct<...>            RECORD with the struct's fields
list<T>                T with mode REPEATED (list<struct> -> REPEATED RECORD)
map<K, V>              REPEATED RECORD {key, value}
nullable=False         mode REQUIRED (else NULLABLE)
=====================  ==========================================

>>> [(f["name"], f["type"], f["mode"]) for f in table_schema(ARTICLE_SCHEMA)["fields"]][:2]
[('id', 'STRING', 'REQUIRED'), ('source', 'STRING', 'REQUIRED')]
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa

from schemas.articles import ARTICLE_SCHEMA, REJECT_SCHEMA

__all__ = ["ARTICLE_SCHEMA", "REJECT_SCHEMA", "bigquery_row", "field_schema", "parse_table", "table_schema"]


def _scalar_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "STRING"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "BYTES"
    if pa.types.is_integer(arrow_type):
        return "INTEGER"
    if pa.types.is_floating(arrow_type):
        return "FLOAT"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    if pa.types.is_date(arrow_type):
        return "DATE"
    raise TypeError(f"no BigQuery type for the Arrow type {arrow_type}")


def field_schema(name: str, arrow_type: pa.DataType, nullable: bool = True) -> dict[str, Any]:
    """One BigQuery field (``{"name", "type", "mode"[, "fields"]}``) for an Arrow field."""
    mode = "NULLABLE" if nullable else "REQUIRED"
    if pa.types.is_map(arrow_type):
        return {"name": name, "type": "RECORD", "mode": "REPEATED", "fields": [
            field_schema("key", arrow_type.key_type, nullable=False),
            field_schema("value", arrow_type.item_type)]}
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        inner = field_schema(name, arrow_type.value_type)
        return {**inner, "mode": "REPEATED"}  # BigQuery has no NULL list: an absent list is empty
    if pa.types.is_struct(arrow_type):
        return {"name": name, "type": "RECORD", "mode": mode,
                "fields": [field_schema(f.name, f.type, f.nullable) for f in arrow_type]}
    return {"name": name, "type": _scalar_type(arrow_type), "mode": mode}


def table_schema(schema: pa.Schema) -> dict[str, Any]:
    """The BigQuery table schema (the JSON form ``WriteToBigQuery(schema=...)`` takes) of an Arrow schema."""
    return {"fields": [field_schema(f.name, f.type, f.nullable) for f in schema]}


def _timestamp(value: datetime, beam_timestamps: bool):
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    if beam_timestamps:
        from apache_beam.utils.timestamp import Timestamp

        return Timestamp.from_utc_datetime(value.astimezone(timezone.utc))
    return value.astimezone(timezone.utc).isoformat()


def _value(value: Any, arrow_type: pa.DataType, beam_timestamps: bool) -> Any:
    if pa.types.is_map(arrow_type):
        items = value.items() if isinstance(value, dict) else (value or [])
        return [{"key": k, "value": v} for k, v in items]
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return [_value(v, arrow_type.value_type, beam_timestamps) for v in (value or [])]
    if value is None:
        return None
    if pa.types.is_struct(arrow_type):
        return {f.name: _value(value.get(f.name), f.type, beam_timestamps) for f in arrow_type}
    if pa.types.is_timestamp(arrow_type):
        return _timestamp(value, beam_timestamps)
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return value if beam_timestamps else base64.b64encode(value).decode("ascii")
    if pa.types.is_floating(arrow_type):
        return float(value)
    if pa.types.is_integer(arrow_type):
        return int(value)
    return value


def bigquery_row(row: dict[str, Any], schema: pa.Schema = ARTICLE_SCHEMA, *, beam_timestamps: bool = False
                 ) -> dict[str, Any]:
    """A Parquet row (``article_row``/``reject_row``) as a BigQuery row of :func:`table_schema`.

    JSON form by default (file loads: TIMESTAMP as RFC 3339 text, BYTES as
    base64); ``beam_timestamps=True`` gives Beam ``Timestamp`` and raw bytes
    (the Storage Write API's Beam-row form).
    """
    return {f.name: _value(row.get(f.name), f.type, beam_timestamps) for f in schema}


def parse_table(spec: str) -> tuple[str, str, str]:
    """``PROJECT:DATASET.TABLE`` (or ``PROJECT.DATASET.TABLE``) -> its three parts; ValueError otherwise."""
    import re

    match = re.fullmatch(r"([a-z][a-z0-9.:-]{3,61}[a-z0-9])[:.]([A-Za-z0-9_]{1,1024})\.([\w$-]{1,1024})", spec or "")
    if not match:
        raise ValueError(f"--bigquery_table must be PROJECT:DATASET.TABLE, got {spec!r}")
    return match.group(1), match.group(2), match.group(3)
