"""Hard constraints and text ranking of candidate generation."""

import numpy as np

from matching.candidates import generate_candidates, top_k_per_column
from matching.index import NeedArrays, ResourceIndex
from matching.records import Exclusions


def _candidate_ids(needs, resources, *, top_k=10, cause_blocked=None, blocked_pairs=()):
    index = ResourceIndex.build(resources)
    blocked = np.zeros(len(needs), bool) if cause_blocked is None else np.asarray(cause_blocked)
    arrays = NeedArrays.encode(needs, index, cause_blocked=blocked)
    found = generate_candidates(arrays, index, top_k=top_k, blocked_pairs=blocked_pairs)
    return [
        (needs[n].id, int(index.ids[r]), float(s))
        for n, r, s in zip(found.need_idx, found.res_idx, found.text_sim)
    ]


def _resource_ids(pairs):
    return sorted(r for _, r, _ in pairs)


def test_candidates_keep_only_accepted_category(need_record, resource_record):
    resources = [
        resource_record(100),
        resource_record(101, categories=frozenset({"education"})),
        resource_record(102, categories=frozenset()),
    ]
    assert _resource_ids(_candidate_ids([need_record()], resources)) == [100, 102]


def test_candidates_keep_only_served_town(need_record, resource_record):
    resources = [
        resource_record(100),
        resource_record(101, towns=frozenset({"琉璃寺镇"})),
        resource_record(102, towns=frozenset()),
    ]
    assert _resource_ids(_candidate_ids([need_record()], resources)) == [100, 102]


def test_candidates_drop_resources_without_capacity(need_record, resource_record):
    resources = [resource_record(100), resource_record(101, kind="fund", capacity=0.0)]
    assert _resource_ids(_candidate_ids([need_record()], resources)) == [100]


def test_candidates_require_every_eligibility_flag(need_record, resource_record):
    resources = [
        resource_record(100, requires=frozenset({"dibao"})),
        resource_record(101, requires=frozenset({"serious_illness"})),
    ]
    assert _resource_ids(_candidate_ids([need_record()], resources)) == [101]


def test_candidates_respect_age_limits(need_record, resource_record):
    resources = [
        resource_record(100, max_age=18),
        resource_record(101, min_age=18, max_age=60),
        resource_record(102, min_age=60),
    ]
    assert _resource_ids(_candidate_ids([need_record(age=45)], resources)) == [101]


def test_candidates_skip_age_limited_resources_when_age_unknown(need_record, resource_record):
    resources = [resource_record(100, min_age=18), resource_record(101)]
    assert _resource_ids(_candidate_ids([need_record(age=None)], resources)) == [101]


def test_candidates_offer_needs_shared_service(need_record, resource_record):
    offer = {"kind": "offer", "unit": "hours", "capacity": 40.0, "per_case_cap": 8.0}
    resources = [
        resource_record(100, services=frozenset({"心理疏导"}), **offer),
        resource_record(101, services=frozenset({"课业辅导"}), **offer),
    ]
    need = need_record(services=frozenset({"心理疏导", "陪护就医"}))
    assert _resource_ids(_candidate_ids([need], resources)) == [100]


def test_candidates_skip_unit_the_need_does_not_lack(need_record, resource_record):
    offer = resource_record(100, kind="offer", unit="hours", capacity=40.0,
                          services=frozenset({"心理疏导"}))
    assert _candidate_ids([need_record(services=frozenset())], [offer]) == []


def test_candidates_once_per_cause_blocks_schemes_and_funds_only(need_record, resource_record):
    resources = [
        resource_record(100, kind="project"),
        resource_record(101, kind="fund"),
        resource_record(102, kind="scheme"),
    ]
    pairs = _candidate_ids([need_record()], resources, cause_blocked=[True])
    assert _resource_ids(pairs) == [100]


def test_candidates_leave_out_blocked_pairs(need_record, resource_record):
    resources = [resource_record(100), resource_record(101)]
    pairs = _candidate_ids([need_record()], resources, blocked_pairs=[(0, 0)])
    assert _resource_ids(pairs) == [101]


def test_candidates_keep_top_k_by_text(need_record, resource_record):
    resources = [
        resource_record(100, tokens=("助学", "学费")),
        resource_record(101, tokens=("白血病", "化疗", "医疗费")),
        resource_record(102, tokens=("房屋", "修缮")),
    ]
    pairs = _candidate_ids([need_record()], resources, top_k=1)
    assert [r for _, r, _ in pairs] == [101]
    assert pairs[0][2] > 0


def test_candidates_accept_empty_text(need_record, resource_record):
    resources = [resource_record(100, tokens=()), resource_record(101, tokens=())]
    pairs = _candidate_ids([need_record(tokens=())], resources)
    assert _resource_ids(pairs) == [100, 101]
    assert all(sim == 0.0 for _, _, sim in pairs)


def test_candidates_vectorise_few_needs_like_scikit_learn(need_record, resource_record):
    resources = [resource_record(100 + i, tokens=tuple(f"词{j}" for j in range(i, i + 5)))
                 for i in range(60)]
    index = ResourceIndex.build(resources)
    tokens = [("词3", "词3", "词7", "未知"), (), ("词50", "词1")]
    fast = index.transform_tokens(tokens).toarray()
    slow = index.vectorizer.transform(tokens).toarray()
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-7)


def test_exclusions_block_cause_by_need_and_category(need_record):
    exclusions = Exclusions(blocked_causes=frozenset({(1, "medical")}))
    assert exclusions.blocks_cause(need_record(1))
    assert not exclusions.blocks_cause(need_record(1, category="education"))
    assert not exclusions.blocks_cause(need_record(2))


def test_top_k_per_column_matches_full_sort_with_ties_and_infeasible():
    rng = np.random.default_rng(0)
    for m, n, k in [(5, 3, 10), (700, 40, 10), (2_000, 7, 3), (97, 5, 1)]:
        key = np.round(rng.random((m, n)), 2).astype(np.float32)  # many ties
        key[rng.random((m, n)) < 0.3] = -np.inf
        key[:, 0] = -np.inf  # a need with no feasible resource
        rows, cols = top_k_per_column(key, k)
        for col in range(n):
            finite = np.flatnonzero(np.isfinite(key[:, col]))
            expected = finite[np.lexsort((finite, -key[finite, col]))][:k]
            assert rows[cols == col].tolist() == expected.tolist()


def test_candidates_prefer_lower_resource_on_equal_key(need_record, resource_record):
    resources = [resource_record(100 + j, tokens=("医疗费",)) for j in range(5)]
    pairs = _candidate_ids([need_record()], resources, top_k=2)
    assert _resource_ids(pairs) == [100, 101]
