"""The embedded backend's fast paths give the results of the straightforward ones.

Fast paths: highlighting by ``str.find`` per term (instead of one compiled alternation),
query plans cached per text, and counting in the request's own thread when the count is
small (instead of always on the counting thread).
"""

from __future__ import annotations

import random
import re

import pytest

from search import highlight
from search.documents import SearchQuery
from search.embedded import EmbeddedBackend
from search.query_plan import _plan_query, plan_query


def _regex_matches(norm: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """The reference: one alternation of the terms, longest first, found left to right."""
    pattern = re.compile("|".join(map(re.escape, sorted(set(terms), key=len, reverse=True))))
    return [(m.start(), m.end()) for m in pattern.finditer(norm)]


def test_highlight_matches_equal_the_regex_alternation():
    rng = random.Random(3)
    alphabet = "白血病癌症老人aab"  # few symbols: terms overlap, nest and repeat
    for _ in range(3000):
        norm = "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
        terms = ["".join(rng.choices(alphabet, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 8))]
        ordered = highlight._longest_first(tuple(terms))
        assert highlight._matches(norm, ordered) == _regex_matches(norm, ordered), (norm, terms)


_TITLE_WORDS = ["白血病", "血癌", "车祸", "交通事故", "肺癌", "火灾", "着火", "低保", "助学", "老人",
                "透析", "尿毒症", "独居", "ＡＢ学费", "梁村"]
_QUERY_WORDS = ["白血病", "血癌", "baixuebing", "bxb", "车祸", "癌症", "重病", "着火", "学费", "上学",
                "老人", "独居老人", "透析", "低保 老人", "梁村镇", "ab学费", "助学 白血病 老人 透析"]
_FILTERS = [{}, {"kind": "need"}, {"town": "梁村镇"}, {"urgency_min": 3}, {"kind": ["project", "fund"]}]


@pytest.fixture
def engine(tmp_path, make_doc):
    rng = random.Random(17)
    docs = [
        make_doc(
            str(i),
            kind=rng.choice(["need", "need", "project", "fund"]),
            title="".join(rng.choices(_TITLE_WORDS, k=rng.randint(1, 3))),
            body="，".join(rng.choices(_TITLE_WORDS, k=rng.randint(0, 12))) + "。" * rng.randint(0, 60),
            category=rng.choice(["医疗", "教育", "生活"]),
            town=rng.choice(["梁村镇", "尹集镇", None]),
            urgency=rng.choice([1, 3, 5, None]),
            status="published",
            age_days=i % 90,
        )
        for i in range(400)
    ]
    backend = EmbeddedBackend(tmp_path / "index")
    backend.rebuild(docs)
    yield backend
    backend.close()


def _answer(engine: EmbeddedBackend, query: SearchQuery) -> tuple:
    result = engine.search(query)
    hits = [(h.kind, h.id, h.score, h.title_html, h.snippet) for h in result.hits]
    return result.total, result.estimated, result.facets, hits


def test_embedded_fast_paths_give_the_straightforward_results(engine, monkeypatch):
    rng = random.Random(5)
    queries = [
        SearchQuery(
            text=rng.choice(_QUERY_WORDS),
            expand=rng.random() < 0.7,
            filters=rng.choice(_FILTERS),
            facets=("kind", "town", "category"),
            sort=rng.choice(["relevance", "relevance", "newest"]),
            page=rng.choice([1, 1, 2]),
            per_page=rng.choice([5, 10]),
        )
        for _ in range(60)
    ]
    fast = [_answer(engine, q) for q in queries]
    # The straightforward paths: every count on the counting thread, plans made afresh,
    # highlights found by the regular expression.
    engine._counter.background_above = -1
    monkeypatch.setattr(highlight, "_matches", _regex_matches)
    straightforward = []
    for query in queries:
        _plan_query.cache_clear()
        straightforward.append(_answer(engine, query))
    assert fast == straightforward
    assert sum(bool(answer[3]) for answer in fast) > 40  # most queries find something
    assert sum("<mark>" in hit[4] for answer in fast for hit in answer[3]) > 100


def test_cached_plan_is_the_plan_made_afresh():
    for text in _QUERY_WORDS:
        for expand in (False, True):
            cached = plan_query(text, expand=expand)
            assert plan_query(text, expand=expand) is cached
            assert _plan_query.__wrapped__(text, False, expand) == cached
