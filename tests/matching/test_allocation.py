"""Optimal allocation of limited capacities, and the greedy baseline it must never lose to."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import allocation
from matching.allocation import (
    AllocationError,
    AllocationProblem,
    edge_components,
    greedy_allocate,
    optimize_allocation,
    verify,
)

YUAN, HOURS = 0, 1


def _problem(edges, capacity, demand, urgency=None, unit=None):
    """edges: (need, resource, cap, weight) tuples; demand: yuan per need."""
    need_idx, res_idx, cap, weight = (np.array(col) for col in zip(*edges))
    n = len(demand)
    demand_matrix = np.zeros((n, 3))
    demand_matrix[:, YUAN] = demand
    demand_matrix[:, HOURS] = demand
    return AllocationProblem.from_arrays(
        need_idx=need_idx, res_idx=res_idx,
        unit=np.zeros(len(edges), int) if unit is None else np.array(unit),
        edge_cap=cap, weight=weight, capacity=capacity, demand=demand_matrix,
        urgency=np.full(n, 2) if urgency is None else np.array(urgency),
        need_ids=np.arange(1, n + 1),
    )


def _scarce_fund(n_needs=12):
    # One 10,000 yuan fund, twelve needs of 3,000 each; weights differ per need.
    edges = [(i, 0, 3_000, 0.2 + 0.05 * i) for i in range(n_needs)]
    return _problem(edges, capacity=[10_000], demand=[3_000] * n_needs)


def test_allocation_never_exceeds_scarce_fund():
    result = optimize_allocation(_scarce_fund())
    assert result.amount.sum() == 10_000


def test_allocation_gives_scarce_fund_to_highest_weights():
    result = optimize_allocation(_scarce_fund())
    assert list(result.amount[-4:]) == [1_000, 3_000, 3_000, 3_000]
    assert result.amount[:8].sum() == 0


def test_allocation_beats_greedy_on_crossed_preferences():
    # Need 0 is served first by greedy and takes the only resource need 1 can use.
    edges = [(0, 0, 100, 1.0), (0, 1, 100, 0.9), (1, 0, 100, 1.0)]
    problem = _problem(edges, capacity=[100, 100], demand=[100, 100], urgency=[4, 1])
    optimal, greedy = optimize_allocation(problem), greedy_allocate(problem)
    assert optimal.objective > greedy.objective
    assert optimal.amount.tolist() == [0, 100, 100]


def test_allocation_respects_per_case_cap():
    edges = [(0, 0, 500, 1.0), (0, 1, 5_000, 0.1)]
    result = optimize_allocation(_problem(edges, capacity=[10_000, 10_000], demand=[2_000]))
    assert result.amount.tolist() == [500, 1_500]


def test_allocation_respects_need_gap():
    edges = [(0, 0, 10_000, 1.0), (0, 1, 10_000, 1.0)]
    result = optimize_allocation(_problem(edges, capacity=[10_000, 10_000], demand=[2_500]))
    assert result.amount.sum() == 2_500


def test_allocation_keeps_units_apart():
    # Hours of a volunteer offer never count against the yuan gap, nor the reverse.
    edges = [(0, 0, 1_000, 1.0), (0, 1, 8, 1.0)]
    problem = _problem(edges, capacity=[1_000, 8], demand=[1_000], unit=[YUAN, HOURS])
    assert optimize_allocation(problem).amount.tolist() == [1_000, 8]


def test_allocation_lp_and_flow_agree():
    problem = _scarce_fund()
    flow, lp = optimize_allocation(problem), optimize_allocation(problem, solver="lp")
    assert flow.objective == pytest.approx(lp.objective, rel=1e-9)


def test_allocation_is_deterministic():
    problem = _scarce_fund(30)
    assert (optimize_allocation(problem).amount == optimize_allocation(problem).amount).all()


def test_verify_rejects_allocation_above_capacity():
    problem = _scarce_fund()
    with pytest.raises(AllocationError):
        verify(problem, np.full(12, 3_000))


@st.composite
def _instances(draw):
    n_needs = draw(st.integers(1, 6))
    n_res = draw(st.integers(1, 5))
    pairs = draw(st.lists(
        st.tuples(st.integers(0, n_needs - 1), st.integers(0, n_res - 1)),
        min_size=1, max_size=n_needs * n_res, unique=True,
    ))
    caps = draw(st.lists(st.integers(0, 5_000), min_size=len(pairs), max_size=len(pairs)))
    weights = draw(st.lists(st.floats(0, 3, allow_nan=False), min_size=len(pairs),
                            max_size=len(pairs)))
    units = [draw(st.sampled_from([0, 1, 2])) for _ in range(n_res)]
    demand = np.array(draw(st.lists(st.integers(0, 8_000), min_size=3 * n_needs,
                                    max_size=3 * n_needs))).reshape(n_needs, 3)
    return AllocationProblem.from_arrays(
        need_idx=[p[0] for p in pairs], res_idx=[p[1] for p in pairs],
        unit=[units[p[1]] for p in pairs], edge_cap=caps, weight=weights,
        capacity=draw(st.lists(st.integers(0, 10_000), min_size=n_res, max_size=n_res)),
        demand=demand,
        urgency=draw(st.lists(st.integers(1, 4), min_size=n_needs, max_size=n_needs)),
        need_ids=np.arange(n_needs),
    )


@settings(max_examples=150, deadline=None)
@given(_instances())
def test_allocation_property_within_limits_and_not_worse_than_greedy(problem):
    optimal, greedy = optimize_allocation(problem), greedy_allocate(problem)
    for result in (optimal, greedy):
        verify(problem, result.amount)
        assert (result.amount <= problem.edge_cap).all()
        used = np.bincount(problem.res_idx, result.amount, minlength=len(problem.capacity))
        assert (used <= problem.capacity).all()
    # Weights are rounded to integers of at most COST_SCALE per unit; allow that rounding.
    eps = 1e-6 * max(1.0, float(problem.weight.max()) * float(problem.capacity.sum()) * 500)
    assert optimal.objective >= greedy.objective - eps
    lp = optimize_allocation(problem, solver="lp")
    # The flow is optimal for the rounded costs, the LP for the exact ones: they may differ by
    # the rounding bound plus the LP solver's own tolerance, never by more.
    assert abs(optimal.objective - lp.objective) <= eps + 1e-6 * abs(lp.objective)


def test_edge_components_split_unconnected_needs():
    # Needs 0 and 1 share resource 0; need 2 only uses resource 1.
    problem = _problem([(0, 0, 10, 1.0), (1, 0, 10, 1.0), (2, 1, 10, 1.0)],
                       capacity=[15, 10], demand=[10, 10, 10])
    labels = edge_components(problem, np.arange(3))
    assert labels[0] == labels[1] != labels[2]


def test_allocation_decomposed_equals_whole_on_scarce_fund():
    problem = _scarce_fund(30)
    whole = optimize_allocation(problem, decompose=False)
    assert optimize_allocation(problem).objective == pytest.approx(whole.objective, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(_instances())
def test_allocation_property_decomposed_is_as_good_as_whole(problem):
    whole = optimize_allocation(problem, decompose=False)
    split = optimize_allocation(problem)
    verify(problem, split.amount)
    assert split.objective == pytest.approx(whole.objective, rel=1e-9, abs=1e-9)


def test_allocation_decomposes_large_components_separately(monkeypatch):
    # With every component "large", each is its own network: the optimum must not change.
    monkeypatch.setattr(allocation, "SMALL_COMPONENT_EDGES", 1)
    rng = np.random.default_rng(3)
    edges = [(n, int(rng.integers(0, 6)), int(rng.integers(1, 50)), float(rng.random()))
             for n in range(40)]
    problem = _problem(edges, capacity=rng.integers(10, 100, 6), demand=rng.integers(1, 60, 40))
    whole = optimize_allocation(problem, decompose=False)
    split = optimize_allocation(problem)
    assert split.objective == pytest.approx(whole.objective, rel=1e-12)
    lp = optimize_allocation(problem, solver="lp")
    assert split.objective == pytest.approx(lp.objective, rel=1e-9)


def _two_offers_for_two_needs():
    # Offers (hours): 0 has 5 hours, 1 has 6. Need 0 asks 8 hours and prefers offer 0, then 1;
    # need 1 asks 6 hours and only offer 1 serves it. Split, need 0 would take 5 + 3.
    edges = [(0, 0, 5, 0.9), (0, 1, 6, 0.8), (1, 1, 6, 0.3)]
    problem = _problem(edges, capacity=[5, 6], demand=[8, 6], unit=[HOURS] * 3)
    return AllocationProblem.from_arrays(
        need_idx=problem.need_idx, res_idx=problem.res_idx, unit=problem.unit,
        edge_cap=problem.edge_cap, weight=problem.weight, capacity=problem.capacity,
        demand=problem.demand, urgency=problem.urgency, need_ids=problem.need_ids,
        exclusive=[True, True, True],
    )


@pytest.mark.parametrize("solver", ["flow", "lp"])
def test_a_need_gets_at_most_one_offer_per_batch(solver):
    problem = _two_offers_for_two_needs()
    unconstrained = optimize_allocation(
        AllocationProblem.from_arrays(**{**problem.__dict__, "exclusive": None}),
        solver=solver,
    )
    assert (unconstrained.amount[:2] > 0).all()  # without the rule need 0 gets both offers
    result = optimize_allocation(problem, solver=solver)
    assert list(result.amount) == [5, 0, 6]  # one offer each; offer 1 goes to need 1
    greedy = greedy_allocate(problem)
    assert (greedy.amount[:2] > 0).sum() == 1
    with pytest.raises(AllocationError, match="two offers for one service"):
        verify(problem, unconstrained.amount)


@pytest.mark.parametrize("solver", ["flow", "lp"])
def test_a_need_gets_one_offer_per_service_it_asks_for(solver):
    # Need 0 asks for two services (bits 1 and 2): offers 0 and 1 both give service 1, offer 2
    # gives service 2. Need 0 may take offer 2 beside one of offers 0/1, never both of those.
    edges = [(0, 0, 4, 0.9), (0, 1, 4, 0.8), (0, 2, 4, 0.7)]
    base = _problem(edges, capacity=[4, 4, 4], demand=[12], unit=[HOURS] * 3)
    problem = AllocationProblem.from_arrays(**{**base.__dict__, "exclusive": [1, 1, 2]})
    for result in (optimize_allocation(problem, solver=solver), greedy_allocate(problem)):
        assert list(result.amount) == [4, 0, 4]
    with pytest.raises(AllocationError, match="two offers for one service"):
        verify(problem, np.array([4, 4, 0]))
