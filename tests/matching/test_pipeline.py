"""Whole batches and single-need suggestions on scenarios a person can check by eye."""

import pytest

from matching.pipeline import ResourceIndex, run_batch, suggest_for_need
from matching.records import Exclusions
from matching.scoring import DefaultScorer


@pytest.fixture
def liangcun(need_record, resource_record):
    """An illness case in 梁村镇, its medical project, and distractors around it."""
    need = need_record(1)
    resources = [
        resource_record(100),  # medical project serving 梁村镇: the right one
        resource_record(101, categories=frozenset({"education"}), tokens=("助学", "学费")),
        resource_record(102, towns=frozenset({"琉璃寺镇"})),
        resource_record(103, kind="fund", categories=frozenset(), towns=frozenset(), capacity=0.0),
        resource_record(104, categories=frozenset(), towns=frozenset(), tokens=("慰问", "物资")),
    ]
    return need, resources


def test_run_batch_proposes_the_obvious_match_first(liangcun):
    need, resources = liangcun
    result = run_batch([need], resources)
    assert result.proposals[0].resource_id == 100
    assert result.proposals[0].need_id == 1
    assert result.proposals[0].amount == 20_000
    assert {p.resource_id for p in result.proposals} == {100}


def test_run_batch_explains_each_proposal(liangcun):
    need, resources = liangcun
    proposal = run_batch([need], resources).proposals[0]
    assert proposal.score == pytest.approx(sum(proposal.contributions.values()), abs=1e-5)
    assert proposal.contributions["same_town"] > 0 and proposal.contributions["text_sim"] > 0


def test_run_batch_skips_resource_without_capacity(liangcun):
    need, resources = liangcun
    skipped = run_batch([need], resources).skipped
    assert ("resource", 103, "no remaining capacity") in {(s.kind, s.id, s.reason) for s in skipped}


def test_run_batch_skips_need_without_gap(need_record, resource_record):
    result = run_batch([need_record(1, gap=0.0)], [resource_record(100)])
    assert [(s.kind, s.id, s.reason) for s in result.skipped] == [("need", 1, "no remaining gap")]
    assert result.proposals == ()


def test_run_batch_skips_contradictory_restrictions(need_record, resource_record):
    result = run_batch([need_record()], [resource_record(100, min_age=60, max_age=18)])
    reasons = {(s.kind, s.id): s.reason for s in result.skipped}
    assert reasons[("resource", 100)].startswith("contradictory restrictions")
    assert reasons[("need", 1)] == "no feasible candidate"


def test_run_batch_skips_invalid_urgency(need_record, resource_record):
    result = run_batch([need_record(urgency=9)], [resource_record(100)])
    assert result.skipped[0].reason.startswith("invalid urgency")


def test_run_batch_shares_scarce_fund_without_overdrawing(need_record, resource_record):
    needs = [need_record(i, gap=5_000.0, urgency=1 + i % 4) for i in range(1, 21)]
    fund = resource_record(100, kind="fund", capacity=30_000.0, per_case_cap=4_000.0)
    result = run_batch(needs, [fund])
    assert sum(p.amount for p in result.proposals) == 30_000
    assert all(p.amount <= 4_000 for p in result.proposals)
    assert result.objective >= result.greedy_objective
    assert {p.need_id for p in result.proposals} >= {3, 7, 11, 15, 19}  # urgency 4 first


def test_run_batch_honours_once_per_cause_exclusion(need_record, resource_record):
    resources = [resource_record(100, kind="fund"), resource_record(101, kind="project")]
    exclusions = Exclusions(blocked_causes=frozenset({(1, "medical")}))
    result = run_batch([need_record(1, gap=200_000.0)], resources, exclusions=exclusions)
    assert {p.resource_id for p in result.proposals} == {101}


def test_run_batch_blocks_same_person_and_cause_twice_in_one_batch(need_record, resource_record):
    needs = [need_record(1, person_key="k1"), need_record(2, person_key="k1")]
    result = run_batch(needs, [resource_record(100, kind="scheme", capacity=1e6)])
    assert {p.need_id for p in result.proposals} == {1}


def test_run_batch_is_deterministic(need_record, resource_record):
    needs = [need_record(i, gap=1_000.0 * i, urgency=1 + i % 4, tokens=("医疗费", f"词{i % 3}"))
             for i in range(1, 30)]
    resources = [resource_record(100 + j, capacity=7_000.0 * j, tokens=("医疗费", f"词{j % 3}"))
                 for j in range(1, 6)]
    first, second = run_batch(needs, resources), run_batch(needs, resources)
    assert first.proposals == second.proposals
    assert first.objective == second.objective


def test_run_batch_accepts_prebuilt_index(liangcun):
    need, resources = liangcun
    assert run_batch([need], ResourceIndex.build(resources)) == run_batch([need], resources)


def test_run_batch_allocates_volunteer_hours(need_record, resource_record):
    offer = resource_record(100, kind="offer", unit="hours", capacity=20.0, per_case_cap=6.0,
                          services=frozenset({"陪护就医"}))
    need = need_record(1, gap=0.0, services=frozenset({"陪护就医"}))
    (proposal,) = run_batch([need], [offer]).proposals
    assert (proposal.unit, proposal.amount) == ("hours", 6)


def test_run_batch_proposes_one_offer_per_need(need_record, resource_record):
    # Each offer alone gives 6 of the 8 hours asked; two would cover it, but one team
    # takes a case on: one offer per need and batch.
    offers = [resource_record(rid, kind="offer", unit="hours", capacity=20.0, per_case_cap=6.0,
                              services=frozenset({"陪护就医"})) for rid in (100, 101)]
    need = need_record(1, gap=0.0, services=frozenset({"陪护就医"}), hours_needed=8.0)
    (proposal,) = run_batch([need], offers).proposals
    assert (proposal.unit, proposal.amount) == ("hours", 6)


@pytest.mark.parametrize("unit, cap", [("hours", 6.0), ("cases", 1.0)])
def test_run_batch_gives_one_offer_per_service_a_need_asks_for(need_record, resource_record,
                                                               unit, cap):
    # Two escort offers and one home-help offer; the need asks for both services. It gets one
    # offer for each service, never both escorts, and an offer covering both services rules
    # out a second one for either.
    def offer(rid, *services):
        return resource_record(rid, kind="offer", unit=unit, capacity=20.0, per_case_cap=cap,
                               services=frozenset(services))

    asked = frozenset({"陪护就医", "生活帮扶"})
    need = need_record(1, gap=0.0, services=asked, hours_needed=16.0)
    given = run_batch([need], [offer(100, "陪护就医"), offer(101, "陪护就医"),
                               offer(102, "生活帮扶")]).proposals
    assert max(p.resource_id for p in given) == 102
    assert len(given) == 2 and {p.resource_id for p in given} & {100, 101}
    both = run_batch([need], [offer(100, "陪护就医", "生活帮扶"), offer(101, "陪护就医"),
                              offer(102, "生活帮扶")]).proposals
    services = [s for p in both for s in ({100: asked, 101: {"陪护就医"}, 102: {"生活帮扶"}}
                                        [p.resource_id])]
    assert len(services) == len(set(services))  # no service taken on twice
    one = need_record(2, gap=0.0, services=frozenset({"陪护就医"}), hours_needed=16.0)
    assert len(run_batch([one], [offer(100, "陪护就医"), offer(101, "陪护就医")]).proposals) == 1


def test_suggest_for_need_ranks_the_obvious_match_first(liangcun):
    need, resources = liangcun
    suggestions = suggest_for_need(need, ResourceIndex.build(resources), k=3)
    assert [s.resource_id for s in suggestions] == [100, 104]


def test_suggest_for_need_agrees_with_batch_scores(liangcun):
    need, resources = liangcun
    index = ResourceIndex.build(resources)
    top = suggest_for_need(need, index, k=1, scorer=DefaultScorer())[0]
    assert top.score == pytest.approx(run_batch([need], index).proposals[0].score)


def test_suggest_for_need_honours_blocked_pairs(liangcun):
    need, resources = liangcun
    exclusions = Exclusions(blocked_pairs=frozenset({(1, 100)}))
    suggestions = suggest_for_need(need, ResourceIndex.build(resources), exclusions=exclusions)
    assert [s.resource_id for s in suggestions] == [104]


def test_run_batch_gives_a_need_at_most_one_scheme(need_record, resource_record):
    # Two schemes could each pay part of the gap; the once-per-cause rule allows only one.
    schemes = [resource_record(100 + j, kind="scheme", capacity=5_000.0) for j in range(2)]
    result = run_batch([need_record(1, gap=10_000.0)], schemes)
    assert len(result.proposals) == 1
    assert result.proposals[0].amount == 5_000


def test_run_batch_lets_two_funds_add_up(need_record, resource_record):
    funds = [resource_record(100 + j, kind="fund", capacity=5_000.0) for j in range(2)]
    result = run_batch([need_record(1, gap=10_000.0)], funds)
    assert sorted(p.resource_id for p in result.proposals) == [100, 101]
    assert sum(p.amount for p in result.proposals) == 10_000


def test_run_batch_keeps_one_scheme_next_to_funds(need_record, resource_record):
    resources = [
        resource_record(100, kind="scheme", capacity=3_000.0),
        resource_record(101, kind="scheme", capacity=3_000.0),
        resource_record(102, kind="fund", capacity=3_000.0),
    ]
    result = run_batch([need_record(1, gap=10_000.0)], resources)
    kinds = [r.kind for p in result.proposals for r in resources if r.id == p.resource_id]
    assert kinds.count("scheme") == 1 and kinds.count("fund") == 1
