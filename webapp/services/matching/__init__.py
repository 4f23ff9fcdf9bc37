"""Matching in the app: records from the database, batches as background jobs, single-need
suggestions, officers' decisions and the resource owners' answers, and training data.

Other areas call these names; importing the package registers the ``matching.run`` job.
Its reactions to domain events are wired in ``webapp/services/events.py``.
"""
from webapp.services.matching.decisions import (
    STATUS_LABELS,
    Limits,
    approve,
    limits,
    reject,
    respond,
)
from webapp.services.matching.runs import (
    RUN_JOB,
    execute_run,
    start_run,
    store_suggestions,
    suggestion_amount,
    suggestions,
    supersede_open,
)
from webapp.services.matching.training import current_scorer, decisions, evaluation
from webapp.services.matching.why_not import WhyNotAnswer, why_not

__all__ = [
    "RUN_JOB", "STATUS_LABELS", "Limits", "WhyNotAnswer", "approve", "current_scorer",
    "decisions", "evaluation", "execute_run", "limits", "reject", "respond", "start_run",
    "store_suggestions", "suggestion_amount", "suggestions", "supersede_open", "why_not",
]
