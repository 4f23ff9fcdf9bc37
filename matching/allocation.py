"""Share limited capacities across all open needs at once, and a greedy baseline to beat.

Problem: choose a whole amount ``x_e`` for every candidate edge ``e = (need, resource)`` to

    maximise   sum_e  x_e × weight_e × UNIT_VALUE[unit_e]
    subject to sum of x_e over a resource's edges        <= its remaining capacity
               x_e                                       <= per-edge cap
                                                            (min of per-case cap, capacity, demand)
               sum of x_e over a need's edges in one unit <= the need's demand in that unit
                                                            (yuan gap, service hours, one case)
               x_e >= 0, integer
               no two edges with x_e > 0 of one need share a bit of ``exclusive``
                                                            (volunteer offers: one per service)

``weight_e`` is :func:`matching.scoring.allocation_weight`: score × urgency multiplier.
Resources of different units never share a constraint, so the problem splits by unit and
``UNIT_VALUE`` (a yuan-equivalent used to add units up in one report figure) changes nothing
about the optimum.

The problem is a min-cost flow: source → resource (capacity) → need/unit (edge cap, cost
−weight) → sink (demand), plus a zero-cost bypass source → sink so that flow is optional and
the solver maximises weighted amount, not amount. OR-Tools' ``SimpleMinCostFlow`` solves it to
proven optimality with integer costs (weights scaled to integers; the rounding is at most
5e-9 of the largest weight). Integral capacities give an integral optimum. ``solver="lp"`` solves
the same program with HiGHS through ``scipy.optimize.linprog`` (used to cross-check).

"One offer per service per need and batch": each service a need asks for (陪护就医, 生活帮扶 …)
is taken on by one volunteer offer, never split across two (a family is visited by one team
for it; an officer assigns one), while a need asking for several services may get one offer
for each. ``exclusive`` gives every edge the bits of the services its offer would take on for
its need (the services both ask for and provide; 0 for money edges), and the offers one need
gets must not share a bit: an offer covering 陪护就医 and 生活帮扶 for a need rules out a second
offer for either. Counted in places ("cases", as the web layer does) a need's demand is one
place per service it asks for. The rule is no flow constraint, so the solver is asked again
with, for each need whose offers overlap, the most valuable ones that do not overlap kept
(greedily by amount × weight) and its others dropped, until no need has an overlap
(:func:`_one_per_service`); the result is feasible and usually still optimal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from matching.records import UNITS

try:
    from ortools.graph.python import min_cost_flow
except ImportError:  # pragma: no cover - exercised only without OR-Tools installed
    min_cost_flow = None

#: Yuan-equivalent of one unit, for adding the objective up across units.
UNIT_VALUE = np.array([{"yuan": 1.0, "hours": 50.0, "cases": 500.0}[u] for u in UNITS])
#: Integer cost of the largest weight of a unit (rounding error at most 1 / COST_SCALE).
COST_SCALE = 10_000_000
_INT64_BUDGET = 2**62
#: Edges weighing less are worth nothing to either allocator.
MIN_WEIGHT = 1e-9
#: Connected components with fewer edges are solved together in one network (they stay
#: independent there); larger ones get a network of their own.
SMALL_COMPONENT_EDGES = 5_000


class AllocationError(RuntimeError):
    """An allocation broke a capacity, cap or demand: a bug, never to be shown as a proposal."""


@dataclass(frozen=True)
class AllocationProblem:
    """Edges with caps and weights, resource capacities and need demands, all whole units."""

    need_idx: np.ndarray  # (E,) int64
    res_idx: np.ndarray  # (E,) int64
    unit: np.ndarray  # (E,) unit code of the edge's resource
    edge_cap: np.ndarray  # (E,) int64
    weight: np.ndarray  # (E,) float64, >= 0
    capacity: np.ndarray  # (M,) int64
    demand: np.ndarray  # (N, len(UNITS)) int64
    urgency: np.ndarray  # (N,) for the greedy order
    need_ids: np.ndarray  # (N,) for stable tie-breaking in the greedy order
    #: (E, words) uint64: the services an edge's offer takes on for its need; the edges one
    #: need uses must not share a bit (all zero: no restriction).
    exclusive: np.ndarray | None = None

    @classmethod
    def from_arrays(cls, *, need_idx: ArrayLike, res_idx: ArrayLike, unit: ArrayLike,
                    edge_cap: ArrayLike, weight: ArrayLike, capacity: ArrayLike,
                    demand: ArrayLike, urgency: ArrayLike, need_ids: ArrayLike,
                    exclusive: ArrayLike | None = None) -> AllocationProblem:
        """Build a problem, rounding amounts down to whole units.

        ``exclusive`` is per edge a bit mask (``(E,)`` or ``(E, words)``, unsigned) of the
        services it takes on, or a boolean: ``True`` edges then all share one bit, so a need
        uses at most one of them.
        """
        capacity = np.floor(np.maximum(np.asarray(capacity, dtype=np.float64), 0)).astype(np.int64)
        demand = np.floor(np.maximum(np.asarray(demand, dtype=np.float64), 0)).astype(np.int64)
        need_idx = np.asarray(need_idx, dtype=np.int64)
        res_idx = np.asarray(res_idx, dtype=np.int64)
        unit = np.asarray(unit, dtype=np.int64)
        caps = np.minimum(
            np.floor(np.maximum(np.asarray(edge_cap, dtype=np.float64), 0)),
            np.minimum(capacity[res_idx], demand[need_idx, unit]),
        ).astype(np.int64)
        weights = np.asarray(weight, dtype=np.float64)
        if weights.size and (not np.isfinite(weights).all() or (weights < 0).any()):
            raise ValueError("weights must be finite and non-negative")
        single = None if exclusive is None else _exclusive_bits(exclusive, len(need_idx))
        return cls(need_idx, res_idx, unit, caps, weights, capacity, demand,
                   np.asarray(urgency), np.asarray(need_ids), single)

    def without(self, edges: np.ndarray) -> AllocationProblem:
        """The same problem with ``edges`` (positions) given a cap of zero."""
        edge_cap = self.edge_cap.copy()
        edge_cap[edges] = 0
        return replace(self, edge_cap=edge_cap)


@dataclass(frozen=True)
class Allocation:
    """Whole amounts per edge (same order as the problem's edges) and their objective."""

    amount: np.ndarray  # (E,) int64
    objective: float
    solver: str


def objective_value(problem: AllocationProblem, amount: np.ndarray) -> float:
    """Return sum of amount × weight × unit value: the one figure every allocator is judged by."""
    return float(np.sum(amount * problem.weight * UNIT_VALUE[problem.unit]))


def verify(problem: AllocationProblem, amount: np.ndarray) -> None:
    """Raise :class:`AllocationError` unless ``amount`` respects every limit of ``problem``."""
    if amount.shape != problem.edge_cap.shape:
        raise AllocationError("one amount per edge expected")
    if (amount < 0).any() or (amount > problem.edge_cap).any():
        raise AllocationError("an edge amount is negative or above its per-edge cap")
    used = np.bincount(problem.res_idx, weights=amount, minlength=len(problem.capacity))
    if (used > problem.capacity).any():
        raise AllocationError("a resource is allocated beyond its remaining capacity")
    n_units = problem.demand.shape[1]
    got = np.bincount(
        problem.need_idx * n_units + problem.unit,
        weights=amount,
        minlength=problem.demand.size,
    ).reshape(problem.demand.shape)
    if (got > problem.demand).any():
        raise AllocationError("a need is allocated beyond its remaining gap or demand")
    if _overlapping(problem, amount).size:
        raise AllocationError("a need is allocated two offers for one service")


def _exclusive_bits(values: ArrayLike, n_edges: int) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == bool:
        array = array.astype(np.uint64)
    if array.ndim == 1:
        array = array.reshape(n_edges, 1)
    return array.astype(np.uint64)


def _bits(problem: AllocationProblem) -> np.ndarray:
    """(E, words) uint64: the exclusive bits of every edge (zeros without the rule)."""
    if problem.exclusive is None:
        return np.zeros((len(problem.edge_cap), 1), dtype=np.uint64)
    return problem.exclusive


def _restricted(problem: AllocationProblem) -> np.ndarray:
    """Boolean (E,): edges with at least one exclusive bit."""
    flags: np.ndarray = (_bits(problem) != 0).any(axis=1)
    return flags


def _overlapping(problem: AllocationProblem, amount: np.ndarray) -> np.ndarray:
    """Needs (rows) whose used edges share an exclusive bit."""
    used = np.flatnonzero(_restricted(problem) & (amount > 0))
    if used.size < 2:
        return np.zeros(0, dtype=np.int64)
    exclusive = _bits(problem)
    taken: dict[int, np.ndarray] = {}
    bad: set[int] = set()
    for e in used.tolist():
        need = int(problem.need_idx[e])
        bits = exclusive[e]
        held = taken.get(need)
        if held is not None and (held & bits).any():
            bad.add(need)
        taken[need] = bits if held is None else held | bits
    return np.asarray(sorted(bad), dtype=np.int64)


def _finish(problem: AllocationProblem, amount: np.ndarray, solver: str) -> Allocation:
    amount = amount.astype(np.int64)
    verify(problem, amount)
    return Allocation(amount, objective_value(problem, amount), solver)


def optimize_allocation(
    problem: AllocationProblem, *, solver: str = "flow", decompose: bool = True
) -> Allocation:
    """Return a provably optimal allocation (``solver`` is ``"flow"`` or ``"lp"``).

    With ``decompose`` the flow problem is split into the connected components of the
    resource – need/unit graph, each solved to proven optimality on its own: no constraint
    spans two components, so the sum of the components' optima is the optimum.
    """
    if solver == "flow":
        return _one_per_service(problem, lambda p: _solve_flow(p, decompose=decompose))
    if solver == "lp":
        return _one_per_service(problem, _solve_lp)
    raise ValueError(f"unknown solver {solver!r}")


def _one_per_service(problem: AllocationProblem,
                     solve: Callable[[AllocationProblem], Allocation]) -> Allocation:
    """Solve, then while some need got offers sharing a service, keep its most valuable ones
    that share none (amount × weight, greedily; ties: the first edge), drop its others and
    solve again. Each round removes edges, so it ends; the rule holds in the result
    (verified)."""
    restricted = _restricted(problem)
    if not restricted.any():
        return solve(replace(problem, exclusive=None))
    exclusive = _bits(problem)
    dropped = np.zeros(len(problem.edge_cap), dtype=bool)
    current = replace(problem, exclusive=None)
    while True:
        allocation = solve(current)
        overlapping = _overlapping(problem, allocation.amount)
        if overlapping.size == 0:
            break
        used = np.flatnonzero(restricted & (allocation.amount > 0)
                              & np.isin(problem.need_idx, overlapping))
        value = allocation.amount[used] * problem.weight[used]
        taken: dict[int, np.ndarray] = {}
        for e in used[np.lexsort((used, -value, problem.need_idx[used]))].tolist():
            need = int(problem.need_idx[e])
            bits = exclusive[e]
            held = taken.get(need)
            if held is not None and (held & bits).any():
                dropped[e] = True
            else:
                taken[need] = bits if held is None else held | bits
        current = current.without(np.flatnonzero(dropped))
    return _finish(problem, allocation.amount, allocation.solver)


def _useful_edges(problem: AllocationProblem) -> np.ndarray:
    return np.flatnonzero((problem.edge_cap > 0) & (problem.weight >= MIN_WEIGHT))


def _integer_costs(problem: AllocationProblem, edges: np.ndarray, supply: int) -> np.ndarray:
    """Scale weights to integers, separately per unit.

    Units never share a constraint, so each unit's sub-problem may have its own scale: the
    largest weight of a unit maps to COST_SCALE, keeping the rounding at 1 / COST_SCALE of it.
    """
    weight = problem.weight[edges]
    unit = problem.unit[edges]
    top = np.zeros(len(UNITS))
    np.maximum.at(top, unit, weight)
    scale = COST_SCALE / top[unit]
    # Keep total cost (at most supply × COST_SCALE) inside int64.
    scale *= min(1.0, _INT64_BUDGET / (max(supply, 1) * COST_SCALE))
    costs: np.ndarray = np.rint(weight * scale).astype(np.int64)
    return costs


def edge_components(problem: AllocationProblem, edges: np.ndarray) -> np.ndarray:
    """Label ``edges`` by connected component of the resource – need/unit graph."""
    n_units = problem.demand.shape[1]
    n_res = len(problem.capacity)
    slot = problem.need_idx[edges] * n_units + problem.unit[edges]
    size = n_res + problem.demand.size
    graph = sp.csr_matrix(
        (np.ones(edges.size, dtype=np.int8), (problem.res_idx[edges], n_res + slot)),
        shape=(size, size),
    )
    _, labels = connected_components(graph, directed=False)
    by_edge: np.ndarray = labels[problem.res_idx[edges]]
    return by_edge


def _component_batches(labels: np.ndarray) -> list[np.ndarray]:
    """Group edge positions by component; small components share one batch."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    parts = np.split(order, starts[1:])
    large = [np.sort(p) for p in parts if p.size >= SMALL_COMPONENT_EDGES]
    small = [p for p in parts if p.size < SMALL_COMPONENT_EDGES]
    return large + ([np.sort(np.concatenate(small))] if small else [])


def _solve_flow(problem: AllocationProblem, *, decompose: bool = True) -> Allocation:
    if min_cost_flow is None:
        raise ImportError("optimize_allocation(solver='flow') needs OR-Tools: pip install ortools")
    amount = np.zeros(len(problem.edge_cap), dtype=np.int64)
    edges = _useful_edges(problem)
    if edges.size == 0:
        return _finish(problem, amount, "flow")
    # One integer scale for all components, so splitting never changes a cost.
    supply = int(problem.capacity[np.unique(problem.res_idx[edges])].sum())
    cost = np.zeros(len(problem.edge_cap), dtype=np.int64)
    cost[edges] = _integer_costs(problem, edges, supply)
    batches = _component_batches(edge_components(problem, edges)) if decompose else [
        np.arange(edges.size)
    ]
    for batch in batches:
        part = edges[batch]
        amount[part] = _min_cost_flow(problem, part, cost[part])
    return _finish(problem, amount, "flow")


def _min_cost_flow(problem: AllocationProblem, edges: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Return the optimal flow on ``edges`` maximising flow × ``gain`` (integers)."""
    res_used, res_node = np.unique(problem.res_idx[edges], return_inverse=True)
    n_units = problem.demand.shape[1]
    slot = problem.need_idx[edges] * n_units + problem.unit[edges]
    slot_used, slot_node = np.unique(slot, return_inverse=True)
    source, sink = 0, 1
    res_node = res_node + 2
    slot_node = slot_node + 2 + len(res_used)

    capacity = problem.capacity[res_used]
    supply = int(capacity.sum())
    n_res, n_slot, n_edge = len(res_used), len(slot_used), len(edges)
    # Arcs in order: source → resource, resource → need/unit (the edges), need/unit → sink,
    # and the bypass source → sink that makes every unit of flow optional.
    tails = np.concatenate([np.full(n_res, source), res_node, np.arange(n_slot) + 2 + n_res,
                            [source]])
    heads = np.concatenate([np.arange(n_res) + 2, slot_node, np.full(n_slot, sink), [sink]])
    caps = np.concatenate([
        capacity, problem.edge_cap[edges], problem.demand.reshape(-1)[slot_used], [supply]
    ])
    costs = np.concatenate([np.zeros(n_res, dtype=np.int64), -gain,
                            np.zeros(n_slot + 1, dtype=np.int64)])

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise AllocationError(f"min-cost flow did not reach optimality (status {status})")
    flows: np.ndarray = flow.flows(arcs[n_res:n_res + n_edge])
    return flows


def _solve_lp(problem: AllocationProblem) -> Allocation:
    amount = np.zeros(len(problem.edge_cap), dtype=np.int64)
    edges = _useful_edges(problem)
    if edges.size == 0:
        return _finish(problem, amount, "lp")
    n_units = problem.demand.shape[1]
    res_used, res_row = np.unique(problem.res_idx[edges], return_inverse=True)
    slot_used, slot_row = np.unique(
        problem.need_idx[edges] * n_units + problem.unit[edges], return_inverse=True
    )
    cols = np.arange(edges.size)
    a_ub = sp.vstack([
        sp.csr_matrix((np.ones(edges.size), (res_row, cols)), shape=(len(res_used), edges.size)),
        sp.csr_matrix((np.ones(edges.size), (slot_row, cols)), shape=(len(slot_used), edges.size)),
    ]).tocsr()
    b_ub = np.concatenate([problem.capacity[res_used], problem.demand.reshape(-1)[slot_used]])
    weighted = problem.weight[edges] * UNIT_VALUE[problem.unit[edges]]
    result = linprog(
        -weighted,
        A_ub=a_ub,
        b_ub=b_ub.astype(np.float64),
        bounds=np.column_stack([np.zeros(edges.size), problem.edge_cap[edges]]),
        method="highs",
    )
    if result.status != 0:
        raise AllocationError(f"linear program failed: {result.message}")
    # The constraint matrix is totally unimodular, so the vertex optimum is integral.
    amount[edges] = np.rint(result.x).astype(np.int64)
    return _finish(problem, amount, "lp")


def greedy_allocate(problem: AllocationProblem) -> Allocation:
    """First-come-first-served baseline: most urgent needs first, best-scored resource first.

    Needs go by urgency (descending), then smaller gap first, then id; each takes as much as
    it can from its edges in descending weight order.
    """
    n_units = problem.demand.shape[1]
    need_rank = np.empty(len(problem.urgency), dtype=np.int64)
    need_rank[np.lexsort((problem.need_ids, problem.demand[:, 0], -problem.urgency))] = (
        np.arange(len(problem.urgency))
    )
    order = np.lexsort((problem.res_idx, -problem.weight, need_rank[problem.need_idx]))
    order = order[(problem.edge_cap[order] > 0) & (problem.weight[order] >= MIN_WEIGHT)]
    left_cap = problem.capacity.astype(np.int64).tolist()
    left_need = problem.demand.reshape(-1).astype(np.int64).tolist()
    amount = [0] * len(problem.edge_cap)
    res_list = problem.res_idx.tolist()
    slot_list = (problem.need_idx * n_units + problem.unit).tolist()
    cap_list = problem.edge_cap.tolist()
    restricted = _restricted(problem).tolist()
    exclusive = _bits(problem)
    need_list = problem.need_idx.tolist()
    taken: dict[int, np.ndarray] = {}
    for e in order.tolist():
        r, s = res_list[e], slot_list[e]
        if restricted[e]:
            held = taken.get(need_list[e])
            if held is not None and (held & exclusive[e]).any():
                continue
        take = min(cap_list[e], left_cap[r], left_need[s])
        if take > 0:
            amount[e] = take
            left_cap[r] -= take
            left_need[s] -= take
            if restricted[e]:
                held = taken.get(need_list[e])
                bits = exclusive[e]
                taken[need_list[e]] = bits if held is None else held | bits
    return _finish(problem, np.asarray(amount, dtype=np.int64), "greedy")
