"""Plain records exchanged with the search backends: documents, queries, results, health."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "FACET_FIELDS",
    "FILTER_FIELDS",
    "KINDS",
    "SORTS",
    "Health",
    "Hit",
    "SearchDocument",
    "SearchQuery",
    "SearchResult",
]

Kind = Literal["need", "project", "fund", "offer", "scheme"]
Sort = Literal["relevance", "urgency", "newest"]

KINDS: tuple[str, ...] = ("need", "project", "fund", "offer", "scheme")
SORTS: tuple[str, ...] = ("relevance", "urgency", "newest")
# Exact-match fields: usable as filters and as facets.
FACET_FIELDS: tuple[str, ...] = ("kind", "category", "town", "urgency", "status")
# ``urgency_min`` keeps documents whose urgency is at least the given value.
FILTER_FIELDS: tuple[str, ...] = (*FACET_FIELDS, "urgency_min")
MAX_PER_PAGE = 100


def _check_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchDocument:
    """One searchable record: an anonymized need, or a help source (project, fund, offer, scheme).

    ``title`` and ``body`` must already be the reviewed public text: the index holds no PII.
    ``category`` is the main category; ``categories`` may list more. ``updated_at``
    defaults to ``created_at``.
    """

    kind: Kind
    id: str
    title: str
    body: str = ""
    category: str | None = None
    categories: tuple[str, ...] = ()
    town: str | None = None
    urgency: int | None = None
    status: str | None = None
    amount_needed: float | None = None
    amount_remaining: float | None = None
    created_at: datetime
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if not isinstance(self.id, str) or not self.id or len(self.id) > 200:
            raise ValueError("id must be a non-empty string of at most 200 characters")
        if self.urgency is not None and (
            isinstance(self.urgency, bool) or not isinstance(self.urgency, int)
        ):
            raise ValueError("urgency must be an int or None")
        _check_aware("created_at", self.created_at)
        if self.updated_at is None:
            object.__setattr__(self, "updated_at", self.created_at)
        _check_aware("updated_at", self.updated_at or self.created_at)
        object.__setattr__(self, "categories", tuple(self.categories))
        for name in ("amount_needed", "amount_remaining"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))

    @property
    def uid(self) -> str:
        """Identity inside an index: the same kind and id is the same document."""
        return f"{self.kind}:{self.id}"

    @property
    def all_categories(self) -> tuple[str, ...]:
        """``category`` followed by ``categories``, without duplicates or blanks."""
        values = (self.category, *self.categories)
        return tuple(dict.fromkeys(v for v in values if v))

    def to_payload(self) -> dict[str, Any]:
        """JSON-serialisable dict of every field (datetimes as ISO 8601 strings)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "category": self.category,
            "categories": list(self.categories),
            "town": self.town,
            "urgency": self.urgency,
            "status": self.status,
            "amount_needed": self.amount_needed,
            "amount_remaining": self.amount_remaining,
            "created_at": self.created_at.isoformat(),
            "updated_at": (self.updated_at or self.created_at).isoformat(),
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SearchDocument:
        """Inverse of :meth:`to_payload`."""
        values = dict(data)
        values["categories"] = tuple(values.get("categories") or ())
        values["created_at"] = datetime.fromisoformat(values["created_at"])
        values["updated_at"] = datetime.fromisoformat(values["updated_at"])
        return cls(**values)


def _as_values(name: str, raw: Any) -> tuple[Any, ...]:
    values = tuple(raw) if isinstance(raw, (list, tuple, set, frozenset)) else (raw,)
    if name in ("urgency", "urgency_min"):
        try:
            values = tuple(int(v) for v in values if not isinstance(v, bool))
        except (TypeError, ValueError):
            raise ValueError(f"filter {name} takes integers") from None
        if name == "urgency_min" and len(values) != 1:
            raise ValueError("filter urgency_min takes one integer")
    else:
        values = tuple(str(v) for v in values if v is not None and v != "")
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchQuery:
    """What the user asked: free text, exact filters, wanted facets, sort and page.

    ``filters`` maps a field of ``FILTER_FIELDS`` to a value or a list of values; a list
    means any of them; fields combine with AND. An empty filter list is ignored.
    ``per_page`` is clamped to 1..100 and ``page`` to at least 1. Unknown field names raise
    ``ValueError`` (a programming or request error); the free text never does. ``relaxed``
    asks a long query for half of its words instead of most (see
    :func:`search.query_plan.plan_query`), for a second try when it matched nothing.
    ``expand`` (the default) also finds the words' thesaurus alternatives (synonyms,
    narrower terms, what a word in pinyin spells), ranked below the words themselves.
    """

    text: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 10
    relaxed: bool = False
    expand: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.text if isinstance(self.text, str) else "")
        normalized = {}
        for name, raw in dict(self.filters or {}).items():
            if name not in FILTER_FIELDS:
                raise ValueError(f"unknown filter {name!r}; use one of {FILTER_FIELDS}")
            values = _as_values(name, raw)
            if values:
                normalized[name] = values
        object.__setattr__(self, "filters", normalized)
        facets = tuple(dict.fromkeys(self.facets or ()))
        for name in facets:
            if name not in FACET_FIELDS:
                raise ValueError(f"unknown facet {name!r}; use one of {FACET_FIELDS}")
        object.__setattr__(self, "facets", facets)
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")
        object.__setattr__(self, "page", max(1, _int(self.page, 1)))
        object.__setattr__(self, "per_page", min(MAX_PER_PAGE, max(1, _int(self.per_page, 10))))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: the stored document plus highlighted HTML for title and snippet.

    ``title_html`` and ``snippet`` are safe HTML: query terms in ``<mark>``, the rest escaped.
    """

    kind: str
    id: str
    title: str
    title_html: str
    snippet: str
    score: float
    document: SearchDocument


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of hits, the total number of matches, and facet counts over all matches.

    ``estimated`` is true when ``total`` and the facet counts were scaled up from a sample
    of the index rather than counted (a backend may do so above some number of matches;
    the hits are exact either way). Callers should show them as approximate ("约").
    """

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str | int, int]]]
    page: int = 1
    per_page: int = 10
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Health:
    """Backend status for the admin page and the readiness probe; ``detail`` is user-facing."""

    ok: bool
    backend: str
    detail: str
    doc_count: int | None = None
    location: str = ""
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def facet_list(counts: Iterable[tuple[str | int, int]]) -> list[tuple[str | int, int]]:
    """Facet buckets in display order: most documents first, then by value."""
    return sorted(((v, c) for v, c in counts if c > 0), key=lambda vc: (-vc[1], str(vc[0])))
