"""Demo help sources: ~60 charity projects, 15 company relief funds, 200 volunteer offers, the
county's government schemes and 150 donor pledges. Deterministic (seeded) and idempotent: rows
are found by natural key, so a second run adds nothing."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.demo import resource_texts as T
from webapp.demo.base import BUREAU, DEMO_PASSWORD, DEPARTMENTS, town_orgs
from webapp.models import NeedCard, NeedStatus, Organisation, OrgStatus, Role, User, utcnow
from webapp.models.catalog import SERVICES
from webapp.models.resources import (
    Fund,
    ListingReview,
    ListingStatus,
    Offer,
    Pledge,
    PledgeStatus,
    Project,
    Scheme,
)
from webapp.services import accounts
from webapp.services.need_account import need_account

PROJECTS, FUNDS, OFFERS, PLEDGES = 60, 15, 200, 150
# Most demo listings are public; a few wait for review or are drafts, so every screen has data.
STATUS_MIX = [ListingStatus.LISTED] * 8 + [ListingStatus.PENDING_REVIEW, ListingStatus.DRAFT]


def _item_rng(seed: int, i: int) -> random.Random:
    """One generator per demo row, so skipping an existing row never shifts the next ones."""
    return random.Random(seed * 1000 + i)  # noqa: S311  (reproducible demo data, not secrets)


def _bump(counter: dict, key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _org(session, name, kind, code, description, counter) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name, kind=kind, code=code, status=OrgStatus.APPROVED,
                           description=description)
        session.add(org)
        session.flush()
        _bump(counter, "organisations")
    return org


ORG_SUFFIXES = ("社会工作服务中心", "服务中心", "志愿联合会", "联合会", "协会", "基金会", "总会",
                "实业有限公司", "有限公司", "公司")


def _short(name: str) -> str:
    """An organisation's name without the county and its legal form, never cut mid-word:
    高唐县鱼丘湖社会工作服务中心 → 鱼丘湖."""
    short = name.removeprefix("高唐县")
    for suffix in ORG_SUFFIXES:
        if short.endswith(suffix) and len(short) > len(suffix):
            return short.removesuffix(suffix)
    return short


def _user(session, username, display, org, roles, counter) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = accounts.create_user(session, None, accounts.NewUser(
            username, DEMO_PASSWORD, display, roles, org))
        _bump(counter, "users")
    return user


def _organisations(session, counter):
    charities = [session.scalars(select(Organisation).where(Organisation.code == code)).one()
                 for code in ("charity-main", "charity-redcross", "charity-edu")]
    for i, (name, code, text) in enumerate(T.CHARITIES, start=2):
        org = _org(session, name, T.NEW_ORG_KINDS["charity"], code, text, counter)
        _user(session, f"charity{i}", f"{_short(name)}项目专员", org, {Role.CHARITY_STAFF}, counter)
        charities.append(org)
    enterprises = [session.scalars(select(Organisation).where(
        Organisation.code == "ent-luxi")).one()]
    for i, (name, code) in enumerate(T.ENTERPRISES, start=2):
        org = _org(session, name, T.NEW_ORG_KINDS["enterprise"], code,
                   "热心公益的本地企业，设立救急难公益基金。", counter)
        _user(session, f"fundmgr{i}", f"{name[2:6]}基金管理员", org, {Role.FUND_MANAGER},
              counter)
        enterprises.append(org)
    teams = [session.scalars(select(Organisation).where(Organisation.code == "vol-assoc")).one()]
    for name, code in T.VOLUNTEER_TEAMS:
        teams.append(_org(session, name, T.NEW_ORG_KINDS["team"], code,
                          "长期扎根社区的志愿服务队伍。", counter))
    public = accounts.public_organisation(session)
    volunteers = [_user(session, f"vol{i:02d}", name, public, {Role.VOLUNTEER}, counter)
                  for i, name in enumerate(T.VOLUNTEERS, start=1)]
    donors = [_user(session, f"donor{i:02d}", name, public, {Role.DONOR}, counter)
              for i, name in enumerate(T.DONORS, start=1)]
    donors.append(session.scalars(select(User).where(User.username == "donor")).one())
    return charities, enterprises, teams, volunteers, donors


def _listed(listing, status, rng, submitter_id, session):
    """Give a demo listing its status, listing time and, if pending, its review row."""
    listing.status = status
    if status == ListingStatus.LISTED:
        listing.listed_at = utcnow() - dt.timedelta(days=rng.randint(3, 400))
    session.flush()
    if status == ListingStatus.PENDING_REVIEW:
        session.add(ListingReview(kind=listing.kind, listing_id=listing.id,
                                  organisation_id=listing.organisation_id,
                                  submitted_by_id=submitter_id,
                                  submitted_at=utcnow() - dt.timedelta(hours=rng.randint(1, 72))))


def _towns_text(rng, towns: list[Organisation], *, county_share: float) -> tuple[str, str]:
    if rng.random() < county_share:
        return "", "高唐县"
    chosen = sorted(rng.sample(towns, rng.randint(1, 3)), key=lambda o: o.id)
    return ",".join(str(t.id) for t in chosen), chosen[0].name


def _staff_id(session, org) -> int | None:
    return session.scalar(select(User.id).where(User.organisation_id == org.id).limit(1))


def _projects(session, seed, charities, towns, counter) -> None:
    for i in range(PROJECTS):
        rng = _item_rng(seed, i)
        org = charities[i % len(charities)]
        theme = T.PROJECT_THEMES[(i * 5 + i // len(charities)) % len(T.PROJECT_THEMES)]
        name, cats, text, budget_k, cap, (lo, hi), flags = theme
        town_text, area = _towns_text(rng, towns, county_share=0.5)
        title = f"{area}{name}" if area != "高唐县" else f"{_short(org.name)}·{name}"
        if session.scalars(select(Project.id).where(Project.organisation_id == org.id,
                                                    Project.title == title)).first():
            continue
        budget = Decimal(rng.randrange(budget_k[0], budget_k[1] + 1, 10) * 1000)
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(-200, 60))
        project = Project(organisation_id=org.id, title=title, description=text,
                          categories=",".join(c.value for c in cats), towns=town_text,
                          budget=budget, per_case_cap=Decimal(cap), min_age=lo, max_age=hi,
                          requires=flags, starts_on=start,
                          ends_on=start + dt.timedelta(days=rng.choice([365, 730, 1095])),
                          featured=i % 9 == 0)
        session.add(project)
        _listed(project, STATUS_MIX[i % len(STATUS_MIX)], rng, _staff_id(session, org), session)
        _bump(counter, "projects")


def _funds(session, seed, enterprises, towns, counter) -> None:
    for i in range(FUNDS):
        rng = _item_rng(seed, i)
        org = enterprises[i % len(enterprises)]
        suffix, text = T.FUND_TEXTS[i // len(enterprises) % len(T.FUND_TEXTS)]
        title = f"{org.name.removeprefix('高唐县').removeprefix('高唐')[:4]}{suffix}"
        if session.scalars(select(Fund.id).where(Fund.organisation_id == org.id,
                                                 Fund.title == title)).first():
            continue
        capital = Decimal(rng.randrange(200, 2001, 50) * 1000)
        town_text, _ = _towns_text(rng, towns, county_share=0.6)
        cats = rng.sample(list(T.C), rng.randint(0, 3))
        fund = Fund(organisation_id=org.id, title=title, description=text,
                    categories=",".join(sorted(c.value for c in cats)), towns=town_text,
                    capital=capital, per_case_cap=Decimal(rng.choice([5000, 10000, 20000, 30000])))
        session.add(fund)
        _listed(fund, ListingStatus.LISTED if i < FUNDS - 2 else ListingStatus.PENDING_REVIEW,
                rng, _staff_id(session, org), session)
        _bump(counter, "funds")


def _offers(session, seed, teams, volunteers, towns, counter) -> None:
    for i in range(OFFERS):
        rng = _item_rng(seed, i)
        individual = i % 4 == 0
        volunteer = volunteers[i % len(volunteers)] if individual else None
        org_id = volunteer.organisation_id if volunteer is not None else teams[i % len(teams)].id
        services = sorted(rng.sample(SERVICES, rng.randint(1, 3)), key=SERVICES.index)
        town = towns[(i * 7) % len(towns)]
        title = f"{town.name}{T.OFFER_TITLES[services[0]]}"
        if not individual:
            title = f"{title}（{i // len(teams) + 1}组）"
        if session.scalars(select(Offer.id).where(
                Offer.organisation_id == org_id, Offer.title == title,
                Offer.volunteer_id == (volunteer.id if volunteer else None))).first():
            continue
        other = [t for t in towns if t.id != town.id]
        town_ids = sorted([town.id] + [t.id for t in rng.sample(other, rng.randint(0, 2))])
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(-120, 30))
        offer = Offer(organisation_id=org_id, volunteer_id=volunteer.id if volunteer else None,
                      title=title, description=f"可提供{'、'.join(services)}等服务，"
                                               f"主要在{town.name}及周边开展。",
                      towns=",".join(map(str, town_ids)), services=",".join(services),
                      skills=rng.choice(T.SKILLS), hours_per_week=rng.choice([2, 4, 4, 6, 8, 10]),
                      max_cases=rng.choice([1, 1, 2, 3]), available_from=start,
                      available_until=start + dt.timedelta(days=rng.choice([180, 365, 365])))
        session.add(offer)
        _listed(offer, STATUS_MIX[i % len(STATUS_MIX)], rng,
                volunteer.id if volunteer else None, session)
        _bump(counter, "offers")


def _schemes(session, counter) -> None:
    for code, title, dept, cats, text, low, high, budget, times, flags in T.SCHEMES:
        if session.scalars(select(Scheme.id).where(Scheme.code == code)).first():
            continue
        org_name = BUREAU if dept == "BUREAU" else DEPARTMENTS[dept]
        org = session.scalars(select(Organisation).where(Organisation.name == org_name)).one()
        session.add(Scheme(organisation_id=org.id, code=code, title=title, description=text,
                           categories=",".join(c.value for c in cats), towns="",
                           min_amount=Decimal(low), max_amount=Decimal(high),
                           annual_budget=Decimal(budget), times_per_year=times, requires=flags,
                           status=ListingStatus.LISTED, listed_at=utcnow()))
        _bump(counter, "schemes")


def _pledges(session, seed, donors, counter) -> None:
    if session.scalar(select(func.count()).select_from(Pledge).where(
            Pledge.reference.like("DEMO-%"))) >= PLEDGES:
        return
    needs = session.scalars(select(NeedCard).where(NeedCard.status == NeedStatus.PUBLISHED)
                            .order_by(NeedCard.id)).all()
    projects = session.scalars(select(Project).where(Project.status == ListingStatus.LISTED)
                               .order_by(Project.id)).all()
    statuses = ([PledgeStatus.PLEDGED] * 8 + [PledgeStatus.CONFIRMED] * 5 +
                [PledgeStatus.FULFILLED] * 6 + [PledgeStatus.CANCELLED])
    for i in range(PLEDGES):
        rng = _item_rng(seed, i)
        reference = f"DEMO-{i + 1:04d}"
        if session.scalars(select(Pledge.id).where(Pledge.reference == reference)).first():
            continue
        donor = donors[i % len(donors)]
        amount: Decimal | None = Decimal(
            rng.choice([100, 200, 200, 300, 500, 500, 800, 1000, 2000, 5000]))
        service = rng.choice(SERVICES) if i % 10 == 3 else None
        need = project = None
        if needs and i % 2 == 0:
            need = needs[(i // 2) % len(needs)]
            account = need_account(session, need)
            gap = max(account.gap - account.pledged_unconfirmed, Decimal(0))
            if service is None and amount is not None and gap < amount:
                amount = gap if gap > 0 else None
                service = None if amount else rng.choice(SERVICES)
        else:
            project = projects[i % len(projects)]
        since = need.published_at if need and need.published_at else \
            utcnow() - dt.timedelta(days=120)
        created = min(since + dt.timedelta(hours=rng.randint(2, 24 * 20)), utcnow())
        status = statuses[i % len(statuses)]
        pledge = Pledge(reference=reference, donor_id=donor.id,
                        need_id=need.id if need else None,
                        project_id=project.id if project else None,
                        amount=None if service else amount, service=service,
                        message=rng.choice(T.PLEDGE_MESSAGES), status=status,
                        created_at=created)
        if status in (PledgeStatus.CONFIRMED, PledgeStatus.FULFILLED):
            confirmed = min(created + dt.timedelta(hours=rng.randint(2, 48)), utcnow())
            pledge.confirmed_at = confirmed
            if status == PledgeStatus.FULFILLED:
                pledge.fulfilled_at = min(confirmed + dt.timedelta(
                    days=rng.randint(1, 10)), utcnow())
        session.add(pledge)
        session.flush()
        _bump(counter, "pledges")


def load(session: Session, rng, echo) -> dict[str, int]:
    counter: dict[str, int] = {}
    charities, enterprises, teams, volunteers, donors = _organisations(session, counter)
    towns = sorted(town_orgs(session).values(), key=lambda o: o.code or "")
    seeds = [rng.randrange(2**31) for _ in range(4)]
    _projects(session, seeds[0], charities, towns, counter)
    _funds(session, seeds[1], enterprises, towns, counter)
    _offers(session, seeds[2], teams, volunteers, towns, counter)
    _schemes(session, counter)
    session.flush()
    _pledges(session, seeds[3], donors, counter)
    return counter
