"""Every surface shows the need's one account of help, after each step that moves a figure.

The issue's scenario, walked through the services a person's clicks reach: a case reported at
¥30,000 gets 先行救助 (help-first aid from the reserve) at intake, is approved at ¥10,000 with
¥3,000 of 临时救助 (a scheme, within its standard), is published, is matched to a fund and to a
project (approved by the bureau, accepted by the organisation), is pledged to by a donor
(confirmed by the bureau) and is helped by a volunteer (pairing accepted, sessions logged).
After every step the public page, ``/api/v1/needs/{id}``, the search index (through the
outbox), the suggestions endpoint, the matcher's gap, the ledger's own figures for the case
and the transparency page show the same needed / covered / gap; ``ledger verify`` stays
clean. The other tests check the caps: the ledger's reservation cap (the approved amount, not
the reported one) and the pledge form's.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.services import DomainError

_vouchers = itertools.count(1)


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _page_figure(html: str, label: str) -> Decimal:
    """The yuan figure the public need page shows after the term ``label``."""
    found = re.search(r"<dt[^>]*>" + re.escape(label) + r"</dt><dd[^>]*>¥([\d,]+\.\d\d)</dd>",
                      html)
    assert found, f"{label} not on the page"
    return Decimal(found.group(1).replace(",", ""))


class Surfaces:
    """Reads one need's figures from every surface that shows them."""

    def __init__(self, db, client, drain, headers, case_id: int):
        self.db, self.client, self.drain = db, client, drain
        self.headers, self.case_id = headers, case_id
        self.money_suggestions_seen = 0

    @property
    def card(self):
        from webapp.models import NeedCard
        return self.db.session.scalars(select(NeedCard).where(
            NeedCard.case_id == self.case_id)).one()

    def ledger_case_account(self) -> dict:
        """The ledger's own figures for the case (its account, as the ledger API serves it)."""
        from webapp.models.ledger import AccountKind, LedgerAccount
        account_id = self.db.session.scalar(select(LedgerAccount.id).where(
            LedgerAccount.kind == AccountKind.CASE, LedgerAccount.case_id == self.case_id))
        response = self.client.get(f"/api/v1/accounts/{account_id}", headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def check(self, *, needed: str, covered: str, gap: str, hours: str = "0.00") -> None:
        """The one account, and every surface reading it, show these figures."""
        from webapp.services import need_account, transparency
        from webapp.services.matching import records

        db, client = self.db, self.client
        db.session.expire_all()
        want = (Decimal(needed), Decimal(covered), Decimal(gap))
        account = need_account.help_account(db.session, self.case_id)
        assert (account.needed, account.covered, account.gap) == want
        assert account.hours_delivered == Decimal(hours)
        card = self.card
        # the ledger's own figures: the case account holds the money part of what is covered
        ledger_figures = self.ledger_case_account()
        assert Decimal(ledger_figures["needed"]) == Decimal(needed)
        assert Decimal(ledger_figures["approved_total"]) == account.granted
        assert Decimal(ledger_figures["approved_total"]) + account.pledged == Decimal(covered)
        # the public page: 所需 / 已批准救助 + 爱心认捐 / 尚缺
        html = client.get(f"/needs/{card.id}").get_data(as_text=True)
        page_covered = _page_figure(html, "已批准救助") + _page_figure(html, "爱心认捐")
        assert (_page_figure(html, "所需金额"), page_covered, _page_figure(html, "尚缺")) == want
        if account.hours_promised:
            assert f'id="need-hours">已服务 {Decimal(hours):,.2f} / ' in html
        # the API: the need and the list of needs
        body = client.get(f"/api/v1/needs/{card.id}").get_json()
        assert (body["amount_needed"], body["covered"], body["gap"]) == (needed, covered, gap)
        assert Decimal(body["account"]["hours_delivered"]) == Decimal(hours)
        listed = {n["id"]: n for n in client.get("/api/v1/needs").get_json()["items"]}
        assert listed[card.id]["gap"] == gap
        # search results, from the index the outbox feeds
        self.drain()
        hits = client.get("/api/v1/search", query_string={"q": card.title, "kind": "need"}
                          ).get_json()["hits"]
        hit = next(h for h in hits if h["id"] == str(card.id))
        assert Decimal(str(hit["amount_needed"])) == Decimal(needed)
        assert Decimal(str(hit["amount_remaining"])) == Decimal(gap)
        # the matcher's gap and the suggestions endpoint: no money above the gap
        card = self.card  # the page requests ended the session
        (need,) = records.need_records(db.session, [card])
        assert Decimal(str(need.gap)) == Decimal(gap)
        response = client.get(f"/api/v1/needs/{card.id}/suggestions", headers=self.headers)
        assert response.status_code == 200, response.get_json()
        money = [Decimal(str(item["amount_cap"])) for item in response.get_json()["items"]
                 if item["unit"] == "yuan"]
        assert all(0 < cap <= Decimal(gap) for cap in money), money
        if Decimal(gap) == 0:
            assert money == []
        self.money_suggestions_seen += len(money)
        # the transparency page: the only published need's gap
        assert transparency.county_totals(db.session).open_gap == Decimal(gap)
        db.session.rollback()


def _proposal(db, card, model, listing_id, kind, amount, unit="yuan"):
    """A pairing as a matching run leaves it: proposed, awaiting the bureau's decision."""
    from webapp.models import Proposal, ProposalStatus
    listing = db.session.get(model, listing_id)
    row = Proposal(need_card_id=card.id, case_id=card.case_id, resource_kind=kind,
                   resource_id=listing.id, organisation_id=listing.organisation_id, unit=unit,
                   amount=Decimal(amount), score=0.5, status=ProposalStatus.PROPOSED)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_issue_scenario_every_surface_agrees_after_each_step(
        app, db, client, drain, runner, api_token, user_named, make_user, demo_base,
        approved_case, budgeted_scheme, listed_resource, funded_reserve):
    from webapp.models import (
        Case,
        CaseStatus,
        Fund,
        ListingKind,
        ListingStatus,
        MoneyTransfer,
        Offer,
        Organisation,
        Pledge,
        PledgeStatus,
        Project,
        Proposal,
        Role,
    )
    from webapp.models.ledger import MoneyTransferKind, MoneyTransferStatus
    from webapp.services import (
        delivery,
        ledger,
        matching,
        need_account,
        needs,
        pledges,
        transparency,
    )
    from webapp.services.cases import workflow
    from webapp.services.cases.settings import CaseSettings

    settings = CaseSettings.from_config(app.config)
    bureau = db.session.scalars(select(Organisation).where(
        Organisation.name == demo_base.BUREAU)).one()
    make_user(Role.OFFICER, organisation=bureau, username="officer2", password="jiujinan-demo")
    fund = listed_resource("fund", title="鲁西爱心救急难基金", amount="100000", per_case_cap=None)
    project = listed_resource("project", title="大病医疗救助项目", amount="50000",
                              per_case_cap="5000")
    scheme_id, fund_id, project_id = budgeted_scheme.id, fund.id, project.id

    def commit_then(*, needed, covered, gap, hours="0.00"):
        db.session.commit()
        surfaces.check(needed=needed, covered=covered, gap=gap, hours=hours)

    def case():
        return db.session.get(Case, case_id)

    def pay(transfer_id):
        ledger.disburse(db.session, user_named("officer2"),
                        ledger.get_transfer(db.session, transfer_id), payee="高唐县人民医院",
                        method="bank_transfer", voucher_number=f"SC-{next(_vouchers)}",
                        paid_on=dt.date.today(),
                        second_officer_above=Decimal(5000))

    # Intake: reported ¥30,000; 先行救助 of ¥2,000 from the reserve, then verification.
    case_id = approved_case("30000.00", status=CaseStatus.ACCEPTED).id
    workflow.fire(db.session, user_named("officer"), case(), "emergency_aid", settings=settings,
                  amount="2000")
    db.session.commit()
    before_approval = need_account.help_account(db.session, case_id)
    assert (before_approval.needed, before_approval.covered) == (Decimal(30000), Decimal(2000))
    for action in ("start_verification", "verify"):
        workflow.fire(db.session, user_named("officer"), case(), action, settings=settings)
    # Approved at ¥10,000, of which ¥3,000 临时救助 (the scheme's standard is ¥500–¥3,000).
    workflow.fire(db.session, user_named("officer"), case(), "approve", settings=settings,
                  amount="10000", scheme_id=str(scheme_id), assistance_amount="3000")
    # the card the officer reviews before publishing says what the case still needs
    assert needs.draft_card(db.session, case()).card.amount_still_needed == Decimal(5000)
    workflow.fire(db.session, user_named("officer"), case(), "publish", settings=settings,
                  title="重病家庭急需住院医疗费用")
    db.session.commit()
    headers = api_token("officer")
    surfaces = Surfaces(db, client, drain, headers, case_id)
    surfaces.check(needed="10000.00", covered="5000.00", gap="5000.00")
    account = need_account.help_account(db.session, case_id)
    assert (account.channel("scheme").reserved, account.channel("reserve").reserved) == (
        Decimal(3000), Decimal(2000))
    assert account.government == Decimal(5000)

    # Both paid with payee, method and voucher: money moves from reserved to disbursed only.
    (green,) = db.session.scalars(select(MoneyTransfer.id).where(
        MoneyTransfer.case_id == case_id,
        MoneyTransfer.kind == MoneyTransferKind.GREEN_CHANNEL)).all()
    pay(green)
    commit_then(needed="10000.00", covered="5000.00", gap="5000.00")
    (grant,) = [t.id for t in ledger.pending_transfers(db.session, case())]
    pay(grant)
    commit_then(needed="10000.00", covered="5000.00", gap="5000.00")
    assert need_account.help_account(db.session, case_id).channel("scheme").disbursed == 3000

    # Matched to the fund: ¥2,000 approved by the bureau (reserved), accepted by the fund.
    card = surfaces.card
    fund_pairing = _proposal(db, card, Fund, fund_id, ListingKind.FUND, "2000")
    matching.approve(db.session, user_named("officer"), db.session.get(Proposal, fund_pairing))
    commit_then(needed="10000.00", covered="7000.00", gap="3000.00")
    matching.respond(db.session, user_named("fundmgr"), db.session.get(Proposal, fund_pairing),
                     accept=True)
    commit_then(needed="10000.00", covered="7000.00", gap="3000.00")

    # Matched to the project: ¥1,500 approved, accepted by the charity, paid.
    project_pairing = _proposal(db, surfaces.card, Project, project_id, ListingKind.PROJECT, "1500")
    matching.approve(db.session, user_named("officer"), db.session.get(Proposal, project_pairing))
    matching.respond(db.session, user_named("charity"),
                     db.session.get(Proposal, project_pairing), accept=True)
    commit_then(needed="10000.00", covered="8500.00", gap="1500.00")
    pay(db.session.get(Proposal, project_pairing).money_transfer_id)
    commit_then(needed="10000.00", covered="8500.00", gap="1500.00")

    # The caps: one cent above the gap is refused by the ledger and the pledge form alike.
    counts = (db.session.scalar(select(func.count()).select_from(MoneyTransfer)),
              db.session.scalar(select(func.count()).select_from(Pledge)))
    with pytest.raises(DomainError) as caught:
        ledger.reserve_for_case(db.session, user_named("officer2"), source="fund",
                                source_id=fund_id, case=case(), amount="1500.01",
                                reference="超额预留")
    assert "尚缺 1,500.00 元" in caught.value.message
    db.session.rollback()
    with pytest.raises(DomainError) as caught:
        pledges.make_pledge(db.session, user_named("donor"), need=surfaces.card,
                            amount="1500.01")
    assert "缺口" in caught.value.errors["amount"][0]
    db.session.rollback()
    assert counts == (db.session.scalar(select(func.count()).select_from(MoneyTransfer)),
                      db.session.scalar(select(func.count()).select_from(Pledge)))

    # A donor pledges the remaining ¥1,500: counted once the bureau confirms it.
    pledge_id = pledges.make_pledge(db.session, user_named("donor"), need=surfaces.card,
                                    amount="1500").id
    commit_then(needed="10000.00", covered="8500.00", gap="1500.00")
    pledges.confirm_pledge(db.session, user_named("officer"), db.session.get(Pledge, pledge_id))
    commit_then(needed="10000.00", covered="10000.00", gap="0.00")
    assert surfaces.money_suggestions_seen > 0  # the bound above was tested, not vacuous
    with pytest.raises(DomainError):  # nothing more can be granted
        ledger.reserve_for_case(db.session, user_named("officer"), source="fund", source_id=fund_id,
                                case=case(), amount="0.01", reference="超额")
    db.session.rollback()

    # A volunteer: pairing approved (6 hours) and accepted, two sessions logged.
    volunteer = user_named("volunteer")
    offer = Offer(organisation_id=volunteer.organisation_id, volunteer_id=volunteer.id,
                  title="陪诊和心理疏导服务", services="陪诊", hours_per_week=4,
                  status=ListingStatus.LISTED)
    db.session.add(offer)
    db.session.commit()
    pairing_id = _proposal(db, surfaces.card, Offer, offer.id, ListingKind.OFFER, "6",
                           unit="hours")
    matching.approve(db.session, user_named("officer"), db.session.get(Proposal, pairing_id))
    matching.respond(db.session, user_named("volunteer"), db.session.get(Proposal, pairing_id),
                     accept=True)
    commit_then(needed="10000.00", covered="10000.00", gap="0.00")
    for hours in ("2", "1.5"):
        delivery.log_session(db.session, user_named("volunteer"),
                             db.session.get(Proposal, pairing_id),
                             delivered_on=dt.date.today(), hours=hours, note="陪同复诊")
    commit_then(needed="10000.00", covered="10000.00", gap="0.00", hours="3.50")

    # The donor's money arrives and is used for this need: the figures hold.
    pledges.fulfil_pledge(db.session, user_named("officer"), db.session.get(Pledge, pledge_id))
    commit_then(needed="10000.00", covered="10000.00", gap="0.00", hours="3.50")
    assert db.session.get(Pledge, pledge_id).status is PledgeStatus.FULFILLED

    # The ledger is clean, and the transparency totals are the ledger's.
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    totals = transparency.county_totals(db.session)
    paid = db.session.scalar(select(func.sum(MoneyTransfer.amount)).where(
        MoneyTransfer.status == MoneyTransferStatus.POSTED,
        MoneyTransfer.kind.in_([MoneyTransferKind.RESERVATION,
                                MoneyTransferKind.GREEN_CHANNEL]))) or Decimal(0)
    received = db.session.scalar(select(func.sum(Pledge.amount)).where(
        Pledge.status == PledgeStatus.FULFILLED)) or Decimal(0)
    assert paid == Decimal("6500.00")  # 2,000 先行救助 + 3,000 临时救助 + 1,500 project
    assert totals.money_total == paid + received == Decimal("8000.00")
    for breakdown in (totals.money_by_source, totals.money_by_town, totals.money_by_category):
        assert sum(breakdown.values()) == totals.money_total
    assert totals.money_by_source["scheme"] == Decimal("5000.00")
    assert totals.hours_delivered == Decimal("3.50")
    assert f'id="money-total">{_money(totals.money_total)}' in client.get(
        "/transparency").get_data(as_text=True)


def test_reservation_is_capped_by_the_approved_amount_not_the_reported_one(state):
    """Reported ¥30,000, approved ¥10,000: ¥10,000.01 is refused, ¥10,000 is granted."""
    from webapp.services import ledger

    db = state.db
    with pytest.raises(DomainError):
        ledger.reserve_for_case(db.session, state.officer, source="fund",
                                source_id=state.fund.id, case=state.case,
                                amount="10000.01", reference="超额")
    db.session.rollback()
    transfer = ledger.reserve_for_case(db.session, state.officer, source="fund",
                                       source_id=state.fund.id, case=state.case,
                                       amount="10000", reference="全额")
    db.session.commit()
    assert transfer.credit_account.needed == Decimal("10000.00")


def test_confirming_a_pledge_above_the_gap_is_refused(state):
    """Two donors pledge; money reserved meanwhile leaves room for one: the second waits."""
    from webapp.models import PledgeStatus
    from webapp.services import ConflictError, ledger, pledges

    db = state.db
    first = pledges.make_pledge(db.session, state.donor, need=state.card, amount="4000")
    db.session.commit()
    ledger.reserve_for_case(db.session, state.officer, source="fund", source_id=state.fund.id,
                            case=state.case, amount="8000", reference="基金资助")
    db.session.commit()
    with pytest.raises(ConflictError) as caught:
        pledges.confirm_pledge(db.session, state.officer, first)
    assert "尚缺 ¥2,000.00" in caught.value.message
    db.session.rollback()
    db.session.expire_all()
    assert first.status is PledgeStatus.PLEDGED


def test_approval_after_help_first_aid_sets_the_ledgers_need(app, db, user_named,
                                                             approved_case, funded_reserve):
    """先行救助 opens the case's ledger account at the reported ¥30,000; approval at ¥10,000
    without a scheme moves the ledger's figure with it, and an approval below the ¥2,000
    already given is refused, changing nothing."""
    from webapp.models import Case, CaseStatus
    from webapp.models.ledger import AccountKind
    from webapp.services import ledger, need_account
    from webapp.services.cases import workflow
    from webapp.services.cases.settings import CaseSettings
    from webapp.services.ledger import accounts

    settings = CaseSettings.from_config(app.config)
    case_id = approved_case("30000.00", status=CaseStatus.ACCEPTED).id

    def fire(action, **params):
        workflow.fire(db.session, user_named("officer"), db.session.get(Case, case_id), action,
                      settings=settings, **params)

    def ledger_needed():
        return accounts.find_account(db.session, AccountKind.CASE, case_id).needed

    fire("emergency_aid", amount="2000")
    fire("start_verification")
    fire("verify")
    db.session.commit()
    assert ledger_needed() == Decimal(30000)
    with pytest.raises(DomainError) as caught:
        fire("approve", amount="1999.99")
    assert "已落实的救助 2,000.00 元" in caught.value.message
    db.session.rollback()
    assert db.session.get(Case, case_id).status is CaseStatus.VERIFIED
    fire("approve", amount="10000")
    db.session.commit()
    account = need_account.help_account(db.session, case_id)
    assert ledger_needed() == account.needed == Decimal(10000)
    assert account.gap == Decimal(8000)
    assert ledger.verify_ledger(db.session).problems == []
