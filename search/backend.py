"""The contract every search engine implements, and the factory that picks one from a URL."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .documents import Health, SearchDocument, SearchQuery, SearchResult

__all__ = ["SearchBackend", "SearchError", "SearchUnavailable", "make_backend"]


class SearchError(Exception):
    """Base class of search errors."""


class SearchUnavailable(SearchError):
    """The engine cannot be reached or opened; callers fall back to a database query."""


@runtime_checkable
class SearchBackend(Protocol):
    """A search engine holding :class:`SearchDocument` records.

    Writes are upserts keyed by (kind, id) and are searchable within a second of returning.
    ``rebuild`` builds a complete new index from ``docs`` beside the live one and switches
    to it atomically, so searches keep answering from the old index meanwhile.
    Every method raises :class:`SearchUnavailable` when the engine is down, except
    ``health``, which reports it.
    """

    def index_many(self, docs: Iterable[SearchDocument]) -> int:
        """Add or replace ``docs``; return how many were written."""
        ...

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        """Remove documents of ``kind`` with these ids (missing ones are ignored)."""
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """The page of hits for ``query`` (exact), with the total and facet counts over every
        match: exact, or estimated above some number of matches (``SearchResult.estimated``).
        """
        ...

    def count(self) -> int:
        """Number of documents in the live index."""
        ...

    def titles(self, text: str, limit: int = 5) -> list[str]:
        """Titles of the best ``limit`` matches of ``text`` (thesaurus applied), for
        suggestions as people type; no counting."""
        ...

    def clear(self) -> None:
        """Replace the live index with an empty one."""
        ...

    def rebuild(self, docs: Iterable[SearchDocument]) -> int:
        """Index ``docs`` into a fresh index, then swap it in; return how many were indexed."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


def make_backend(url_or_path: str | Path, **options: Any) -> SearchBackend:
    """Return the Elasticsearch backend for an http(s) URL, else the embedded one at that path."""
    target = str(url_or_path)
    # Only the backend in use loads its package (elasticsearch, or tantivy).
    if target.startswith(("http://", "https://")):
        from .elastic import ElasticBackend

        return ElasticBackend(target, **options)
    from .embedded import EmbeddedBackend

    return EmbeddedBackend(Path(target), **options)
