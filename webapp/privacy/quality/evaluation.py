"""Span-level evaluation of PII detection against a labelled corpus.

Matching rules (offsets are compared in the original, un-normalised text, through the
normaliser's offset map):

* Recall: a gold span counts as found when the union of all predicted spans, of any type,
  covers at least 80% of its non-space characters. Type does not matter for recall: a phone
  redacted as 【银行卡号】 is still hidden.
* Type precision: a predicted span of type T is correct when at least half of its non-space
  characters lie inside gold spans of type T.
* Overall precision: a predicted span is correct when at least half of its non-space
  characters lie inside gold spans of any type.
* F2 weighs recall twice as much as precision: missing PII is worse than over-redacting.

Run ``python -m webapp.privacy.quality.evaluation`` to print the figures for the generated corpus.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass, field

from webapp.privacy.detection.detect import detect_raw
from webapp.privacy.detection.normalize import normalize
from webapp.privacy.detection.spans import NAME, PII_TYPES
from webapp.privacy.quality.corpus import Sample, generate_corpus

RECALL_COVERAGE = 0.8
PRECISION_OVERLAP = 0.5
KNOWN_NAME = "name (known)"
OTHER_NAME = "name (other)"


@dataclass
class TypeScore:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0


@dataclass
class Report:
    by_type: dict[str, TypeScore] = field(default_factory=dict)
    samples: int = 0
    predicted: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (type, gold text, sample)
    false_hits: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


def _visible(text: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if not text[i].isspace()]


def evaluate(samples: Iterable[Sample]) -> Report:
    """Detect PII in every sample and score the spans against its gold spans."""
    report = Report()
    rows = [*PII_TYPES[:-1], KNOWN_NAME, OTHER_NAME]
    report.by_type = {row: TypeScore() for row in rows}
    for sample in samples:
        report.samples += 1
        norm = normalize(sample.text)
        predicted = []
        for span in detect_raw(norm.text, sample.known_names):
            start, end = norm.to_original(span.start, span.end)
            predicted.append((start, end, span.type))
        covered: set[int] = set()
        for start, end, _ in predicted:
            covered.update(range(start, end))
        gold_chars: dict[int, set[str]] = {}
        for g in sample.spans:
            for i in range(g.start, g.end):
                gold_chars.setdefault(i, set()).add(g.type)
        for g in sample.spans:
            row = (KNOWN_NAME if g.known else OTHER_NAME) if g.type == NAME else g.type
            score = report.by_type[row]
            score.gold += 1
            report.gold += 1
            chars = _visible(sample.text, g.start, g.end) or list(range(g.start, g.end))
            if sum(i in covered for i in chars) >= RECALL_COVERAGE * len(chars):
                score.found += 1
                report.found += 1
            else:
                report.misses.append((row, sample.text[g.start:g.end], sample.text))
        for start, end, kind in predicted:
            chars = _visible(sample.text, start, end) or list(range(start, end))
            any_gold = sum(i in gold_chars for i in chars)
            same = sum(kind in gold_chars.get(i, ()) for i in chars)
            report.predicted += 1
            if any_gold >= PRECISION_OVERLAP * len(chars):
                report.correct += 1
            else:
                report.false_hits.append((kind, sample.text[start:end], sample.text))
            if kind == NAME:
                # Split name precision by whether the hit lies on a known or another name.
                known_hit = any(g.known and g.type == NAME and g.start < end and start < g.end
                                for g in sample.spans)
                score = report.by_type[KNOWN_NAME if known_hit else OTHER_NAME]
            else:
                score = report.by_type[kind]
            score.predicted += 1
            if same >= PRECISION_OVERLAP * len(chars):
                score.correct += 1
    return report


def format_report(report: Report, *, examples: int = 0) -> str:
    """A plain-text table of per-type recall, precision and F2."""
    lines = [
        f"samples: {report.samples}",
        (f"{'type':<16}{'gold':>6}{'found':>7}{'recall':>9}{'pred':>7}{'correct':>9}"
         f"{'precision':>11}{'F2':>8}"),
    ]
    for row, s in report.by_type.items():
        lines.append(f"{row:<16}{s.gold:>6}{s.found:>7}{s.recall:>9.1%}{s.predicted:>7}"
                     f"{s.correct:>9}{s.precision:>11.1%}{s.f2:>8.3f}")
    lines.append(f"{'overall':<16}{report.gold:>6}{report.found:>7}{report.recall:>9.1%}"
                 f"{report.predicted:>7}{report.correct:>9}{report.precision:>11.1%}")
    if examples:
        lines.append("missed:")
        lines += [f"  {t}: {g!r}  in  {s[:80]!r}" for t, g, s in report.misses[:examples]]
        lines.append("false hits:")
        lines += [f"  {t}: {g!r}  in  {s[:80]!r}" for t, g, s in report.false_hits[:examples]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1200, help="number of samples")
    parser.add_argument("--seed", type=int, default=20260305)
    parser.add_argument("--examples", type=int, default=0, help="show misses and false hits")
    args = parser.parse_args(argv)
    print(format_report(evaluate(generate_corpus(args.n, args.seed)), examples=args.examples))


if __name__ == "__main__":
    main()
