"""Every door in (issue 14): leads from whoever finds hardship, the public self-application
and status lookup with verification codes, messages to applicants, and appeals."""
