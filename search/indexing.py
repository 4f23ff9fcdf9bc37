"""Turning documents into analysed documents, optionally in worker processes."""

from __future__ import annotations

import multiprocessing
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from .analysis import index_text
from .documents import SearchDocument
from .thesaurus import get_thesaurus, pinyin_text

__all__ = [
    "LAYOUT_VERSION",
    "SAMPLE_RATE",
    "TITLE_WEIGHT",
    "AnalyzedDocument",
    "analyze_document",
    "analyze_documents",
    "in_sample",
    "urgency_rank",
]

_URGENCY_SHIFT = 40
# Version of what backends store per document (fields, text_tokens, the sample): an index
# written under another version must be rebuilt, and says so in its health.
LAYOUT_VERSION = 4
# How many times the title counts against the body in the one text field every backend
# searches: BM25F's field weighting, folded into term frequency at index time (title tokens
# written twice), so one posting list per word serves both matching and ranking.
TITLE_WEIGHT = 2


@dataclass(frozen=True, slots=True)
class AnalyzedDocument:
    """A document with its title and body already turned into space-joined index tokens,
    the pinyin (full and initials) of the title's words, and the thesaurus concepts of its
    terms (see :meth:`search.thesaurus.Thesaurus.concepts`; the embedded backend indexes
    them, Elasticsearch expands at query time with its synonym graph instead)."""

    document: SearchDocument
    title_tokens: str
    body_tokens: str
    pinyin_tokens: str = ""
    concept_tokens: str = ""

    @property
    def text_tokens(self) -> str:
        """Title tokens ``TITLE_WEIGHT`` times, then body tokens, then the title's pinyin
        once: the searched field."""
        parts = [self.title_tokens] * TITLE_WEIGHT if self.title_tokens else []
        if self.body_tokens:
            parts.append(self.body_tokens)
        if self.pinyin_tokens:
            parts.append(self.pinyin_tokens)
        return " ".join(parts)


_Doc = SearchDocument | AnalyzedDocument


def analyze_document(doc: SearchDocument | AnalyzedDocument) -> AnalyzedDocument:
    """Analyse ``doc`` unless that was already done."""
    if isinstance(doc, AnalyzedDocument):
        return doc
    return AnalyzedDocument(doc, *_analyze_text(doc.title, doc.body))


def urgency_rank(doc: SearchDocument) -> int:
    """One sortable integer: higher urgency first, then newer (``created_at`` seconds)."""
    urgency = 0 if doc.urgency is None else min(max(doc.urgency, -1), 1000) + 1
    return (urgency << _URGENCY_SHIFT) | max(0, int(doc.created_at.timestamp()))


# One document in SAMPLE_RATE is in the counting sample (see search.embedded_counts).
SAMPLE_RATE = 16


def in_sample(doc: SearchDocument) -> bool:
    """Whether ``doc`` belongs to the fixed 1-in-``SAMPLE_RATE`` sample, chosen by its uid."""
    return zlib.crc32(doc.uid.encode("utf-8")) % SAMPLE_RATE == 0


def _analyze_text(title: str, body: str) -> tuple[str, str, str, str]:
    title_tokens, body_tokens = index_text(title), index_text(body)
    concepts = get_thesaurus().concept_text
    weighted_title = " ".join([concepts(title_tokens)] * TITLE_WEIGHT)
    return (
        title_tokens,
        body_tokens,
        pinyin_text(title_tokens),
        f"{weighted_title} {concepts(body_tokens)}".strip(),
    )


def _analyze_texts(chunk: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    return [_analyze_text(title, body) for title, body in chunk]


def _chunks(docs: Iterable[_Doc], size: int) -> Iterator[list[_Doc]]:
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
    pending: deque[list[_Doc]] = deque()

    def texts() -> Iterator[list[tuple[str, str]]]:
        # Only the strings cross the process boundary; documents stay here, in order.
        for chunk in _chunks(docs, chunk_size):
            pending.append(chunk)
            yield [(d.title, d.body) if isinstance(d, SearchDocument) else ("", "") for d in chunk]

    with context.Pool(workers) as pool:
        for tokens in pool.imap(_analyze_texts, texts(), chunksize=1):
            for doc, analysed in zip(pending.popleft(), tokens):
                if isinstance(doc, AnalyzedDocument):
                    yield doc
                else:
                    yield AnalyzedDocument(doc, *analysed)
