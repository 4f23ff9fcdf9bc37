"""Concurrent reservations, scheme grants and approvals, pledges and pledge confirmations on
one need never push what it has been given above what it needs (threads with their own sessions; row locks on PostgreSQL,
BEGIN IMMEDIATE on SQLite)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select

from webapp.services import ConflictError, DomainError


def _run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def _in_thread(app, action):
    from webapp.extensions import db
    with app.app_context():
        try:
            action(db.session)
            db.session.commit()
            return "done"
        except (DomainError, ConflictError):
            db.session.rollback()
            return "refused"
        finally:
            db.session.remove()


def test_concurrent_reservations_and_pledges_never_exceed_the_need(app, db, state):
    from webapp.models import Case, Pledge, User
    from webapp.services import ledger, need_account, pledges

    waiting = []
    for _ in range(6):  # ¥6,000 pledged, awaiting confirmation
        pledge = pledges.make_pledge(db.session, state.donor, need=state.card, amount="1000")
        waiting.append(pledge.id)
    db.session.commit()
    ids = dict(state.ids)
    db.session.remove()

    def reserve(session):
        ledger.reserve_for_case(session, session.get(User, ids["officer"]), source="fund",
                                source_id=ids["fund"], case=session.get(Case, ids["case"]),
                                amount="1000", reference="并发预留")

    def confirm(pledge_id):
        def run(session):
            pledges.confirm_pledge(session, session.get(User, ids["officer"]),
                                   session.get(Pledge, pledge_id))
        return run

    work = [reserve] * 8 + [confirm(p) for p in waiting]
    results = _run_together(len(work), lambda i: _in_thread(app, work[i]))

    db.session.expire_all()
    account = need_account.help_account(db.session, ids["case"])
    assert account.needed == Decimal("10000.00")
    assert account.covered == Decimal("10000.00")  # every unit of ¥1,000 fits exactly
    assert account.gap == Decimal("0.00")
    assert results.count("done") == 10
    assert results.count("refused") == len(work) - 10
    assert account.granted + account.pledged == account.covered
    assert ledger.verify_ledger(db.session).problems == []


def test_concurrent_scheme_grants_race_reservations_and_pledges(app, db, state, approved_case,
                                                               budgeted_scheme):
    """Scheme grants (direct, and scheme pairings approved through matching), fund
    reservations and pledge confirmations race on one need: exactly what it needs is covered,
    each scheme grant within its standard, and the ledger balances. Meanwhile three officers
    approve another case under the same scheme at once: it is approved, and granted, once."""
    from webapp.models import (
        Case,
        CaseEvent,
        CaseStatus,
        ListingKind,
        MoneyTransfer,
        Pledge,
        Proposal,
        ProposalStatus,
        User,
    )
    from webapp.services import ledger, matching, need_account, pledges
    from webapp.services.cases import workflow
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.ledger import accounts

    settings = CaseSettings.from_config(app.config)
    scheme_id = budgeted_scheme.id
    card = state.card
    waiting = [pledges.make_pledge(db.session, state.donor, need=card, amount="1000").id
               for _ in range(4)]
    pairings = []
    for _ in range(3):
        row = Proposal(need_card_id=card.id, case_id=card.case_id,
                       resource_kind=ListingKind.SCHEME, resource_id=scheme_id,
                       organisation_id=budgeted_scheme.organisation_id, unit="yuan",
                       amount=Decimal(1000), score=0.5, status=ProposalStatus.PROPOSED)
        db.session.add(row)
        db.session.flush()
        pairings.append(row.id)
    verified = approved_case("8000.00", status=CaseStatus.VERIFIED).id
    db.session.commit()
    ids = dict(state.ids)
    db.session.remove()

    def officer(session, key="officer"):
        return session.get(User, ids[key])

    def grant(session):
        ledger.reserve_for_case(session, officer(session), source="scheme", source_id=scheme_id,
                                case=session.get(Case, ids["case"]), amount="1000",
                                reference="临时救助 并发")

    def approve_pairing(pairing_id):
        def run(session):
            matching.approve(session, officer(session, "payer"),
                             session.get(Proposal, pairing_id))
        return run

    def reserve(session):
        ledger.reserve_for_case(session, officer(session), source="fund", source_id=ids["fund"],
                                case=session.get(Case, ids["case"]), amount="1000",
                                reference="并发预留")

    def confirm(pledge_id):
        def run(session):
            pledges.confirm_pledge(session, officer(session), session.get(Pledge, pledge_id))
        return run

    def approve_case(key):
        def run(session):
            workflow.fire(session, officer(session, key), session.get(Case, verified),
                          "approve", settings=settings, amount="8000",
                          scheme_id=str(scheme_id), assistance_amount="3000")
        return run

    on_need = ([grant] * 4 + [approve_pairing(p) for p in pairings] + [reserve] * 5
               + [confirm(p) for p in waiting])
    work = on_need + [approve_case(k) for k in ("officer", "payer", "officer")]
    results = _run_together(len(work), lambda i: _in_thread(app, work[i]))

    db.session.expire_all()
    account = need_account.help_account(db.session, ids["case"])
    assert (account.needed, account.covered, account.gap) == (
        Decimal("10000.00"), Decimal("10000.00"), Decimal("0.00"))  # ¥1,000 units fit exactly
    assert results[:len(on_need)].count("done") == 10
    assert account.granted + account.pledged == account.covered
    scheme = account.channel("scheme").total
    approved_pairings = db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.id.in_(pairings), Proposal.status == ProposalStatus.APPROVED))
    granted = results[:4].count("done") + approved_pairings
    assert scheme == Decimal(1000) * granted
    assert approved_pairings == results[4:7].count("done")
    # the ledger's case account says the same, and the books balance
    case_account = accounts.case_account(db.session, db.session.get(Case, ids["case"]))
    assert case_account.approved_total == account.granted
    assert ledger.verify_ledger(db.session).problems == []
    # the other case: one approval, one ¥3,000 scheme grant
    assert results[len(on_need):].count("done") == 1
    assert db.session.get(Case, verified).status is CaseStatus.APPROVED
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == verified, CaseEvent.action == "approve")) == 1
    assert db.session.scalar(select(func.sum(MoneyTransfer.amount)).where(
        MoneyTransfer.case_id == verified)) == Decimal("3000.00")
    assert need_account.help_account(db.session, verified).channel("scheme").total == 3000
