"""Measuring detection: a seeded labelled corpus and span-level evaluation against it."""
