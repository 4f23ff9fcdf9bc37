"""Plain input records for the matcher; the web layer builds them from its models.

The records are frozen dataclasses of built-in types only, so the matcher can be fed from a
database, a fixture or a benchmark generator alike. Validation that leads to a *skip with a
reason* (rather than an exception) lives in ``matching.pipeline``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Resource kinds. ``scheme`` and ``fund`` are "temporary assistance" for the once-per-cause rule.
KINDS = ("project", "fund", "offer", "scheme")
#: Units a resource's capacity is counted in. Amounts are allocated in whole units.
UNITS = ("yuan", "hours", "cases")
#: Kinds to which the once-per-cause-per-year rule applies.
ONCE_PER_CAUSE_KINDS = frozenset({"scheme", "fund"})
#: Service hours assumed for a need that lists services but gives no ``hours_needed``.
DEFAULT_SERVICE_HOURS = 8.0


@dataclass(frozen=True, slots=True)
class Need:
    """A published urgent case with what is still missing.

    ``gap`` is the yuan still to be found; ``services`` the kinds of volunteer help needed
    (e.g. 心理疏导, 陪护就医) and ``hours_needed`` how many volunteer hours in total (``None``
    means :data:`DEFAULT_SERVICE_HOURS` when services are listed). ``tokens`` is the analysed
    Chinese description (jieba tokens); ``person_key`` is a keyed hash of the person, never
    the identity itself.
    """

    id: int
    category: str
    town: str
    urgency: int
    gap: float
    days_waiting: int = 0
    vulnerability: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    tokens: tuple[str, ...] = ()
    age: int | None = None
    household_size: int | None = None
    person_key: str | None = None
    hours_needed: float | None = None

    def demand(self, unit: str) -> float:
        """Return what the need still lacks, counted in ``unit``."""
        if unit == "yuan":
            return max(float(self.gap), 0.0)
        if unit == "hours":
            if self.hours_needed is not None:
                return max(float(self.hours_needed), 0.0)
            return DEFAULT_SERVICE_HOURS if self.services else 0.0
        if unit == "cases":
            # One place per service asked for (one offer takes each on), else one slot.
            if self.services:
                return float(len(self.services))
            return 1.0 if self.gap > 0 else 0.0
        raise ValueError(f"unknown unit {unit!r}")


@dataclass(frozen=True, slots=True)
class Resource:
    """A source of help: charity project, company fund, volunteer offer or government scheme.

    Empty ``categories`` accepts any category; empty ``towns`` serves the whole county.
    ``requires`` lists eligibility flags the person must all have (e.g. ``dibao``);
    ``services`` lists what a volunteer offer provides.
    """

    id: int
    kind: str
    categories: frozenset[str] = frozenset()
    towns: frozenset[str] = frozenset()
    unit: str = "yuan"
    capacity: float = 0.0
    per_case_cap: float | None = None
    min_age: int | None = None
    max_age: int | None = None
    requires: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Pairs the matcher must not propose, computed by the web layer.

    ``blocked_causes`` holds ``(need_id, category)`` pairs for which the person already received
    temporary assistance within 365 days (the once-per-cause-per-year rule, found through the
    person's keyed hash across cases, towns and resources); such a need gets no ``scheme`` or
    ``fund`` resource for that category, unless an officer recorded an exception, in which case
    the web layer leaves it out. ``blocked_pairs`` holds ``(need_id, resource_id)`` pairs an
    officer already rejected or that are already pending.
    """

    blocked_causes: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    blocked_pairs: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def blocks_cause(self, need: Need) -> bool:
        """Return whether ``need`` is barred from scheme and fund resources."""
        return (need.id, need.category) in self.blocked_causes


NO_EXCLUSIONS = Exclusions()
