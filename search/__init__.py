"""Chinese full-text search over anonymized needs and help sources."""
