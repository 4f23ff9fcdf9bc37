"""What the embedded backend stores per document: the tantivy schema and its documents.

Text fields hold our own analysis (space-joined tokens, tantivy's whitespace tokenizer), so
tantivy never segments Chinese itself; keyword fields hold values as they are.
"""

from __future__ import annotations

import functools
import hashlib
import json

import tantivy

from .indexing import AnalyzedDocument, in_sample, urgency_rank

__all__ = ["HASHED_FIELDS", "IN_SAMPLE", "KEYWORD_FIELDS", "SCHEMA", "to_tantivy", "value_hash"]

KEYWORD_FIELDS = ("kind", "category", "town", "status")
# Single-valued keyword fields also kept as 64-bit hashes in numeric fast fields, which
# tantivy can read for a batch of hits (see embedded_queries.passes_filters).
HASHED_FIELDS = ("kind", "town", "status")
# The value of the "sample" field of documents in the counting sample (indexing.in_sample).
IN_SAMPLE = "1"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("uid", tokenizer_name="raw", index_option="basic")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("sample", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("urgency", indexed=True, fast=True)
    builder.add_integer_field("rank_urgent", fast=True)
    builder.add_integer_field("created", fast=True)
    for name in HASHED_FIELDS:
        builder.add_integer_field(f"{name}_hash", fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


SCHEMA = _schema()


@functools.lru_cache(maxsize=4096)
def value_hash(value: str) -> int:
    """A signed 64-bit hash of a keyword value, for the ``<field>_hash`` fast fields."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def to_tantivy(item: AnalyzedDocument) -> tantivy.Document:
    doc = item.document
    out = tantivy.Document()
    out.add_text("uid", doc.uid)
    out.add_text("kind", doc.kind)
    for category in doc.all_categories:
        out.add_text("category", category)
    if doc.town:
        out.add_text("town", doc.town)
    if doc.status:
        out.add_text("status", doc.status)
    for name in HASHED_FIELDS:
        value = getattr(doc, name)
        if value:
            out.add_integer(f"{name}_hash", value_hash(value))
    out.add_text("text", f"{item.text_tokens} {item.concept_tokens}".rstrip())
    if in_sample(doc):
        out.add_text("sample", IN_SAMPLE)
    if doc.urgency is not None:
        out.add_integer("urgency", doc.urgency)
    out.add_integer("rank_urgent", urgency_rank(doc))
    out.add_integer("created", int(doc.created_at.timestamp()))
    out.add_bytes("payload", json.dumps(doc.to_payload(), ensure_ascii=False).encode())
    return out


