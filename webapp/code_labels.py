"""What a person reads for the codes the system stores: one table per kind of code.

Templates write ``{{ value|code('transfer_kind') }}`` instead of ``value.value``; the label
goes through ``_()`` so the English interface shows English. A code without a label shows
as "其他" (never the code itself), and the crawl test in tests/webapp/test_no_codes_on_screen.py
finds any template that still prints a raw code.
"""
from __future__ import annotations

import enum
import json

from flask_babel import gettext as _

from webapp.matching.labels import KIND_LABELS as RESOURCE_KIND_LABELS
from webapp.matching.labels import UNIT_LABELS
from webapp.models.catalog import CATEGORY_LABELS, VULNERABILITY_FLAGS
from webapp.models.ledger import PAYMENT_METHOD_LABELS
from webapp.models.matching import REJECT_REASON_LABELS
from webapp.services.cases.household import RELATION_LABELS
from webapp.services.cases.orders import LEVEL_LABELS, SUBJECT_LABELS
from webapp.services.cases.workflow import STATUS_LABELS as CASE_STATUS_LABELS
from webapp.services.cases.workflow import TRANSITIONS
from webapp.services.complaints import TOPIC_LABELS as COMPLAINT_TOPIC_LABELS
from webapp.services.county_rules import RULES
from webapp.services.retention import EXPORT_REASONS, PERSON_FIELD_LABELS, RETENTION_KIND_LABELS
from webapp.templating import ROLE_LABELS, list_sep

ORG_KIND_LABELS = {"civil_affairs": "民政部门", "department": "职能部门", "town": "镇（街道）",
                   "community": "村（社区）", "charity": "慈善组织", "enterprise": "爱心企业",
                   "volunteer_team": "志愿服务组织", "public": "社会公众",
                   "rescue_station": "救助管理站"}
ORG_STATUS_LABELS = {"pending": "待审核", "approved": "已批准", "rejected": "已驳回"}
TRANSFER_KIND_LABELS = {"opening": "期初资金", "top_up": "追加资金", "reservation": "匹配预留",
                        "green_channel": "先行救助", "refund": "退回"}
TRANSFER_STATUS_LABELS = {"pending": "已预留", "posted": "已拨付", "voided": "已作废"}
VERIFICATION_LABELS = {"unverified": "待核实", "confirmed": "核实无误", "reversed": "已冲回"}
ENTRY_ACTION_LABELS = {"open": "开立", "top_up": "追加资金", "reserve": "预留", "post": "拨付",
                       "release": "释放", "void": "作废", "refund": "退回", "reverse": "冲回",
                       "disburse": "支付"}
SIDE_LABELS = {"debit": "支出", "credit": "收入"}
PHASE_LABELS = {"pending": "预留中", "posted": "已入账"}
AUDIT_OBJECT_LABELS = {"service_sessions": "服务记录", "case_outcomes": "救助结果",
                       "users": "用户", "organisations": "机构", "cases": "个案",
                       "need_cards": "需求卡片", "money_transfers": "款项",
                       "conferences": "联席会议", "match_runs": "匹配批次",
                       "match_proposals": "匹配建议", "pledges": "认捐", "projects": "慈善项目",
                       "funds": "公益基金", "offers": "志愿服务", "schemes": "救助政策",
                       "county_rules": "县级规则", "calendar_days": "节假日",
                       "calendar": "节假日", "supervision_orders": "督办单",
                       "api_tokens": "接口令牌", "ledger_accounts": "资金账户",
                       "attachments": "证明材料", "listing_reviews": "上架审核",
                       "applicants": "申请人",
                       "leads": "线索", "verification_codes": "验证码", "appeals": "复核申请",
                       "complaints": "投诉", "town_windows": "受理窗口"}
AUDIT_ACTION_LABELS = {
    "delivery.session": "登记服务记录", "case.outcome": "记录救助结果",
    "ledger.reserve_top_up": "补充备用金",
    "login": "登录", "logout": "退出登录", "login.failed": "登录失败",
    "user.create": "创建用户", "user.activate": "启用用户", "user.deactivate": "停用用户",
    "user.password": "修改密码", "user.roles": "调整角色",
    "organisation.register": "机构注册", "organisation.approve": "批准机构",
    "organisation.reject": "驳回机构",
    "api_token.issue": "签发接口令牌", "api_token.revoke": "吊销接口令牌",
    "case.report": "登记个案", "case.reveal": "查看完整个人信息",
    "case.attachment_add": "上传证明材料", "case.attachment_view": "查看证明材料",
    "case.assistance_exception": "同因重复救助例外", "case.step_overdue": "办理超期",
    "case.duplicate_check": "受理查重", "complaint.file": "收到投诉",
    "complaint.answer": "答复投诉", "complaint.view": "查看投诉人联系方式", "town_window.update": "更新窗口公开信息",
    "conference.schedule": "安排联席会议", "conference.agenda_add": "列入会议议题",
    "conference.decision": "会议决定",
    "ledger.open": "开立资金账户", "ledger.top_up": "追加资金", "ledger.reserve": "预留资金",
    "ledger.disburse": "拨付", "ledger.release": "释放预留", "ledger.refund": "退回资金",
    "ledger.void": "作废款项", "ledger.second_approval": "第二人复核",
    "ledger.green_channel.confirm": "先行救助核实无误",
    "ledger.green_channel.reverse": "先行救助冲回",
    "matching.run": "匹配批次完成", "matching.run_start": "运行匹配",
    "matching.suggest": "即时匹配建议", "matching.approve": "批准匹配",
    "matching.reject": "驳回匹配", "matching.cancel": "取消匹配",
    "matching.supersede": "匹配建议被替换",
    "need.publish": "发布需求", "need.unpublish": "撤下需求",
    "privacy.find": "按身份证号查找申请人", "privacy.export": "导出申请人个人信息",
    "privacy.correct": "更正申请人个人信息", "retention.purge": "按保存期限删除个人信息",
    "rules.set": "修改县级规则", "rules.seed": "初始化县级规则",
    "rules.calendar_load": "载入法定节假日", "rules.calendar_override": "调整节假日",
    "rules.calendar_override_remove": "删除节假日调整", "rules.scheme_standards": "修改救助标准",
    "supervision.issue": "发出督办单", "supervision.reply": "答复督办单",
    "supervision.escalate": "督办单升级", "supervision.close": "督办单办结",
    "supervision.high_impact": "重大敏感标记",
    "lead.file": "报告线索", "lead.convert": "线索转为个案", "lead.close": "关闭线索",
    "case.appeal": "申请复核", "case.appeal_decide": "办理复核",
    "self_service.code": "发送验证码", "self_service.lookup": "网上查询进度",
}
AUDIT_FIELD_LABELS = {
    "proposal_id": "对接", "hours": "小时", "delivered_on": "服务日期", "result": "结果",
    "from_account_id": "转出账户", "to_account_id": "转入账户",
    "number": "编号", "from": "原状态", "to": "新状态", "amount": "金额", "case_id": "个案",
    "category": "类别", "local_hukou": "本地户籍", "town_id": "镇（街道）",
    "need_card_id": "需求卡片", "resource": "资源", "owner_id": "承办人",
    "reason_code": "原因", "kind": "类型", "reference": "摘要", "source": "资金来源",
    "source_account_id": "付款账户", "money_transfer_id": "款项", "unit": "单位",
    "account_id": "账户", "organisation_id": "机构", "roles": "角色",
    "amount_needed": "所需金额", "edited": "已修改", "level": "级别", "need_id": "需求",
    "proposals": "建议数", "status": "状态", "department_ids": "转办部门",
    "due_on": "期限", "transfer_ids": "转办", "referred": "已转介", "item_id": "议题",
    "transfer_id": "转办", "exception_id": "例外", "method": "支付方式",
    "voucher_number": "凭证号", "decision": "决定", "needs": "需求数", "resources": "资源数",
    "scorer": "评分模型", "skipped": "跳过", "superseded": "被替换",
    "earlier_case_id": "此前个案", "scheduled_at": "会议时间", "attachment_id": "材料",
    "media_type": "文件类型", "size": "大小", "step": "环节", "before": "修改前",
    "after": "修改后", "job_id": "任务", "refunds": "退回笔数",
    "matches": "查到记录数", "cases": "个案", "reason": "原因", "fields": "更正字段", "reason_given": "已填写依据",
    "kinds": "删除内容",
    "key": "规则", "value": "值", "effective_from": "生效日期", "rules": "规则数",
    "year": "年份", "holidays": "节假日天数", "workdays": "调休上班天数",
    "adjusted": "含调休安排", "day": "日期", "subject_kind": "督办事项",
    "subject_id": "事项编号", "recipient": "接收单位", "reply_due_on": "答复期限",
    "overdue_days": "逾期工作日", "high_impact": "重大敏感", "deadlines_shortened": "缩短的时限",
    "min_amount": "下限", "max_amount": "上限", "times_per_year": "每年次数",
    "channel": "渠道", "urgency": "紧急程度", "case_number": "个案编号",
    "appeal_id": "复核申请", "by_applicant": "申请人本人提出", "reviewer_id": "复核人",
    "outcome": "结论", "purpose": "用途",
    "members": "家庭成员", "ids_checked": "查重证件数",
    "case_ids": "个案", "topic": "投诉类别", "contact_given": "留有联系方式", "late": "逾期",
}
# Values in an audit summary that are codes: read through these tables, in this order.
AUDIT_VALUE_TABLES = ("case_status", "category", "transfer_kind", "reject_reason", "unit",
                      "payment_method", "resource_kind", "org_status", "person_field",
                      "export_reason", "retention_kind", "order_level", "order_subject",
                      "day_kind", "county_rule", "door",
                      "complaint_topic", "complaint_status", "audit_field_name",
                      "pledge_status", "outcome_result")
DAY_KIND_LABELS = {"holiday": "放假", "workday": "调休上班"}

# Codes in the audit summaries of leads, appeals and self-service (webapp/services/doors).
DOOR_VALUE_LABELS = {"staff": "发现报告", "online": "网上申请", "apply": "网上申请",
                     "lookup": "进度查询", "upheld": "维持原决定", "overturned": "撤销原决定",
                     "referred": "已转介", "not_eligible": "不符合救助条件",
                     "duplicate": "重复线索", "unreachable": "无法联系"}
SCORER_LABELS = {"default": "规则评分", "learned": "学习模型评分"}
RUN_STAGE_LABELS = {"prepare": "准备数据", "candidates": "筛选候选", "scoring": "评分",
                    "allocation": "分配", "greedy": "补充分配", "total": "合计"}

TABLES: dict[str, dict[str, str]] = {
    "scorer": SCORER_LABELS,
    "person_field": PERSON_FIELD_LABELS,
    "export_reason": EXPORT_REASONS,
    "retention_kind": RETENTION_KIND_LABELS,
    "run_stage": RUN_STAGE_LABELS,
    "org_kind": ORG_KIND_LABELS,
    "org_status": ORG_STATUS_LABELS,
    "transfer_kind": TRANSFER_KIND_LABELS,
    "transfer_status": TRANSFER_STATUS_LABELS,
    "verification": VERIFICATION_LABELS,
    "entry_action": ENTRY_ACTION_LABELS,
    "side": SIDE_LABELS,
    "phase": PHASE_LABELS,
    "audit_object": AUDIT_OBJECT_LABELS,
    "audit_field": AUDIT_FIELD_LABELS,
    "household_flag": dict(VULNERABILITY_FLAGS),
    "relation": {r.value: label for r, label in RELATION_LABELS.items()},
    "complaint_topic": {t.value: label for t, label in COMPLAINT_TOPIC_LABELS.items()},
    "complaint_status": {"open": "待答复", "answered": "已答复"},
    # Names of fields in an audit summary's "fields" list (which data was changed or seen).
    "audit_field_name": {"address": "地址", "opening_hours": "办公时间", "phone": "电话",
                         "supervision_phone": "监督电话", "contact": "联系方式",
                         "members": "家庭成员", "id_number": "身份证号码",
                         "birth_date": "出生日期", "description": "困难情况"},
    "category": {c.value: label for c, label in CATEGORY_LABELS.items()},
    "case_status": {s.value: label for s, label in CASE_STATUS_LABELS.items()},
    "payment_method": {m.value: label for m, label in PAYMENT_METHOD_LABELS.items()},
    "reject_reason": {r.value: label for r, label in REJECT_REASON_LABELS.items()},
    "unit": dict(UNIT_LABELS),
    "resource_kind": dict(RESOURCE_KIND_LABELS),
    "order_level": LEVEL_LABELS,
    "order_subject": SUBJECT_LABELS,
    "day_kind": DAY_KIND_LABELS,
    "county_rule": {key: spec.label for key, spec in RULES.items()},
    "door": DOOR_VALUE_LABELS,
    "pledge_status": {"pledged": "待确认", "confirmed": "已确认", "fulfilled": "已兑现",
                      "cancelled": "已取消"},
    "outcome_result": {"resolved": "已解决", "partly_resolved": "部分解决",
                       "not_resolved": "未能解决", "referred_on": "已转介"},
}


def _audit_actions() -> dict[str, str]:
    actions = dict(AUDIT_ACTION_LABELS)
    for t in TRANSITIONS.values():
        actions.setdefault(t.audit, t.label)
    return actions


def code_label(value, table: str) -> str:
    """The translated label of a stored code; "其他" for a code without one."""
    if value is None or value == "":
        return "—"
    key = value.value if isinstance(value, enum.Enum) else str(value)
    labels = _audit_actions() if table == "audit_action" else TABLES[table]
    label = labels.get(key)
    return _(label) if label else _("其他")


def code_labels(values, table: str) -> str:
    """A comma-separated list of codes (e.g. a listing's categories), labelled."""
    parts = values.split(",") if isinstance(values, str) else list(values or ())
    return list_sep().join(code_label(v.strip(), table) for v in parts if str(v).strip()) or "—"


def audit_actions_matching(text: str) -> list[str]:
    """The audit action codes whose label (Chinese or English) or code contains ``text``."""
    text = text.strip().lower()
    return [code for code, label in _audit_actions().items()
            if text in code or text in label or text in _(label).lower()]


ORG_FIELDS = frozenset({"organisation_id", "town_id", "department_ids", "recipient"})


def audit_summary(summary, names: dict[int, str], orgs: dict[int, str] | None = None
                  ) -> list[tuple[str, str]]:
    """An audit summary (a dict or its JSON text) as (label, value) pairs a person can read."""
    if isinstance(summary, str):
        try:
            summary = json.loads(summary or "{}")
        except ValueError:
            return []
    if not isinstance(summary, dict):
        return []
    rows = []
    for key, value in summary.items():
        label = AUDIT_FIELD_LABELS.get(key)
        lookup = (orgs or {}) if key in ORG_FIELDS else names
        rows.append((_(label) if label else _("其他"), _audit_value(key, value, lookup)))
    return rows


def _audit_value(key: str, value, names: dict[int, str]) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return "—"
    if isinstance(value, list):
        return list_sep().join(_audit_value(key, v, names) for v in value) or "—"
    if (key == "owner_id" or key in ORG_FIELDS) and isinstance(value, int):
        return names.get(value, f"#{value}")
    if key == "roles":
        return next((_(label) for role, label in ROLE_LABELS.items() if role.value == value),
                    _("其他"))
    if isinstance(value, str):
        if key == "resource" and ":" in value:
            kind, _sep, ident = value.partition(":")
            return f"{code_label(kind, 'resource_kind')} #{ident}"
        for table in AUDIT_VALUE_TABLES:
            if value in TABLES[table]:
                return _(TABLES[table][value])
    if isinstance(value, int) and key.endswith("_id"):
        return f"#{value}"
    return str(value)


# Labels that webapp/privacy hands to templates, which translate them with _(); the catalogue
# script does not scan webapp/privacy, so they are listed here to reach the catalogue.
PRIVACY_LABELS = ("综合救助",)
