"""Benchmark of the matching pipeline on synthetic county-sized data.

For each size NEEDSxRESOURCES it prints the time per stage (candidates, scoring, allocation,
plus the greedy baseline), cold and warm end-to-end times, peak memory, the optimised
objective against the greedy one, and single-need suggestion latency (p50/p95 over 1,000
queries). Each size runs in its own process so peak memory is per size.

    .venv/bin/python bench/matching_bench.py --sizes 10000x2000,10000x50000,100000x50000 \
        --seed 7 --out bench/matching_bench.json

"Cold" is the first batch in a fresh process: ``run_batch`` gets resource records and builds
the resource index (vectorizer fit, blocks laid out on first use) inside the timed call.
"Warm" is a batch over an index already built and warmed in the same process, as in a
long-running worker that keeps it between batches; the index build is timed apart. With
``--repeat N`` the warm batch runs N times and the median (and best) are reported; the stage
table is the median run's. CPU times are printed too: the machine is shared, so wall times
move with other processes' load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from matching.pipeline import ResourceIndex, run_batch, suggest_for_need
from matching.records import Need, Resource

CATEGORIES = ("medical", "education", "disaster", "accident", "housing", "employment",
              "disability", "elderly_care")
TOWNS = ("鱼邱湖街道", "汇鑫街道", "人和街道", "梁村镇", "尹集镇", "清平镇", "固河镇",
         "三十里铺镇", "琉璃寺镇", "赵寨子镇", "姜店镇", "杨屯镇", "开发区")
SERVICES = ("心理疏导", "陪护就医", "助餐", "课业辅导", "法律援助", "康复训练")
FLAGS = ("disability", "elderly", "minor", "serious_illness", "dibao", "tekun")
TOPICAL_WORDS = 80
COMMON_WORDS = 400


def _vocabulary():
    topical = {c: [f"{c}词{i}" for i in range(TOPICAL_WORDS)] for c in CATEGORIES}
    common = [f"通用词{i}" for i in range(COMMON_WORDS)]
    return topical, common


def _zipf_choice(rng, words, size):
    ranks = np.arange(1, len(words) + 1)
    p = 1.0 / ranks
    return rng.choice(len(words), size=size, p=p / p.sum())


def _tokens(rng, topical, common, categories, n_tokens):
    n_topic = int(n_tokens * 0.6) if categories else 0
    out = []
    for i in _zipf_choice(rng, topical[categories[0]], n_topic) if n_topic else ():
        out.append(topical[categories[0]][i])
    for i in _zipf_choice(rng, common, n_tokens - n_topic):
        out.append(common[i])
    return tuple(out)


def make_data(n_needs: int, n_resources: int, seed: int):
    """Return synthetic (needs, resources); yuan capacity ≈ 60 % of the total gap."""
    rng = np.random.default_rng(seed)
    topical, common = _vocabulary()
    needs = []
    gaps = np.round(rng.lognormal(np.log(15_000), 0.8, n_needs), -1)
    for i in range(n_needs):
        category = CATEGORIES[rng.integers(len(CATEGORIES))]
        services = frozenset(rng.choice(SERVICES, rng.integers(1, 3), replace=False)) \
            if rng.random() < 0.3 else frozenset()
        needs.append(Need(
            id=i + 1,
            category=category,
            town=TOWNS[rng.integers(len(TOWNS))],
            urgency=int(rng.choice([1, 2, 3, 4], p=[0.3, 0.35, 0.25, 0.1])),
            gap=float(gaps[i]) if rng.random() < 0.9 else 0.0,
            days_waiting=int(rng.integers(0, 120)),
            vulnerability=frozenset(f for f in FLAGS if rng.random() < 0.2),
            services=services,
            tokens=_tokens(rng, topical, common, (category,), int(rng.integers(10, 30))),
            age=int(rng.integers(1, 90)),
            household_size=int(rng.integers(1, 7)),
            person_key=f"p{rng.integers(n_needs)}",
        ))
    kinds = rng.choice(["project", "fund", "scheme", "offer"], n_resources, p=[0.4, 0.2, 0.1, 0.3])
    yuan_share = float(np.mean(kinds != "offer"))
    mean_capacity = 0.6 * gaps.sum() / max(1.0, n_resources * yuan_share)
    resources = []
    for j in range(n_resources):
        kind = str(kinds[j])
        categories = () if rng.random() < 0.15 else tuple(
            rng.choice(CATEGORIES, rng.integers(1, 3), replace=False))
        towns = frozenset() if rng.random() < 0.35 else frozenset(
            rng.choice(TOWNS, rng.integers(1, 3), replace=False))
        lo, hi = (None, None)
        if rng.random() < 0.1:
            lo, hi = (0, 18) if rng.random() < 0.5 else (60, None)
        common_fields = {
            "id": j + 1,
            "kind": kind,
            "categories": frozenset(categories),
            "towns": towns,
            "min_age": lo,
            "max_age": hi,
            "requires": frozenset({"dibao"}) if rng.random() < 0.1 else frozenset(),
            "tokens": _tokens(rng, topical, common, categories or (CATEGORIES[0],),
                           int(rng.integers(8, 25))),
        }
        if kind == "offer":
            resources.append(Resource(
                **common_fields, unit="hours", capacity=float(rng.integers(10, 200)),
                per_case_cap=float(rng.integers(4, 17)),
                services=frozenset(rng.choice(SERVICES, rng.integers(1, 3), replace=False)),
            ))
        else:
            unit = "cases" if rng.random() < 0.05 else "yuan"
            capacity = float(rng.integers(1, 30)) if unit == "cases" else float(
                np.round(rng.exponential(mean_capacity), -1))
            cap = float(np.round(rng.uniform(3_000, 30_000), -2)) if rng.random() < 0.5 else None
            resources.append(Resource(**common_fields, unit=unit, capacity=capacity,
                                      per_case_cap=cap if unit == "yuan" else None))
    return needs, resources


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stages(result) -> dict[str, float]:
    return {k: round(v, 3) for k, v in result.timings.items()}


def run_one(n_needs: int, n_resources: int, seed: int, top_k: int, queries: int,
            repeat: int = 1) -> dict:
    """Benchmark one size in this process and return its figures."""
    t = time.perf_counter()
    needs, resources = make_data(n_needs, n_resources, seed)
    generate_s = time.perf_counter() - t
    rss_data = _peak_rss_mib()

    t, c = time.perf_counter(), time.process_time()
    cold = run_batch(needs, resources, top_k=top_k)
    cold_s, cold_cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    index = ResourceIndex.build(resources).warm()
    index_s = time.perf_counter() - t
    runs = []
    for _ in range(max(1, repeat)):
        t, c = time.perf_counter(), time.process_time()
        result = run_batch(needs, index, top_k=top_k)
        runs.append((time.perf_counter() - t, time.process_time() - c, result))
        assert result.proposals == cold.proposals, "batch is not deterministic"
    runs.sort(key=lambda run: run[0])
    warm_s, warm_cpu, warm = runs[len(runs) // 2]

    rng = np.random.default_rng(seed + 1)
    sample = [needs[i] for i in rng.integers(len(needs), size=queries + 50)]
    for need in sample[:50]:
        suggest_for_need(need, index, k=5)
    latencies, cpu = [], []
    for need in sample[50:]:
        t, c = time.perf_counter(), time.thread_time()
        suggest_for_need(need, index, k=5)
        cpu.append(time.thread_time() - c)
        latencies.append(time.perf_counter() - t)
    latencies_ms = np.array(latencies) * 1000
    cpu_ms = np.array(cpu) * 1000

    return {
        "size": f"{n_needs}x{n_resources}",
        "seed": seed,
        "top_k": top_k,
        "generate_data_s": round(generate_s, 2),
        "candidates_edges": warm.n_candidates,
        "proposals": len(warm.proposals),
        "skipped": len(warm.skipped),
        "repeat": len(runs),
        "cold_end_to_end_s": round(cold_s, 3),
        "cold_cpu_s": round(cold_cpu, 3),
        "warm_end_to_end_s": round(warm_s, 3),
        "warm_best_s": round(runs[0][0], 3),
        "warm_cpu_s": round(warm_cpu, 3),
        "index_build_s": round(index_s, 3),
        "stages_cold_s": _stages(cold),
        "stages_warm_s": _stages(warm),
        "objective": round(warm.objective, 2),
        "greedy_objective": round(warm.greedy_objective, 2),
        "objective_gain_pct": round(
            100 * (warm.objective / warm.greedy_objective - 1), 3
        ) if warm.greedy_objective else None,
        "objective_ge_greedy": warm.objective >= warm.greedy_objective * (1 - 1e-9),
        "suggest_p50_ms": round(float(np.percentile(latencies_ms, 50)), 3),
        "suggest_p95_ms": round(float(np.percentile(latencies_ms, 95)), 3),
        "suggest_max_ms": round(float(latencies_ms.max()), 3),
        "suggest_cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 3),
        "suggest_cpu_p95_ms": round(float(np.percentile(cpu_ms, 95)), 3),
        "peak_rss_after_data_mib": round(rss_data, 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _print(figures: dict) -> None:
    print(f"== {figures['size']} (seed {figures['seed']}, top_k {figures['top_k']}) ==")
    print(f"  edges {figures['candidates_edges']:,}  proposals {figures['proposals']:,}"
          f"  skipped {figures['skipped']:,}")
    print(f"  cold (index built from records in the call) {figures['cold_end_to_end_s']} s"
          f" wall, {figures['cold_cpu_s']} s CPU")
    print(f"  warm (prebuilt index, median of {figures['repeat']}) {figures['warm_end_to_end_s']}"
          f" s wall (best {figures['warm_best_s']} s), {figures['warm_cpu_s']} s CPU;"
          f" index build {figures['index_build_s']} s")
    print(f"  {'stage':<12}{'cold s':>9}{'warm s':>9}")
    for stage, value in figures["stages_warm_s"].items():
        print(f"  {stage:<12}{figures['stages_cold_s'].get(stage, float('nan')):>9.3f}"
              f"{value:>9.3f}")
    print(f"  objective {figures['objective']:,.0f} vs greedy {figures['greedy_objective']:,.0f}"
          f" ({figures['objective_gain_pct']:+} %), >= greedy: {figures['objective_ge_greedy']}")
    print(f"  suggest_for_need p50 {figures['suggest_p50_ms']} ms, p95 {figures['suggest_p95_ms']}"
          f" ms, max {figures['suggest_max_ms']} ms (wall); CPU p50"
          f" {figures['suggest_cpu_p50_ms']} ms, p95 {figures['suggest_cpu_p95_ms']} ms")
    print(f"  load average at end {figures['load_average']}")
    print(f"  peak RSS {figures['peak_rss_mib']} MiB (after data generation"
          f" {figures['peak_rss_after_data_mib']} MiB)", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000x2000,10000x50000,100000x50000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="warm batches per size")
    parser.add_argument("--out", help="write all figures as JSON here")
    parser.add_argument("--in-process", action="store_true",
                        help="run the sizes in this process (peak memory then accumulates)")
    parser.add_argument("--json-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [tuple(int(x) for x in s.lower().split("x")) for s in args.sizes.split(",")]
    results = []
    for n_needs, n_res in sizes:
        if args.in_process or len(sizes) == 1:
            figures = run_one(n_needs, n_res, args.seed, args.top_k, args.queries, args.repeat)
        else:
            child = subprocess.run(
                [sys.executable, __file__, "--sizes", f"{n_needs}x{n_res}", "--seed",
                 str(args.seed), "--top-k", str(args.top_k), "--queries", str(args.queries),
                 "--repeat", str(args.repeat), "--json-only"],
                check=True, capture_output=True, text=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
        if not args.json_only:
            _print(figures)
        results.append(figures)
    if args.json_only:
        print(json.dumps(results[0]))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(results, fh, ensure_ascii=False, indent=2)
    return 0 if all(r["objective_ge_greedy"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
