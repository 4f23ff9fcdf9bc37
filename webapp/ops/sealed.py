"""Which columns hold values sealed with the field key (found from the models, not listed)."""
from __future__ import annotations

from webapp.models import Base
from webapp.models.encrypted import EncryptedText


def sealed_columns() -> list[tuple[str, list[str]]]:
    """(table, [sealed column names]) for every table with an ``EncryptedText`` column."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if columns:
            found.append((table.name, columns))
    return found
