"""SQLAlchemy models, one module per aggregate; importing this registers them all."""
from webapp.models.accounts import (  # noqa: F401
    ApiToken,
    LoginFailure,
    LoginSession,
    Organisation,
    OrgKind,
    OrgStatus,
    Role,
    User,
    UserRole,
)
from webapp.models.audit import AuditEvent, AuditHead  # noqa: F401
from webapp.models.base import Base, utcnow  # noqa: F401
from webapp.models.cases import (  # noqa: F401
    TERMINAL_STATUSES,
    AgendaItem,
    Applicant,
    AssistanceException,
    Attachment,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseSource,
    CaseStatus,
    Conference,
    ConferenceAttendance,
    ConferenceMember,
    ConferenceStatus,
    Decision,
    Household,
    HouseholdMember,
    Relation,
    Step,
    StepDeadline,
    Transfer,
    TransferStatus,
)
from webapp.models.catalog import CATEGORY_LABELS, Category  # noqa: F401
from webapp.models.consent import ConsentMethod, ConsentNotice, ConsentRecord  # noqa: F401
from webapp.models.data_version import DataVersion  # noqa: F401
from webapp.models.delivery import CaseOutcome, OutcomeResult, ServiceSession  # noqa: F401
from webapp.models.jobs import Job, JobStatus  # noqa: F401
from webapp.models.leads import (  # noqa: F401
    Appeal,
    AppealStatus,
    CodePurpose,
    Lead,
    LeadChannel,
    LeadCloseReason,
    LeadStatus,
    MessageStatus,
    OutboundMessage,
    VerificationCode,
)
from webapp.models.ledger import (  # noqa: F401
    AccountKind,
    IdempotencyKey,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    MoneyTransferKind,
    MoneyTransferStatus,
    PaymentMethod,
    Phase,
    Side,
    Verification,
    Voucher,
)
from webapp.models.matching import MatchRun, Proposal, ProposalStatus, RejectReason, RunStatus  # noqa: F401
from webapp.models.needs import NeedCard, NeedStatus  # noqa: F401
from webapp.models.notifications import Notification  # noqa: F401
from webapp.models.resources import (  # noqa: F401
    Fund,
    ListingKind,
    ListingReview,
    ListingStatus,
    Offer,
    Pledge,
    PledgeStatus,
    Project,
    ReviewDecision,
    Scheme,
)
from webapp.models.rules import (  # noqa: F401
    CalendarDay,
    CountyRule,
    DayKind,
    OrderLevel,
    OrderStatus,
    SchemeStandardChange,
    SupervisionOrder,
)
from webapp.models.search_outbox import OutboxOp, SearchOutbox  # noqa: F401
from webapp.models.statistics import (  # noqa: F401
    CaseTiming,
    CaseTimingCount,
    MonthlyReport,
    ReportStage,
    StepTimingCount,
    WorkingDay,
)
from webapp.models.window import Complaint, ComplaintStatus, ComplaintTopic, TownWindow  # noqa: F401
