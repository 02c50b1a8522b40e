"""One Pub/Sub message -> documents or rejects (pure, no Beam import).

The message data is read exactly like an input file of the batch pipeline
(:func:`transforms.ingest.readers.read_records`), so a message behaves like a
file with the same bytes:

* a JSON document with the JSONL fields (``text`` or ``html``, optional ``id``,
  ``url``, ``title``, ``published``; other keys go to ``metadata``), where a
  given ``id`` is the document id;
* raw text or raw HTML (sniffed from the content, or by the extension of the
  ``path`` attribute that ``python -m pipeline publish`` sets).

Ids: the JSON ``id``; else, for a message published from a file, the id the
batch pipeline gives that file (``source_id(path)``); else
``source_id("pubsub:<message_id>")``.  The message attributes go to
``metadata``.  Bad data (malformed JSON, empty, undecodable, too large)
becomes a :class:`~transforms.document.Reject` with the reader's stage and
reason, so the stream goes on.

>>> [d.id for d in message_records(b'{"id": "a1", "text": "Hello there."}', {}, "17")]
['a1']
>>> r = message_records(b'{"text": ', {}, "18")[0]
>>> (r.stage, r.reason, r.id == source_id("pubsub:18"))
('parse_jsonl', 'malformed_json', True)
"""

from __future__ import annotations

import hashlib
import io

from transforms.document import Doc, Reject
from transforms.ingest.readers import ReadLimits, read_records
from transforms.keys import source_id

PATH_ATTRIBUTE = "path"  # set by ``python -m pipeline publish``: the file the message came from
MESSAGE_ID_KEY = "pubsub_message_id"


def message_name(attributes: dict[str, str], message_id: str | None, data: bytes) -> str:
    """What the message is called in ``source``/``file``: its path attribute, else ``pubsub:<message_id>``.

    A message without an id (not every runner hands it over) is named by the hash of its bytes.
    """
    path = (attributes or {}).get(PATH_ATTRIBUTE)
    if path:
        return path
    if message_id:
        return f"pubsub:{message_id}"
    return "pubsub:sha256-" + hashlib.sha256(data or b"").hexdigest()[:20]


def message_records(data: bytes | None, attributes: dict[str, str] | None, message_id: str | None,
                    *, input_format: str = "auto", limits: ReadLimits | None = None) -> list[Doc | Reject]:
    """The documents (and rejects) of one message, like the records of one input file."""
    limits = limits or ReadLimits()
    data = data or b""
    attributes = dict(attributes or {})
    name = message_name(attributes, message_id, data)
    records = list(read_records(name, lambda: io.BytesIO(data), input_format=input_format, limits=limits))
    # A one-document JSON message without an ``id`` and without a path: named by the message, not its line
    # (a message published from a file keeps the ids and sources a batch run gives that file).
    single = len(records) == 1 and not attributes.get(PATH_ATTRIBUTE)
    out: list[Doc | Reject] = []
    for record in records:
        if single and record.source == f"{name}:1":
            record = _renamed(record, source_id(name) if record.id == source_id(record.source) else record.id, name)
        if isinstance(record, Doc):
            metadata = {**attributes, **record.metadata}
            if message_id:
                metadata.setdefault(MESSAGE_ID_KEY, str(message_id))
            record = record.replace(metadata=metadata)
        out.append(record)
    return out


def _renamed(record: Doc | Reject, new_id: str, source: str) -> Doc | Reject:
    if isinstance(record, Doc):
        return record.replace(id=new_id, source=source)
    return Reject(new_id, source, record.file, record.stage, record.reason, record.error, record.raw,
                  record.raw_size, record.duplicate_of)
