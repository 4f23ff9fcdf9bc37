"""Fixed vocabularies shared by cases, needs, listings and matching (stored by value)."""
from __future__ import annotations

import enum


class Category(str, enum.Enum):
    """Cause of the emergency (急难情形)."""

    SERIOUS_ILLNESS = "serious_illness"   # 重大疾病
    ACCIDENT = "accident"                 # 意外伤害
    TRAFFIC = "traffic"                   # 交通事故
    FIRE = "fire"                         # 火灾
    DISASTER = "disaster"                 # 自然灾害
    EMERGENCY = "emergency"               # 突发事件
    OTHER = "other"                       # 其他


CATEGORY_LABELS = {
    Category.SERIOUS_ILLNESS: "重大疾病", Category.ACCIDENT: "意外伤害",
    Category.TRAFFIC: "交通事故", Category.FIRE: "火灾", Category.DISASTER: "自然灾害",
    Category.EMERGENCY: "突发事件", Category.OTHER: "其他",
}
CATEGORY_BY_LABEL = {v: k for k, v in CATEGORY_LABELS.items()}

# Urgency 1-4: one name each, everywhere (intake form, case pages, public cards, matching).
URGENCY_LABELS = {1: "一般", 2: "较急", 3: "紧急", 4: "特急"}

SERVICES = ["生活帮扶", "心理疏导", "精神慰藉", "陪护就医", "法律援助", "资源链接", "能力提升",
            "社会融入"]

VULNERABILITY_FLAGS = {
    "disability": "残疾", "elderly": "老年人", "minor": "未成年人",
    "serious_illness": "重病患者", "dibao": "低保", "tekun": "特困",
}
