"""Backup and restore: one consistent archive of the database, uploads and (sealed) keys."""
