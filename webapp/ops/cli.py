"""``flask keys …``: rotating the field key, the person-hash key and SECRET_KEY."""
from __future__ import annotations

from flask.cli import AppGroup

keys_cli = AppGroup("keys", help="Rotate the keys that protect personal data and logins.")
