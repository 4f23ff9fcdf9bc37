"""Form helpers shared by every area."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext
from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices; plain-text labels are translated when
    the form is drawn (a label that is not in the catalogue, such as a town's name, is
    shown as it is)."""
    return [SelectChoice(value, lazy_gettext(label) if isinstance(label, str) else label)
            for value, label in pairs]
