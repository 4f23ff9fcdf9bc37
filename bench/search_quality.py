"""Bench parts for how people ask: plain vs expanded latency, suggestions, judged quality.

Used by bench/search_bench.py; see docs/search.md ("Thesaurus, pinyin and suggestions").
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from pathlib import Path

from corpus_words import query

from search.evaluation import evaluate_snapshot, format_report, load_judged
from search.segmenter import domain_words
from search.suggest import suggestions
from search.thesaurus import get_thesaurus, pinyin_keys

JUDGED = Path(__file__).resolve().parent.parent / "tests" / "search" / "judged"


def colloquial_queries(n: int, seed: int, towns: list[str]) -> list:
    """Queries of thesaurus terms and their pinyin (1-2 words, filters as the corpus's)."""
    rng = random.Random(seed + 7)
    terms = [t for t in get_thesaurus().terms if len(t) > 1]
    spellings = [k for t in terms for k in pinyin_keys(t)]
    out = []
    for _ in range(n):
        words = [rng.choice(spellings if rng.random() < 0.25 else terms)]
        if rng.random() < 0.3:
            words.append(rng.choice(terms))
        out.append(query(rng, words, lambda: rng.choice(towns)))
    return out


def suggest_prefixes(n: int, seed: int) -> list[str]:
    """What people have typed so far: 1-4 characters of a term, or 1-8 letters of its pinyin."""
    rng = random.Random(seed + 11)
    words = [w for w in {*get_thesaurus().terms, *domain_words()} if len(w) > 1]
    words.sort()
    out = []
    for _ in range(n):
        word = rng.choice(words)
        if rng.random() < 0.4 and pinyin_keys(word):
            key = rng.choice(pinyin_keys(word))
            out.append(key[: rng.randint(1, min(8, len(key)))])
        else:
            out.append(word[: rng.randint(1, min(4, len(word)))])
    return out


def paired_timings(engine, queries) -> tuple[list[float], list[float]]:
    """Each query plain then expanded, alternately, so load changes hit both alike."""
    plain, expanded = [], []
    for q in queries[:50]:
        engine.search(replace(q, expand=False))
        engine.search(replace(q, expand=True))
    for q in queries:
        for samples, expand in ((plain, False), (expanded, True)):
            t0 = time.perf_counter()
            engine.search(replace(q, expand=expand))
            samples.append((time.perf_counter() - t0) * 1000)
    return plain, expanded


def suggest_timings(engine, prefixes) -> list[float]:
    for p in prefixes[:50]:
        suggestions(engine, p)
    samples = []
    for p in prefixes:
        t0 = time.perf_counter()
        suggestions(engine, p)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def judged_report() -> tuple[dict, str]:
    """Judged-query quality on the demo documents, plain vs expanded."""
    report = evaluate_snapshot(*load_judged(JUDGED))
    as_dict = {mode: {g: _scores(s) for g, s in groups.items()} for mode, groups in report.items()}
    return as_dict, format_report(report)


def _scores(s) -> dict:
    return {"queries": s.queries, "ndcg": s.ndcg, "recall": s.recall, "zero_rate": s.zero_rate}
