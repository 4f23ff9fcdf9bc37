"""Synthetic corpora and queries for the search benchmark (bench/search_bench.py).

``CORPORA`` maps each ``--corpus`` name to its (documents, queries) generators, both called as
``f(n, seed)``:
  * ``zipf`` (the default): ``generate_zipf``/``make_zipf_queries`` in corpus_zipf.py; Zipfian
    vocabulary, category-specific terms and realistic query selectivity.
  * ``uniform``: ``generate``/``make_queries`` in corpus_uniform.py; the older, much broader
    uniform corpus, kept for comparison.
The vocabulary both share (towns, document kinds, verbs, village names) is in corpus_words.py.
"""

from __future__ import annotations

from corpus_uniform import generate, make_queries
from corpus_zipf import generate_zipf, make_zipf_queries

CORPORA = {"zipf": (generate_zipf, make_zipf_queries), "uniform": (generate, make_queries)}
