"""Display labels of search facet values (kinds, categories, urgency levels)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.models import CATEGORY_LABELS

KIND_LABELS = {"need": _l("急难需求"), "project": _l("慈善项目"), "fund": _l("公益基金"),
               "offer": _l("志愿服务"), "scheme": _l("救助政策")}
CATEGORY_NAMES = {category.value: _l(label) for category, label in CATEGORY_LABELS.items()}
URGENCY_LABELS = {1: _l("一般"), 2: _l("较急"), 3: _l("紧急"), 4: _l("特急")}
FACET_TITLES = {"kind": _l("类型"), "category": _l("救助类别"), "town": _l("镇街"),
                "urgency": _l("紧急程度")}
SORT_LABELS = {"relevance": _l("相关度"), "urgency": _l("紧急优先"), "newest": _l("最新发布")}


def facet_label(name: str, value) -> str:
    """The label people read for ``value`` of facet ``name``."""
    if name == "kind":
        return KIND_LABELS.get(value, value)
    if name == "category":
        return CATEGORY_NAMES.get(value, value)
    if name == "urgency":
        return URGENCY_LABELS.get(value, str(value))
    return str(value)
