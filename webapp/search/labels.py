"""Display labels of search facet values (kinds, categories, urgency levels)."""
from __future__ import annotations

import html
import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from webapp.models import CATEGORY_LABELS
from webapp.services.search.documents import COUNTY, SEVERAL_TOWNS
from webapp.templating import colon, list_sep

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


_MARK = re.compile(r"</?mark>")


def _english_part(part: str) -> str | None:
    """A label the index keeps in both languages ('医疗救助 Medical aid', or cut short by the
    snippet's end), or one of its own words (全县), as the reader reads it; None otherwise."""
    zh, _sep, rest = part.partition(" ")
    english = bilingual_english(zh)
    if english is not None and rest and english.startswith(rest):
        return str(_l(zh))
    if part in (COUNTY, SEVERAL_TOWNS):
        return str(_l(part))
    return None


def bilingual_english(label: str) -> str | None:
    from webapp.services.search.documents import _english
    english = _english().gettext(label)
    return None if english == label else english


def _need_lines(need) -> dict[str, str]:
    """The lines of a need's document that the system wrote from the card's codes, each as
    the reader reads it (webapp/services/search/documents.py writes them in Chinese)."""
    from webapp import generated_words
    lines = {}
    if need.household:
        lines["家庭情况：" + need.household] = (
            f"{SNIPPET_LABELS['家庭情况']}{colon()}{generated_words.household_text(need)}")
    if need.age_band:
        lines["年龄段：" + need.age_band] = (
            f"{SNIPPET_LABELS['年龄段']}{colon()}{generated_words.band_text(need)}")
    return lines


def _english_line(core: str, need, *, first: bool, last: bool) -> str | None:
    """A whole or cut line of a document in the reader's language, None when it is typed text
    (or not a line the system wrote)."""
    if need is not None:
        for stored, shown in _need_lines(need).items():
            if core == stored or (first and len(core) > 1 and stored.endswith(core)) \
                    or (last and len(core) > 1 and stored.startswith(core)):
                return shown
    label, sep, value = core.partition("：")
    if sep and (label in SNIPPET_LABELS or (first and any(
            known.endswith(label) for known in SNIPPET_LABELS) and label)):
        known = label if label in SNIPPET_LABELS else next(
            k for k in SNIPPET_LABELS if k.endswith(label))
        parts = [_english_part(p) or p for p in value.split("、")]
        return f"{SNIPPET_LABELS[known]}{colon()}{list_sep().join(parts)}"
    if not sep:
        return _english_part(core)
    return None


def shown_snippet(snippet_html: str, terms: list[str], need=None) -> Markup:
    """A hit's snippet (safe HTML from the search highlighter) in the reader's language: the
    lines the system wrote (labels, a card's household and age band, the county) are written
    again in it, with the query's words marked; typed text (a story, a description) as is."""
    from webapp.services.search.queries import _mark
    if str(get_locale()).startswith("zh"):
        return Markup(snippet_labels(snippet_html, colon()))  # noqa: S704 (escaped by _mark)
    pieces = snippet_html.split("\n")
    out = []
    for i, piece in enumerate(pieces):
        plain = html.unescape(_MARK.sub("", piece))
        core = plain.strip("…")
        shown = _english_line(core, need, first=i == 0, last=i == len(pieces) - 1) \
            if core else None
        if shown is None:
            out.append(Markup(snippet_labels(piece, colon())))  # noqa: S704
        else:
            out.append(("…" if plain.startswith("…") else "") + _mark(shown, terms)
                       + ("…" if plain.endswith("…") and not core.endswith("…") else ""))
    return Markup("\n").join(out)


def shown_title(title_html: str, terms: list[str], need=None) -> Markup:
    """A hit's title (safe HTML): a need's generated title in the reader's language."""
    from webapp import generated_words
    from webapp.services.search.queries import _mark
    if need is None or need.title_edited or str(get_locale()).startswith("zh"):
        return Markup(title_html)  # noqa: S704 (escaped by the highlighter)
    return _mark(generated_words.need_title(need), terms)
