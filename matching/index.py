"""Precomputed arrays over resources and needs, shared by the batch and single-need paths.

``ResourceIndex.build`` fits the text vectorizer on resource descriptions and turns every
restriction into a numpy array or bit mask once, so that candidate generation is array work
over blocks of resources rather than a Python loop over need × resource pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.records import KINDS, ONCE_PER_CAUSE_KINDS, UNITS, Need, Resource

#: ``max_df`` is only applied from this many resource documents on; in a tiny corpus every
#: shared term looks "very common" and would be dropped.
MIN_DOCS_FOR_MAX_DF = 50
#: Bonus added to text similarity when ranking candidates, so that with equal text a resource
#: dedicated to the category / town outranks one that accepts anything (and needs without
#: text still get the most specific resources).
SPECIFICITY_BONUS = 0.01
#: Bonus per unit of :attr:`ResourceIndex.specificity` in the candidate ranking key, so that a
#: resource made for the need's situation enters the candidate pool even when its description
#: shares few words with the need (the full score then decides). About the ratio of the
#: specificity and text weights of the default scorer.
RANK_SPECIFICITY = 1.0
#: Shares of the four eligibility dimensions in :func:`specificity` (they add up to 1).
SPECIFICITY_SHARES = {"requires": 0.6, "age": 0.2, "towns": 0.1, "categories": 0.1}
#: Age span (years) that counts as not narrowed at all.
FULL_AGE_SPAN = 100.0
#: Up to this many documents are vectorised by hand, skipping scikit-learn's input checks.
FAST_TRANSFORM_MAX = 8

KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
UNIT_CODE = {unit: code for code, unit in enumerate(UNITS)}


def identity_analyzer(tokens: Sequence[str]) -> Sequence[str]:
    """Return pre-analysed tokens unchanged (module level so the vectorizer pickles)."""
    return tokens


def resource_problem(resource: Resource) -> str | None:
    """Return why ``resource`` cannot be matched at all, or ``None``."""
    if resource.kind not in KIND_CODE:
        return f"unknown kind {resource.kind!r}"
    if resource.unit not in UNIT_CODE:
        return f"unknown unit {resource.unit!r}"
    if not resource.capacity >= 1:
        return "no remaining capacity"
    if resource.per_case_cap is not None and not resource.per_case_cap >= 1:
        return "contradictory restrictions: per-case cap below one unit"
    if (
        resource.min_age is not None
        and resource.max_age is not None
        and resource.min_age > resource.max_age
    ):
        return "contradictory restrictions: min_age > max_age"
    if resource.kind == "offer" and not resource.services:
        return "contradictory restrictions: volunteer offer without services"
    return None


def specificity(resource: Resource) -> float:
    """Return how narrowly ``resource`` targets a situation, in [0, 1].

    Every candidate already satisfies the resource's restrictions, so the narrower they are,
    the more the resource was made for exactly this kind of need. Shares
    (:data:`SPECIFICITY_SHARES`): required household situations 0.6 (any at all: full share),
    age range 0.2 (1 - span / 100 years), towns 0.1 (1 / number of towns, 0 county-wide),
    categories 0.1 (1 / number of categories, 0 for any category). Towns and categories weigh
    little here because ``same_town`` and ``category_exact`` already score them.
    """
    shares = SPECIFICITY_SHARES
    low = 0.0 if resource.min_age is None else float(resource.min_age)
    high = FULL_AGE_SPAN if resource.max_age is None else float(resource.max_age)
    age = 0.0
    if resource.min_age is not None or resource.max_age is not None:
        age = min(max(1.0 - max(high - low, 0.0) / FULL_AGE_SPAN, 0.0), 1.0)
    towns = 1.0 / len(resource.towns) if resource.towns else 0.0
    categories = 1.0 / len(resource.categories) if resource.categories else 0.0
    return (
        shares["requires"] * (1.0 if resource.requires else 0.0)
        + shares["age"] * age
        + shares["towns"] * towns
        + shares["categories"] * categories
    )


class Vocabulary:
    """Maps a small set of labels (flags, services) to bit positions."""

    def __init__(self, labels: Iterable[str]):
        self.positions = {label: pos for pos, label in enumerate(sorted(set(labels)))}
        self.words = max(1, -(-len(self.positions) // 64))

    def encode(self, label_sets: Sequence[frozenset[str]]) -> np.ndarray:
        """Return an ``(n, words)`` uint64 bit mask; labels outside the vocabulary are ignored."""
        out = np.zeros((len(label_sets), self.words), dtype=np.uint64)
        rows, bits = [], []
        for row, labels in enumerate(label_sets):
            for label in labels:
                pos = self.positions.get(label)
                if pos is not None:
                    rows.append(row)
                    bits.append(pos)
        if rows:
            bits_arr = np.asarray(bits, dtype=np.int64)
            np.bitwise_or.at(
                out,
                (np.asarray(rows), bits_arr // 64),
                np.left_shift(np.uint64(1), (bits_arr % 64).astype(np.uint64)),
            )
        return out


def popcount(masks: np.ndarray) -> np.ndarray:
    """Count set bits per row of an ``(n, words)`` uint64 array."""
    if masks.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    as_bytes = np.ascontiguousarray(masks).view(np.uint8).reshape(masks.shape[0], -1)
    counts: np.ndarray = np.unpackbits(as_bytes, axis=1).sum(axis=1, dtype=np.int64)
    return counts


def _label_incidence(label_sets: Sequence[frozenset[str]]) -> tuple[dict[str, int], sp.csc_matrix]:
    labels = sorted({label for labels in label_sets for label in labels})
    code = {label: pos for pos, label in enumerate(labels)}
    rows = [row for row, labels in enumerate(label_sets) for _ in labels]
    cols = [code[label] for labels in label_sets for label in labels]
    matrix = sp.csc_matrix(
        (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(label_sets), len(labels))
    )
    return code, matrix


class ResourceIndex:
    """Resources turned into arrays, with a fitted vectorizer; build once, query many times."""

    def __init__(self, resources: Sequence[Resource], *, max_df: float = 0.5):
        self.resources = tuple(resources)
        res = self.resources
        n = len(res)
        self.ids = np.fromiter((r.id for r in res), dtype=np.int64, count=n)
        self.problems = [resource_problem(r) for r in res]
        self.usable = np.fromiter((p is None for p in self.problems), dtype=bool, count=n)
        self.kind = np.fromiter((KIND_CODE.get(r.kind, -1) for r in res), dtype=np.int8, count=n)
        self.unit = np.fromiter((UNIT_CODE.get(r.unit, 0) for r in res), dtype=np.int8, count=n)
        # Whole units only: a fraction of a yuan or an hour is never promised.
        self.capacity = np.floor(
            np.fromiter((max(r.capacity, 0.0) for r in res), dtype=np.float64, count=n)
        )
        self.per_case_cap = np.floor(
            np.fromiter(
                (np.inf if r.per_case_cap is None else r.per_case_cap for r in res),
                dtype=np.float64,
                count=n,
            )
        )
        self.min_age = np.fromiter(
            (-np.inf if r.min_age is None else r.min_age for r in res), dtype=np.float64, count=n
        )
        self.max_age = np.fromiter(
            (np.inf if r.max_age is None else r.max_age for r in res), dtype=np.float64, count=n
        )
        self.age_limited = np.isfinite(self.min_age) | np.isfinite(self.max_age)
        self.once_per_cause = np.isin(self.kind, [KIND_CODE[k] for k in ONCE_PER_CAUSE_KINDS])
        self.is_offer = self.kind == KIND_CODE["offer"]
        self.specificity = np.fromiter((specificity(r) for r in res), dtype=np.float64, count=n)

        self.category_code, self.category_matrix = _label_incidence([r.categories for r in res])
        self.town_code, self.town_matrix = _label_incidence([r.towns for r in res])
        self.any_category = np.fromiter((not r.categories for r in res), dtype=bool, count=n)
        self.county_wide = np.fromiter((not r.towns for r in res), dtype=bool, count=n)

        self.flags = Vocabulary(flag for r in res for flag in r.requires)
        self.requires = self.flags.encode([r.requires for r in res])
        self.has_requires = np.asarray(self.requires.any(axis=1), dtype=bool)
        self.service_vocab = Vocabulary(s for r in res for s in r.services)
        self.services = self.service_vocab.encode([r.services for r in res])

        self.vectorizer = TfidfVectorizer(
            analyzer=identity_analyzer,
            token_pattern=None,
            lowercase=False,
            sublinear_tf=True,
            max_df=max_df if n >= MIN_DOCS_FOR_MAX_DF else 1.0,
            dtype=np.float32,
        )
        try:
            self.text = self.vectorizer.fit_transform([r.tokens for r in res]).tocsr()
            self.has_vocabulary = True
        except ValueError:
            # No resource has a usable term: text similarity is simply zero everywhere.
            self.text = sp.csr_matrix((n, 0), dtype=np.float32)
            self.has_vocabulary = False
        self._idf = self.vectorizer.idf_ if self.has_vocabulary else np.zeros(0)
        self._blocks: dict[tuple[str, str], Block] = {}

    @classmethod
    def build(cls, resources: Sequence[Resource], *, max_df: float = 0.5) -> ResourceIndex:
        """Build the index over ``resources`` (unusable ones are kept but never proposed)."""
        return cls(resources, max_df=max_df)

    def warm(self) -> ResourceIndex:
        """Lay out every block of known categories × known towns now, not on first query."""
        for category in self.category_code:
            for town in self.town_code:
                self.block(category, town)
        return self

    def __len__(self) -> int:
        return len(self.resources)

    def block(self, category: str, town: str) -> Block:
        """Return the usable resources accepting ``category`` and serving ``town``."""
        key = (category, town)
        cached = self._blocks.get(key)
        if cached is not None:
            return cached
        accepts = self.any_category.copy()
        col = self.category_code.get(category)
        if col is not None:
            accepts[self.category_matrix[:, col].indices] = True
        serves = self.county_wide.copy()
        col = self.town_code.get(town)
        if col is not None:
            serves[self.town_matrix[:, col].indices] = True
        block = Block.of(self, np.flatnonzero(accepts & serves & self.usable))
        self._blocks[key] = block
        return block
    def transform_tokens(self, token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Return the L2-normalised TF-IDF rows of ``token_lists`` in the resource vocabulary."""
        if not self.has_vocabulary:
            return sp.csr_matrix((len(token_lists), 0), dtype=np.float32)
        if len(token_lists) <= FAST_TRANSFORM_MAX:
            return self._transform_few(token_lists)
        return self.vectorizer.transform(token_lists).tocsr()

    def _transform_few(self, token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Same result as ``vectorizer.transform`` without its per-call validation overhead."""
        vocabulary = self.vectorizer.vocabulary_
        indptr, indices, values = [0], [], []
        for tokens in token_lists:
            counts: dict[int, int] = {}
            for token in tokens:
                col = vocabulary.get(token)
                if col is not None:
                    counts[col] = counts.get(col, 0) + 1
            cols = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
            tf = np.fromiter((counts[c] for c in cols.tolist()), dtype=np.float64, count=cols.size)
            row = (1.0 + np.log(tf)) * self._idf[cols]
            norm = np.sqrt(row @ row)
            if norm > 0:
                row /= norm
            indices.append(cols)
            values.append(row.astype(np.float32))
            indptr.append(indptr[-1] + cols.size)
        return sp.csr_matrix(
            (np.concatenate(values), np.concatenate(indices), np.asarray(indptr)),
            shape=(len(token_lists), self.text.shape[1]),
        )


def _with_bonus_column(text: sp.csr_matrix, bonus: np.ndarray) -> sp.csr_matrix:
    ranking = sp.hstack([text, sp.csr_matrix(bonus.reshape(-1, 1))], format="csr")
    ranking.eliminate_zeros()
    return ranking.astype(np.float32)


@dataclass(frozen=True)
class Segment:
    """Resources of one block sharing a unit and offer-ness, laid out for one sparse product.

    A need is only multiplied against the segments of the units it still lacks. Columns with
    an eligibility, age or once-per-cause rule are listed apart so that masking them touches
    only those rows of the (resources × needs) similarity chunk.
    """

    unit: int
    is_offer: bool
    indices: np.ndarray  # int64 rows into the resource index, ascending
    bonus: np.ndarray  # (size, 1) float32 ranking bonus for category/town specific resources
    ranking: sp.csr_matrix  # (size, vocabulary + 1) TF-IDF rows, then the bonus column
    offered: np.ndarray  # (size, words) services a volunteer offer provides
    requires_cols: np.ndarray
    age_cols: np.ndarray
    once_per_cause_cols: np.ndarray

    @property
    def size(self) -> int:
        """Number of resources in the segment."""
        return self.indices.size


@dataclass(frozen=True)
class Block:
    """Resources sharing the category/town hard constraints, split into :class:`Segment` s."""

    indices: np.ndarray
    segments: tuple[Segment, ...]

    @classmethod
    def of(cls, index: ResourceIndex, indices: np.ndarray) -> Block:
        """Lay out ``indices`` of ``index`` as a block."""
        code = index.unit[indices].astype(np.int64) * 2 + index.is_offer[indices]
        segments = []
        for value in np.unique(code):
            rows = np.sort(indices[code == value])
            bonus = (SPECIFICITY_BONUS * (
                (~index.any_category[rows]).astype(np.float32)
                + (~index.county_wide[rows]).astype(np.float32)
            ) + RANK_SPECIFICITY * index.specificity[rows]).astype(np.float32)
            segments.append(Segment(
                unit=int(value // 2),
                is_offer=bool(value % 2),
                indices=rows,
                bonus=bonus.reshape(-1, 1),
                ranking=_with_bonus_column(index.text[rows], bonus),
                offered=index.services[rows],
                requires_cols=np.flatnonzero(index.has_requires[rows]),
                age_cols=np.flatnonzero(index.age_limited[rows]),
                once_per_cause_cols=np.flatnonzero(index.once_per_cause[rows]),
            ))
        return cls(indices=np.sort(indices), segments=tuple(segments))

    @property
    def size(self) -> int:
        """Number of resources in the block."""
        return self.indices.size


@dataclass(frozen=True)
class NeedArrays:
    """Needs encoded against a :class:`ResourceIndex`."""

    needs: tuple[Need, ...]
    ids: np.ndarray
    demand: np.ndarray  # (n, len(UNITS)) whole units still missing
    age: np.ndarray  # float, nan when unknown
    flags: np.ndarray  # (n, words) eligibility flags in the index's flag vocabulary
    services: np.ndarray  # (n, words) needed services in the index's service vocabulary
    service_count: np.ndarray  # number of distinct services needed (known or not)
    cause_blocked: np.ndarray  # bool: barred from scheme/fund resources
    text: sp.csr_matrix

    @classmethod
    def encode(
        cls, needs: Sequence[Need], index: ResourceIndex, *, cause_blocked: np.ndarray
    ) -> NeedArrays:
        """Encode ``needs`` for candidate generation over ``index``."""
        needs = tuple(needs)
        n = len(needs)
        demand = np.floor(np.array([[nd.demand(u) for u in UNITS] for nd in needs]).reshape(n, -1))
        return cls(
            needs=needs,
            ids=np.fromiter((nd.id for nd in needs), dtype=np.int64, count=n),
            demand=demand,
            age=np.fromiter(
                (np.nan if nd.age is None else nd.age for nd in needs), dtype=np.float64, count=n
            ),
            flags=index.flags.encode([nd.vulnerability for nd in needs]),
            services=index.service_vocab.encode([nd.services for nd in needs]),
            service_count=np.fromiter((len(nd.services) for nd in needs), dtype=np.int64, count=n),
            cause_blocked=np.asarray(cause_blocked, dtype=bool),
            text=index.transform_tokens([nd.tokens for nd in needs]),
        )
