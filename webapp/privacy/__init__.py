"""Personal-data detection, redaction and anonymized summaries (no Flask imports)."""
