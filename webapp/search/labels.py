"""Display labels of search facet values (kinds, categories, urgency levels)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import escape

from webapp.models import CATEGORY_LABELS
from webapp.services.search.documents import COUNTY, SEVERAL_TOWNS

KIND_LABELS = {"need": _l("急难需求"), "project": _l("慈善项目"), "fund": _l("公益基金"),
               "offer": _l("志愿服务"), "scheme": _l("救助政策")}
CATEGORY_NAMES = {category.value: _l(label) for category, label in CATEGORY_LABELS.items()}
URGENCY_LABELS = {1: _l("一般"), 2: _l("较急"), 3: _l("紧急"), 4: _l("特急")}
FACET_TITLES = {"kind": _l("类型"), "category": _l("救助类别"), "town": _l("镇街"),
                "urgency": _l("紧急程度")}
# The labels webapp/services/search/documents.py writes before a document's lines (stored in
# Chinese in the index); a snippet shows them in the reader's language.
SNIPPET_LABELS = {"家庭情况": _l("家庭情况"), "所需服务": _l("所需服务"), "地区": _l("地区"),
                  "救助类别": _l("救助类别"), "紧急程度": _l("紧急程度"), "年龄段": _l("年龄段"),
                  "服务范围": _l("服务范围"), "服务内容": _l("服务内容"), "技能": _l("技能"),
                  "发布机构": _l("发布机构")}
SORT_LABELS = {"relevance": _l("相关度"), "urgency": _l("紧急优先"), "newest": _l("最新发布")}


def snippet_labels(snippet_html: str, colon: str) -> str:
    """A snippet (safe HTML) with the line labels of the indexed text in the reader's
    language: "家庭情况：" becomes "Household: " in English."""
    for label, translated in SNIPPET_LABELS.items():
        snippet_html = snippet_html.replace(f"{label}：", f"{escape(translated)}{escape(colon)}")
    return snippet_html


def facet_label(name: str, value) -> str:
    """The label people read for ``value`` of facet ``name``."""
    if name == "kind":
        return KIND_LABELS.get(value, value)
    if name == "category":
        return CATEGORY_NAMES.get(value, value)
    if name == "urgency":
        return URGENCY_LABELS.get(value, str(value))
    if name == "town" and value in (COUNTY, SEVERAL_TOWNS):  # not a town's own name
        return _l(value)
    return str(value)
