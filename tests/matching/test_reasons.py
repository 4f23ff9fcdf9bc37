"""Reason codes for what was not proposed: one rule per resource, counted per skipped need."""

import pytest

from matching.pipeline import ResourceIndex, run_batch, why_not
from matching.records import Exclusions


@pytest.fixture
def county(need_record, resource_record):
    """An adult's illness in 梁村镇 that every listing but one fund is barred from by a rule,
    a more urgent need that takes that fund, and a need whose gap is already covered."""
    adult = need_record(1, urgency=2, gap=5_000.0, vulnerability=frozenset())
    urgent = need_record(2, urgency=4, gap=5_000.0, vulnerability=frozenset())
    covered = need_record(3, gap=0.0)
    resources = [
        resource_record(100, categories=frozenset({"fire"})),                    # category
        resource_record(101, towns=frozenset({"清平镇"})),                         # town
        resource_record(102, requires=frozenset({"disability"})),                 # household
        resource_record(103, min_age=0, max_age=17),                              # age
        resource_record(104, kind="offer", unit="hours", capacity=40.0,
                      services=frozenset({"陪护就医"})),                          # kind
        resource_record(105, kind="fund", capacity=5_000.0),                      # taken by #2
        resource_record(106, kind="fund", capacity=0.0),                          # used up before
    ]
    return [adult, urgent, covered], resources


def test_each_skipped_need_says_which_rule_removed_each_resource(county):
    needs, resources = county
    result = run_batch(needs, resources)
    assert [(p.need_id, p.resource_id) for p in result.proposals] == [(2, 105)]
    skipped = {s.id: s for s in result.skipped if s.kind == "need"}
    adult = skipped[1]
    assert adult.reason == "capacity used by other needs"
    assert adult.reasons == {"category": 1, "town": 1, "household": 1, "age": 1, "kind": 1,
                             "capacity_used": 2}
    assert adult.competitors == (2,)
    assert sum(adult.reasons.values()) == len(resources)
    assert skipped[3].reasons == {"gap_covered": 1}
    assert result.unmet_need_ids == (1,)


def test_need_without_any_eligible_resource_is_told_so_by_rule(need_record, resource_record):
    need = need_record(1, town="尹集镇")
    result = run_batch([need], [resource_record(100), resource_record(101, towns=frozenset({"清平镇"}))])
    [skip] = [s for s in result.skipped if s.kind == "need"]
    assert (skip.reason, skip.reasons, skip.competitors) == (
        "no feasible candidate", {"town": 2}, ())


def test_decided_and_once_per_cause_pairs_are_named(need_record, resource_record):
    need = need_record(1, person_key="k")
    resources = [resource_record(100), resource_record(101, kind="scheme", towns=frozenset())]
    exclusions = Exclusions(blocked_causes=frozenset({(1, "medical")}),
                            blocked_pairs=frozenset({(1, 100)}))
    [skip] = [s for s in run_batch([need], resources, exclusions=exclusions).skipped
              if s.kind == "need"]
    assert skip.reasons == {"decided": 1, "once_per_cause": 1}
    index = ResourceIndex.build(resources)
    assert why_not(need, index, 100, exclusions=exclusions) == "decided"
    assert why_not(need, index, 101, exclusions=exclusions) == "once_per_cause"
    assert why_not(need, index, 100) is None


def test_why_not_names_the_first_failing_rule(county):
    needs, resources = county
    index = ResourceIndex.build(resources)
    adult = needs[0]
    got = {r.id: why_not(adult, index, r.id) for r in resources}
    assert got == {100: "category", 101: "town", 102: "household", 103: "age", 104: "kind",
                   105: None, 106: "capacity_used"}
    assert why_not(needs[2], index, 105) == "gap_covered"
    with pytest.raises(KeyError):
        why_not(adult, index, 999)


def test_fairness_by_town_and_category_against_greedy(need_record, resource_record):
    """A fund with room for one need in each of two towns' fire cases: the report shows, per
    town and category, the share proposed and the median gap covered, next to greedy's."""
    needs = [
        need_record(1, town="梁村镇", category="fire", gap=4_000.0, urgency=4),
        need_record(2, town="梁村镇", category="fire", gap=4_000.0, urgency=3),
        need_record(3, town="清平镇", category="fire", gap=4_000.0, urgency=2),
        need_record(4, town="清平镇", category="medical", gap=2_000.0, urgency=2),
    ]
    resources = [
        resource_record(100, kind="fund", categories=frozenset({"fire"}), towns=frozenset(),
                      capacity=8_000.0),
    ]
    result = run_batch(needs, resources)
    rows = {(r.town, r.category): r for r in result.fairness}
    assert set(rows) == {("梁村镇", "fire"), ("清平镇", "fire"), ("清平镇", "medical")}
    liangcun = rows[("梁村镇", "fire")]
    assert liangcun.n_open == 2
    given = {p.need_id: p.amount for p in result.proposals}
    assert liangcun.share_proposed == sum(1 for n in (1, 2) if n in given) / 2
    medical = rows[("清平镇", "medical")]
    assert (medical.share_proposed, medical.median_covered) == (0.0, 0.0)
    assert (medical.share_proposed_greedy, medical.median_covered_greedy) == (0.0, 0.0)
    # Greedy serves the most urgent first: both 梁村镇 needs, nothing for 清平镇's fire.
    assert rows[("清平镇", "fire")].share_proposed_greedy == 0.0
    assert liangcun.median_covered_greedy == 1.0
