"""A judged gold set: needs with the help a person judges right, and the scorers measured on it.

The gold set is a directory with ``resources.json`` (a county catalogue of listings, each with a
string ``key``) and ``scenarios.json`` (needs, each with ``right``: the resources a person
judges the right first help, ``relevance``: graded 0-3 judgements for NDCG, and ``excluded``:
resources a hard rule must keep away). ``evaluate_gold`` ranks the catalogue for every need
with :func:`matching.pipeline.suggest_for_need` and reports top-1, top-3, NDCG@5 and how many
excluded resources were suggested; it also runs one batch over all needs and counts excluded
resources in its proposals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matching.index import ResourceIndex
from matching.pipeline import run_batch, suggest_for_need
from matching.records import Need, Resource
from matching.scoring import Scorer

Tokenizer = Callable[[str], Sequence[str]]
#: Suggestions ranked per need (the NDCG cut-off).
GOLD_K = 5


@dataclass(frozen=True)
class Scenario:
    """One judged need: the right first help, graded relevance and rule-excluded resources."""

    key: str
    need: Need
    right: frozenset[str]
    relevance: Mapping[str, int]
    excluded: frozenset[str]
    note: str


@dataclass(frozen=True)
class GoldSet:
    """The catalogue (with its keys) and the scenarios."""

    resources: tuple[Resource, ...]
    keys: Mapping[int, str]  # resource id -> key
    scenarios: tuple[Scenario, ...]


@dataclass(frozen=True)
class GoldReport:
    """Figures of one scorer on the gold set, and the scenarios it got wrong at the top."""

    scorer: str
    n: int
    top1: float
    top3: float
    ndcg5: float
    excluded_suggested: int
    excluded_proposed: int
    misses: tuple[tuple[str, str, str], ...]  # (scenario, top suggestion, judged right)

    def not_worse_than(self, other: GoldReport) -> bool:
        """Whether this scorer is at least as good as ``other`` on every figure."""
        return (self.top1 >= other.top1 and self.top3 >= other.top3
                and self.ndcg5 >= other.ndcg5 - 1e-12
                and self.excluded_suggested + self.excluded_proposed
                <= other.excluded_suggested + other.excluded_proposed)


def _frozen(values: Sequence[str] | None) -> frozenset[str]:
    return frozenset(values or ())


def _resource(row: Mapping[str, Any], rid: int, tokenize: Tokenizer) -> Resource:
    return Resource(
        id=rid,
        kind=str(row["kind"]),
        categories=_frozen(row.get("categories")),
        towns=_frozen(row.get("towns")),
        unit=str(row.get("unit", "hours" if row["kind"] == "offer" else "yuan")),
        capacity=float(row["capacity"]),
        per_case_cap=None if row.get("per_case_cap") is None else float(row["per_case_cap"]),
        min_age=row.get("min_age"),
        max_age=row.get("max_age"),
        requires=_frozen(row.get("requires")),
        services=_frozen(row.get("services")),
        tokens=tuple(tokenize(f"{row['title']} {row.get('text', '')}")),
    )


def _need(row: Mapping[str, Any], nid: int, tokenize: Tokenizer) -> Need:
    return Need(
        id=nid,
        category=str(row["category"]),
        town=str(row["town"]),
        urgency=int(row.get("urgency", 3)),
        gap=float(row.get("gap", 0)),
        days_waiting=int(row.get("days_waiting", 5)),
        vulnerability=_frozen(row.get("household")),
        services=_frozen(row.get("services")),
        tokens=tuple(tokenize(str(row["text"]))),
        age=row.get("age"),
        hours_needed=row.get("hours"),
    )


def load_gold(directory: str | Path, *, tokenize: Tokenizer = str.split) -> GoldSet:
    """Read ``resources.json`` and ``scenarios.json`` of ``directory``; check every key."""
    root = Path(directory)
    catalogue = json.loads((root / "resources.json").read_text(encoding="utf-8"))
    rows = json.loads((root / "scenarios.json").read_text(encoding="utf-8"))
    return build_gold(catalogue, rows, tokenize=tokenize)


def load_gold_file(path: str | Path, *, tokenize: Tokenizer = str.split) -> GoldSet:
    """Read a self-contained gold file: ``{"resources": [...], "scenarios": [...]}``.

    The blind set (``blind.json``) is one: its needs are judged against a catalogue of its own,
    written apart from the weights and from the main set's catalogue.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return build_gold(data["resources"], data["scenarios"], tokenize=tokenize)


def build_gold(catalogue: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]], *,
               tokenize: Tokenizer = str.split) -> GoldSet:
    """Build a gold set from catalogue rows and scenario rows; check every key."""
    ids = {str(r["key"]): i for i, r in enumerate(catalogue, start=1)}
    if len(ids) != len(catalogue):
        raise ValueError("duplicate resource key in the gold catalogue")
    resources = tuple(_resource(r, ids[str(r["key"])], tokenize) for r in catalogue)
    scenarios = []
    for nid, row in enumerate(rows, start=1):
        right = _frozen(row["right"])
        relevance = {str(k): int(v) for k, v in row.get("relevance", {}).items()}
        for key in right:
            relevance.setdefault(key, 3)
        excluded = _frozen(row.get("excluded"))
        unknown = (right | set(relevance) | excluded) - set(ids)
        if unknown or not right or right & excluded:
            raise ValueError(f"gold scenario {row.get('key')!r}: bad keys {sorted(unknown)}")
        scenarios.append(Scenario(str(row["key"]), _need(row, nid, tokenize), right, relevance,
                                  excluded, str(row.get("note", ""))))
    keys = {rid: key for key, rid in ids.items()}
    return GoldSet(resources, keys, tuple(scenarios))


def ndcg(ranked: Sequence[str], relevance: Mapping[str, int], k: int = GOLD_K) -> float:
    """Return NDCG@k of ``ranked`` keys against graded ``relevance`` (gain 2^rel - 1)."""
    gains = [2 ** relevance.get(key, 0) - 1 for key in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2 ** v - 1 for v in relevance.values()), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best > 0 else 0.0


def evaluate_gold(gold: GoldSet, scorer: Scorer, *, name: str = "default") -> GoldReport:
    """Rank the catalogue for every scenario with ``scorer`` and measure it."""
    index = ResourceIndex.build(gold.resources)
    top1 = top3 = 0
    total_ndcg = 0.0
    excluded_suggested = 0
    misses = []
    for scenario in gold.scenarios:
        found = suggest_for_need(scenario.need, index, k=GOLD_K, scorer=scorer)
        ranked = [gold.keys[s.resource_id] for s in found]
        excluded_suggested += sum(1 for key in ranked if key in scenario.excluded)
        if ranked and ranked[0] in scenario.right:
            top1 += 1
        else:
            misses.append((scenario.key, ranked[0] if ranked else "-",
                           "/".join(sorted(scenario.right))))
        if any(key in scenario.right for key in ranked[:3]):
            top3 += 1
        total_ndcg += ndcg(ranked, scenario.relevance)
    batch = run_batch([s.need for s in gold.scenarios], index, scorer=scorer)
    excluded_of = {s.need.id: s.excluded for s in gold.scenarios}
    excluded_proposed = sum(1 for p in batch.proposals
                            if gold.keys[p.resource_id] in excluded_of[p.need_id])
    n = len(gold.scenarios)
    return GoldReport(name, n, top1 / n if n else 0.0, top3 / n if n else 0.0,
                      total_ndcg / n if n else 0.0, excluded_suggested, excluded_proposed,
                      tuple(misses))
