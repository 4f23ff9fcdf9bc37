"""What officers read about a run or a proposal: feature, kind and unit labels, the
explanation of a score, the run's status and the skip reasons of the matcher in Chinese."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from webapp.models import Job, JobStatus, MatchRun, RunStatus

FEATURE_LABELS = {
    "text_sim": "描述相近", "category_exact": "专项对口", "same_town": "本镇资源",
    "coverage": "可覆盖缺口", "urgency": "紧急程度", "waiting": "等待时间",
    "vulnerability": "困难程度", "service_fit": "服务对口",
}
#: Labels of the explanation terms added by issue 18 (translated where they are defined).
EXTRA_EXPLANATION_LABELS = {
    "specificity": _l("专为此类情况设立"), "scarcity": _l("可选资源少"),
    "baseline": _l("基准分（一般情况）"),
}
KIND_LABELS = {"project": "慈善项目", "fund": "公益基金", "offer": "志愿服务", "scheme": "救助政策"}
UNIT_LABELS = {"yuan": "元", "hours": "小时", "cases": "例"}
RUN_STATUS_LABELS = {"queued": "排队/运行中", "done": "已完成", "failed": "失败"}
#: Why a resource was not proposed for a need (codes of matching.reasons, plus ``dates``).
RULE_LABELS = {
    "gap_covered": _l("缺口已由认捐或已批准的帮扶覆盖"),
    "dates": _l("不在资源的有效期内"),
    "unusable": _l("资源设置有误，无法匹配"),
    "category": _l("资源不覆盖该救助类别"),
    "town": _l("资源不服务该镇街"),
    "kind": _l("资源提供的帮助类型不是该需求所缺的"),
    "service": _l("志愿服务不含所需服务"),
    "household": _l("家庭不符合资源要求的困难情形"),
    "age": _l("年龄不在资源范围内（或年龄未登记）"),
    "once_per_cause": _l("同一事由一年内已获临时救助"),
    "decided": _l("该配对已审批、驳回或婉拒过"),
    "capacity_used": _l("资源额度已被其他需求用完"),
    "not_chosen": _l("资源有余量，但排在该需求更合适的资源之后"),
    "not_listed": _l("资源未公开或已下架"),
    "need_closed": _l("需求已关闭或未发布"),
    "service_taken": _l("所需的这项服务已由另一项志愿服务承担"),
    "proposed": _l("已为该需求提出此建议，待审批"),
    "taken": _l("本批次将该资源分给了其他需求"),
}
#: Order of the rules on the page: the order the matcher checks them in.
RULE_ORDER = tuple(RULE_LABELS)


def rule_label(code: str) -> str:
    """The officer's words for a reason code."""
    return str(RULE_LABELS[code]) if code in RULE_LABELS else code


SKIP_LABELS = [
    ("no remaining gap", "没有剩余缺口"),
    ("no remaining capacity", "没有剩余额度"),
    ("no feasible candidate", "没有符合条件的资源"),
    ("capacity used by other needs", "符合条件的资源已被其他需求用完"),
    ("not chosen", "有候选资源，但本批未分到"),
    ("duplicate need id", "需求重复"),
    ("invalid urgency", "紧急程度无效"),
    ("invalid age", "年龄无效"),
    ("unknown kind", "资源类型无效"),
    ("unknown unit", "计量单位无效"),
    ("contradictory restrictions: per-case cap", "限制条件矛盾：单例上限不足一个单位"),
    ("contradictory restrictions: min_age", "限制条件矛盾：最低年龄高于最高年龄"),
    ("contradictory restrictions: volunteer offer", "限制条件矛盾：志愿服务未列出服务内容"),
]


def explanation_label(name: str) -> str:
    """The reader's label of one explanation term, translated now."""
    if name in EXTRA_EXPLANATION_LABELS:
        return str(EXTRA_EXPLANATION_LABELS[name])
    return gettext(FEATURE_LABELS[name]) if name in FEATURE_LABELS else name


def explain(contributions: dict | None) -> list[tuple[str, float]]:
    """Every term of the score, largest first, as (translated label, contribution).

    The terms add up to the score (a learned model's ``baseline`` included), so nothing is
    left out but terms that are exactly zero.
    """
    items = sorted((contributions or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return [(explanation_label(name), float(value)) for name, value in items if value != 0]


def skip_reason(reason: str) -> str:
    for prefix, label in SKIP_LABELS:
        if reason.startswith(prefix):
            return label
    return reason


def run_status(run: MatchRun, job: Job | None) -> str:
    """queued, done or failed (a job that failed leaves its run queued in the database)."""
    if run.status is RunStatus.QUEUED and job is not None and job.status is JobStatus.FAILED:
        return "failed"
    return run.status.value
