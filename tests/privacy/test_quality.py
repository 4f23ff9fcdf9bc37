"""Quality gate on a generated corpus of more than 1,000 labelled samples."""
import pytest

from webapp.privacy.quality.corpus import generate_corpus
from webapp.privacy.quality.evaluation import KNOWN_NAME, OTHER_NAME, evaluate, format_report


@pytest.fixture(scope="module")
def report():
    return evaluate(generate_corpus(1200, seed=20260305))


@pytest.mark.parametrize("kind", ["id_number", "phone", "bank_card", KNOWN_NAME])
def test_quality_full_recall_for_critical_types(report, kind):
    score = report.by_type[kind]
    assert score.gold > 100
    assert score.recall == 1.0, format_report(report, examples=10)


def test_quality_other_names_recall_at_least_95_percent(report):
    assert report.by_type[OTHER_NAME].recall >= 0.95, format_report(report, examples=10)


def test_quality_overall_precision_at_least_90_percent(report):
    assert report.precision >= 0.90, format_report(report, examples=10)


def test_quality_corpus_covers_every_type(report):
    assert all(score.gold > 0 for score in report.by_type.values())


def test_corpus_is_reproducible():
    assert generate_corpus(20, seed=5) == generate_corpus(20, seed=5)
    assert generate_corpus(20, seed=5) != generate_corpus(20, seed=6)


def test_corpus_gold_spans_are_in_bounds():
    for sample in generate_corpus(300, seed=11):
        for span in sample.spans:
            assert 0 <= span.start < span.end <= len(sample.text)
