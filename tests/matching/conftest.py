"""Factories for hand-built matching scenarios."""

import pytest

from matching.records import Need, Resource


@pytest.fixture
def make_need():
    """Return a factory of needs with sensible defaults."""

    def make(id=1, **overrides):
        fields = {
            "id": id,
            "category": "medical",
            "town": "梁村镇",
            "urgency": 3,
            "gap": 20_000.0,
            "days_waiting": 10,
            "vulnerability": frozenset({"serious_illness"}),
            "tokens": ("白血病", "化疗", "医疗费", "住院"),
            "age": 45,
        }
        fields.update(overrides)
        return Need(**fields)

    return make


@pytest.fixture
def make_resource():
    """Return a factory of resources with sensible defaults."""

    def make(id=100, **overrides):
        fields = {
            "id": id,
            "kind": "project",
            "categories": frozenset({"medical"}),
            "towns": frozenset({"梁村镇"}),
            "unit": "yuan",
            "capacity": 100_000.0,
            "tokens": ("大病", "医疗费", "化疗", "救助"),
        }
        fields.update(overrides)
        return Resource(**fields)

    return make
