"""Schemas of the case API (marshmallow), kept apart from the routes."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapp.api.schemas import INT32, Money, PageArgs, PageMeta
from webapp.models import CaseSource, CaseStatus, Category
from webapp.services.cases import notes
from webapp.services.cases.workflow import API_ACTIONS


class ApplicantIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=24))
    phone = fields.String(load_default="", validate=validate.Length(max=20))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    local_hukou = fields.Boolean(required=True, metadata={
        "description": "本县户籍; non-local residents are eligible all the same"})


class HouseholdIn(Schema):
    size = fields.Integer(load_default=1, validate=validate.Range(min=1, max=30))
    flags = fields.List(fields.String(validate=validate.OneOf(
        ["disability", "elderly", "minor", "serious_illness", "dibao", "tekun"])),
        load_default=list)


class MemberIn(Schema):
    name = fields.String(required=True, validate=validate.Length(max=40))
    relation = fields.String(required=True, metadata={
        "enum": ["spouse", "child", "parent", "grandparent", "grandchild", "sibling", "other"]})
    id_number = fields.String(load_default="", validate=validate.Length(max=24))
    flags = fields.List(fields.String(), load_default=list, metadata={
        "description": "any of disability, elderly, minor, serious_illness"})


class MemberOut(Schema):
    name = fields.String(metadata={"description": "masked unless revealed"})
    relation = fields.String()
    id_number = fields.String()
    flags = fields.Function(lambda m: sorted(m.flags))


class ConsentIn(Schema):
    version = fields.Integer(required=True, validate=INT32, metadata={
        "description": "the version of the 告知同意 notice in force that the applicant was shown"})
    agreed = fields.Boolean(required=True, metadata={
        "description": "the applicant (or the person acting for them) agreed; false refuses"})
    method = fields.String(required=True, metadata={"enum": ["paper", "read_aloud", "online"]})
    proxy_name = fields.String(load_default="", validate=validate.Length(max=40), metadata={
        "description": "who agreed for the applicant, if not the applicant"})
    proxy_relation = fields.String(load_default="", metadata={"enum": [
        "", "spouse", "child", "parent", "sibling", "guardian", "relative", "cadre", "other"]})


class CaseIn(Schema):
    applicant = fields.Nested(ApplicantIn, required=True)
    town = fields.Integer(required=True, validate=INT32,
                          metadata={"description": "town organisation id"})
    village = fields.Integer(load_default=None, allow_none=True, validate=INT32)
    category = fields.String(required=True, metadata={"enum": [c.value for c in Category]})
    urgency = fields.Integer(load_default=2, validate=INT32)
    amount_needed = Money(required=True, as_string=True, places=None)
    description = fields.String(required=True, validate=validate.Length(max=4000))
    source = fields.String(load_default=CaseSource.WINDOW.value,
                           metadata={"enum": [s.value for s in CaseSource]})
    services = fields.List(fields.String(), load_default=list)
    household = fields.Nested(HouseholdIn, load_default=dict)
    members = fields.List(fields.Nested(MemberIn), load_default=list,
                          validate=validate.Length(max=20),
                          metadata={"description": "household members besides the applicant"})
    consent = fields.Nested(ConsentIn, load_default=None, metadata={
        "description": "告知同意, required: a case is refused without it"})
    confirm_duplicates = fields.Boolean(load_default=False, metadata={
        "description": "report the case although the applicant's or a member's ID number "
                       "already has an open case, or this year's help for the same cause "
                       "(without it such a report is refused with 409 and the cases found)"})


class ApplicantOut(Schema):
    name = fields.String()
    id_number = fields.String()
    phone = fields.String()
    address = fields.String()
    birth_date = fields.String()
    local_hukou = fields.Boolean()
    revealed = fields.Boolean()


class TransferOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda t: t.case.number)
    department_id = fields.Integer()
    department = fields.Function(lambda t: t.department.name)
    reason = fields.String()
    due_on = fields.Date()
    status = fields.Function(lambda t: t.status.value)
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class DeadlineOut(Schema):
    step = fields.String()
    due_on = fields.Date()
    overdue = fields.Boolean()
    department_id = fields.Integer(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)


class EventOut(Schema):
    at = fields.DateTime()
    action = fields.String()
    actor_id = fields.Integer(allow_none=True)
    from_status = fields.Function(lambda e: e.from_status.value if e.from_status else None)
    to_status = fields.Function(lambda e: e.to_status.value if e.to_status else None)
    note = fields.Function(lambda e: notes.render(e.note_key, e.note_params, e.note))


class CaseOut(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.Function(lambda c: c.status.value)
    town_id = fields.Integer()
    town = fields.Function(lambda c: c.town.name)
    village_id = fields.Integer(allow_none=True)
    category = fields.Function(lambda c: c.category.value)
    urgency = fields.Integer()
    amount_needed = fields.Decimal(as_string=True)
    approved_amount = fields.Decimal(as_string=True, allow_none=True)
    emergency_amount = fields.Decimal(as_string=True, allow_none=True)
    source = fields.Function(lambda c: c.source.value)
    services = fields.Function(lambda c: c.service_list)
    owner_id = fields.Integer(allow_none=True)
    reported_at = fields.DateTime()
    procedure_due_on = fields.Date(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    applicant = fields.Nested(ApplicantOut)
    members = fields.List(fields.Nested(MemberOut))


class ConsentOut(Schema):
    version = fields.Integer(metadata={"description": "the version of the notice agreed to"})
    title = fields.String()
    method = fields.String(metadata={"enum": ["paper", "read_aloud", "online"]})
    proxy_name = fields.String(metadata={
        "description": "who agreed for the applicant (masked unless ?reveal=1); empty when "
                       "the applicant agreed in person"})
    proxy_relation = fields.String(metadata={"enum": [
        "", "spouse", "child", "parent", "sibling", "guardian", "relative", "cadre", "other"]})
    recorded_by = fields.String(metadata={"description": "the officer who recorded it; empty "
                                                         "for an online application"})
    recorded_at = fields.DateTime()


class CaseDetailOut(CaseOut):
    description = fields.String()
    events = fields.List(fields.Nested(EventOut))
    deadlines = fields.List(fields.Nested(DeadlineOut))
    transfers = fields.List(fields.Nested(TransferOut))
    actions = fields.List(fields.String())
    consents = fields.List(fields.Nested(ConsentOut), allow_none=True, metadata={
        "description": "the 告知同意 records of the case, oldest first; null for roles that may "
                       "not see them (those who may not reveal the case's personal data)"})


class ReleasedOut(Schema):
    id = fields.Integer()
    amount = fields.Decimal(as_string=True)


class TransitionOut(CaseDetailOut):
    released_transfers = fields.List(fields.Nested(ReleasedOut), metadata={
        "description": "reservations this transition released (a case that ends gives back "
                       "the money still reserved for it; disbursed money is not touched)"})


class CaseListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))
    town = fields.Integer(validate=INT32)
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    mine = fields.Boolean(load_default=False)
    overdue = fields.Boolean(load_default=False)
    q = fields.String(validate=validate.Length(max=40))


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseOut))
    meta = fields.Nested(PageMeta)


class RevealArgs(Schema):
    reveal = fields.Boolean(load_default=False, metadata={
        "description": "show unmasked personal data (audited as case.reveal)"})


class TransitionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(API_ACTIONS))
    reason = fields.String(validate=validate.Length(max=1000))
    referred_to = fields.String(validate=validate.Length(max=200))
    amount = Money(as_string=True, places=None)
    exception_reason = fields.String(validate=validate.Length(max=1000))
    scheme_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "approve: the scheme (临时救助 …) whose money is reserved for the case"})
    assistance_amount = Money(as_string=True, places=None, metadata={
        "description": "approve: yuan reserved from the scheme, within its standard"})
    department_id = fields.Integer(validate=INT32)
    due_on = fields.Date()
    note = fields.String(validate=validate.Length(max=1000))
    outcome = fields.String(validate=validate.Length(max=1000))
    new_owner_id = fields.Integer(validate=INT32)
    title = fields.String(validate=validate.Length(max=120))
    story = fields.String(validate=validate.Length(max=4000))


class TransferListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["open", "answered"]))


class TransferPage(Schema):
    items = fields.List(fields.Nested(TransferOut))
    meta = fields.Nested(PageMeta)


class AnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DuplicateOut(Schema):
    """An earlier case of the same person or household: its number and town, nothing more."""

    number = fields.String()
    town = fields.String()
    open = fields.Boolean(metadata={"description": "still open (else: helped for the same "
                                                   "cause within the year)"})


class CaseCreatedOut(CaseOut):
    duplicates = fields.List(fields.Nested(DuplicateOut), metadata={
        "description": "earlier cases of the same person or household the caller confirmed"})
