"""Matching of urgent needs with help sources: candidates, scoring and allocation."""
