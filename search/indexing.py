"""Turning documents into analysed documents, optionally in worker processes."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from .analysis import index_text
from .documents import SearchDocument

__all__ = ["AnalyzedDocument", "analyze_document", "analyze_documents", "urgency_rank"]

_URGENCY_SHIFT = 40


@dataclass(frozen=True, slots=True)
class AnalyzedDocument:
    """A document with its title and body already turned into space-joined index tokens."""

    document: SearchDocument
    title_tokens: str
    body_tokens: str


def analyze_document(doc: SearchDocument | AnalyzedDocument) -> AnalyzedDocument:
    """Analyse ``doc`` unless that was already done."""
    if isinstance(doc, AnalyzedDocument):
        return doc
    return AnalyzedDocument(doc, index_text(doc.title), index_text(doc.body))


def urgency_rank(doc: SearchDocument) -> int:
    """One sortable integer: higher urgency first, then newer (``created_at`` seconds)."""
    urgency = 0 if doc.urgency is None else min(max(doc.urgency, -1), 1000) + 1
    return (urgency << _URGENCY_SHIFT) | max(0, int(doc.created_at.timestamp()))


def _analyze_texts(chunk: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(index_text(title), index_text(body)) for title, body in chunk]


def _chunks(docs: Iterable, size: int) -> Iterator[list]:
    iterator = iter(docs)
    while chunk := list(islice(iterator, size)):
        yield chunk


def analyze_documents(
    docs: Iterable[SearchDocument | AnalyzedDocument], *, workers: int = 1, chunk_size: int = 2000
) -> Iterator[AnalyzedDocument]:
    """Yield analysed documents in input order, using ``workers`` processes when above 1."""
    if workers <= 1:
        for doc in docs:
            yield analyze_document(doc)
        return
    # forkserver: safe even when the caller already runs engine threads (fork is not).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pending: deque[list] = deque()

    def texts():
        # Only the strings cross the process boundary; documents stay here, in order.
        for chunk in _chunks(docs, chunk_size):
            pending.append(chunk)
            yield [(d.title, d.body) if isinstance(d, SearchDocument) else ("", "") for d in chunk]

    with context.Pool(workers) as pool:
        for tokens in pool.imap(_analyze_texts, texts(), chunksize=1):
            for doc, (title, body) in zip(pending.popleft(), tokens):
                if isinstance(doc, AnalyzedDocument):
                    yield doc
                else:
                    yield AnalyzedDocument(doc, title, body)
