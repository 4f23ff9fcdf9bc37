"""The tunable limits of the doors in, read once from the app config and passed explicitly."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DoorSettings:
    code_ttl_minutes: int = 10
    code_max_attempts: int = 5
    codes_per_phone_per_hour: int = 5
    codes_per_address_per_hour: int = 20
    lead_contact_days: int = 1      # first contact (首问) within these working days
    appeal_days: int = 60           # calendar days after the decision to ask for a review
    message_max_attempts: int = 5
    hash_key: str = "unset"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DoorSettings:
        get = config.get
        return cls(code_ttl_minutes=int(get("CODE_TTL_MINUTES", 10)),
                   code_max_attempts=int(get("CODE_MAX_ATTEMPTS", 5)),
                   codes_per_phone_per_hour=int(get("CODES_PER_PHONE_PER_HOUR", 5)),
                   codes_per_address_per_hour=int(get("CODES_PER_ADDRESS_PER_HOUR", 20)),
                   lead_contact_days=int(get("LEAD_CONTACT_DAYS", 1)),
                   appeal_days=int(get("APPEAL_DAYS", 60)),
                   message_max_attempts=int(get("MESSAGE_MAX_ATTEMPTS", 5)),
                   hash_key=str(get("PERSON_HASH_KEY", "unset")))
