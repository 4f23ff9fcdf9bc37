"""Quality gate on the hand-written adversarial corpus (tests/privacy/data/adversarial.jsonl).

The corpus is written independently of the generator the detectors were first tuned on; the
gates are the ones the issue sets for the generated corpus, not looser ones.
"""
from pathlib import Path

import pytest

from tests.privacy.build_adversarial import KINDS, OUT, SAMPLES, SECOND_ROUND, build_lines
from webapp.privacy.quality.corpus import load_corpus
from webapp.privacy.quality.evaluation import KNOWN_NAME, OTHER_NAME, evaluate, format_report


@pytest.fixture(scope="module")
def report():
    return evaluate(load_corpus(OUT))


def test_adversarial_jsonl_matches_its_builder():
    assert Path(OUT).read_text(encoding="utf-8").splitlines() == build_lines(), (
        "run: python -m tests.privacy.build_adversarial")


def test_adversarial_corpus_is_large_and_covers_every_type():
    samples = load_corpus(OUT)
    assert len(samples) == len(SAMPLES) + len(SECOND_ROUND) >= 150
    kinds = {span.type for sample in samples for span in sample.spans}
    assert kinds == set(KINDS.values())
    assert sum(1 for sample in samples if not sample.spans) >= 20  # hard negatives


@pytest.mark.parametrize("kind", ["id_number", "phone", "bank_card", KNOWN_NAME])
def test_adversarial_full_recall_for_critical_types(report, kind):
    assert report.by_type[kind].gold >= 10
    assert report.by_type[kind].recall == 1.0, format_report(report, examples=20)


def test_adversarial_other_names_recall_at_least_95_percent(report):
    assert report.by_type[OTHER_NAME].recall >= 0.95, format_report(report, examples=20)


def test_adversarial_overall_precision_at_least_90_percent(report):
    assert report.precision >= 0.90, format_report(report, examples=20)
