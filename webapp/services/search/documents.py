"""Search documents built from the database: published need cards and listed help sources.

Only the anonymized need-card fields are read (never the case or the applicant behind a card),
and only records the public may see become documents; everything else is deleted from the index.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

from babel.support import NullTranslations, Translations
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from search.documents import Kind, SearchDocument
from webapp.models import CATEGORY_LABELS, Category, NeedCard, NeedStatus, Organisation, OrgKind
from webapp.models.resources import (
    LISTING_MODELS,
    ListingKind,
    ListingMixin,
    ListingStatus,
    Offer,
    split_codes,
)
from webapp.services.need_account import HelpAccount, need_accounts

NEED: Final = "need"
# The search kind of each kind of listing (the same word).
SEARCH_KIND: dict[ListingKind, Kind] = {
    ListingKind.PROJECT: "project", ListingKind.FUND: "fund", ListingKind.OFFER: "offer",
    ListingKind.SCHEME: "scheme"}
LISTING_KINDS = tuple(kind.value for kind in ListingKind)
SEARCH_KINDS = (NEED, *LISTING_KINDS)
COUNTY = "全县"
SEVERAL_TOWNS = "多个镇街"
PUBLISHED, LISTED = "published", "listed"
# The urgency badge of a public need card (webapp/public/views.py).
URGENCY_NAMES = {1: "一般", 2: "较急", 3: "紧急", 4: "特急"}
# The kind badge of a search hit (webapp/search/labels.py).
KIND_NAMES = {"need": "急难需求", "project": "慈善项目", "fund": "公益基金", "offer": "志愿服务",
              "scheme": "救助政策"}
_TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@functools.lru_cache(maxsize=1)
def _english() -> NullTranslations:
    # A NullTranslations (every label untranslated) when the catalogue is missing.
    return Translations.load(str(_TRANSLATIONS), ["en"], domain="messages")


def bilingual(label: str) -> str:
    """``label`` followed by its English translation (when the catalogue has one), so a
    label a card shows is found in either language."""
    english = _english().gettext(label)
    return label if english == label else f"{label} {english}"


class TownNames:
    """Organisation id → name, loaded once per batch of documents."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._names: dict[int, str] | None = None
        self._public_orgs: set[int] = set()

    def _load(self) -> dict[int, str]:
        if self._names is None:
            rows = self._session.execute(select(Organisation.id, Organisation.name,
                                                Organisation.kind)).all()
            self._names = {oid: name for oid, name, _ in rows}
            self._public_orgs = {oid for oid, _, kind in rows if kind == OrgKind.PUBLIC}
        return self._names

    def name(self, org_id: int | None) -> str | None:
        return None if org_id is None else self._load().get(org_id)

    def is_institution(self, org_id: int | None) -> bool:
        """Whether the organisation is a real institution (not self-registered individuals)."""
        names = self._load()
        return org_id is not None and org_id in names and org_id not in self._public_orgs


def need_document(card: NeedCard, towns: TownNames, account: HelpAccount
                  ) -> SearchDocument | None:
    """The document of a published need card, from its anonymized fields and its account of
    help (needed and gap, the same figures as the public page); else None."""
    if card.status != NeedStatus.PUBLISHED:
        return None
    town = towns.name(card.town_id) if card.town_id is not None else COUNTY
    services = [s for s in split_codes(card.services) if s]
    body = [card.story]
    # Everything the card shows is searchable: its badges, household and services.
    if card.household:
        body.append("家庭情况：" + card.household)
    if services:
        body.append("所需服务：" + "、".join(bilingual(s) for s in services))
    body.append("地区：" + (town or card.area or COUNTY))
    if card.area and card.area != town:
        body.append(card.area)
    body.append("救助类别：" + bilingual(CATEGORY_LABELS[card.category]))
    if card.urgency in URGENCY_NAMES:
        body.append("紧急程度：" + bilingual(URGENCY_NAMES[card.urgency]))
    if card.age_band:
        body.append("年龄段：" + card.age_band)
    body.append(bilingual(KIND_NAMES[NEED]))
    published = card.published_at or card.updated_at
    return SearchDocument(
        kind=NEED, id=str(card.id), title=card.title, body="\n".join(body),
        category=card.category.value, town=town or card.area or COUNTY, urgency=card.urgency,
        status=PUBLISHED, amount_needed=float(account.needed),
        amount_remaining=float(account.gap),
        created_at=published, updated_at=max(card.updated_at, published))


def _listing_town(town_ids: Sequence[int], towns: TownNames) -> tuple[str, list[str]]:
    names = [n for n in (towns.name(t) for t in town_ids) if n]
    if not names:
        return COUNTY, []
    return (names[0] if len(names) == 1 else SEVERAL_TOWNS), names


def listing_document(listing: ListingMixin, towns: TownNames) -> SearchDocument | None:
    """The document of a listed project, fund, offer or scheme; else None."""
    if listing.status != ListingStatus.LISTED:
        return None
    town, town_names = _listing_town(sorted(listing.town_ids), towns)
    categories = [c.value for c in sorted(listing.category_set, key=lambda c: c.value)]
    body = [listing.description or ""]
    if categories:
        body.append("救助类别：" + "、".join(bilingual(CATEGORY_LABELS[Category(c)])
                                           for c in categories))
    body.append("服务范围：" + ("、".join(town_names) if town_names else COUNTY))
    if isinstance(listing, Offer):
        if listing.service_list:
            body.append("服务内容：" + "、".join(bilingual(s) for s in listing.service_list))
        if listing.skills:
            body.append("技能：" + listing.skills)
    body.append(bilingual(KIND_NAMES[listing.kind.value]))
    publisher = towns.name(listing.organisation_id)
    if publisher is not None and towns.is_institution(listing.organisation_id):
        body.append("发布机构：" + publisher)
    listed = listing.listed_at or listing.created_at
    return SearchDocument(
        kind=SEARCH_KIND[listing.kind], id=str(listing.id), title=listing.title, body="\n".join(body),
        category=categories[0] if categories else None, categories=tuple(categories[1:]),
        town=town, status=LISTED, created_at=listed,
        updated_at=max(listing.updated_at or listed, listed))


def load_documents(session: Session, kind: str, ids: Sequence[int],
                   towns: TownNames | None = None) -> dict[int, SearchDocument]:
    """Documents of the public records among ``ids`` of ``kind`` (the others are absent)."""
    towns = towns or TownNames(session)
    if not ids:
        return {}
    found: dict[int, SearchDocument] = {}
    if kind == NEED:
        cards = list(session.scalars(select(NeedCard).where(NeedCard.id.in_(ids))))
        accounts = need_accounts(session, cards)
        for card in cards:
            doc = need_document(card, towns, accounts[card.id])
            if doc is not None:
                found[card.id] = doc
        return found
    model = LISTING_MODELS[ListingKind(kind)]
    for row in session.scalars(select(model).where(model.id.in_(ids))):
        doc = listing_document(row, towns)
        if doc is not None:
            found[row.id] = doc
    return found


def public_counts(session: Session) -> int:
    """How many records are public (the size of a complete index)."""
    total = session.scalar(select(func.count()).select_from(NeedCard)
                           .where(NeedCard.status == NeedStatus.PUBLISHED)) or 0
    for model in LISTING_MODELS.values():
        total += session.scalar(select(func.count()).select_from(model)
                                .where(model.status == ListingStatus.LISTED)) or 0
    return total


def all_documents(session: Session, *, chunk: int = 500) -> Iterator[SearchDocument]:
    """Every public record as a document, read in chunks of ``chunk`` rows (a record
    withdrawn between the reads is left out)."""
    towns = TownNames(session)
    ids = list(session.scalars(select(NeedCard.id).where(NeedCard.status == NeedStatus.PUBLISHED)
                               .order_by(NeedCard.id)))
    for start in range(0, len(ids), chunk):
        cards = list(session.scalars(select(NeedCard).where(NeedCard.id.in_(
            ids[start:start + chunk])).order_by(NeedCard.id)))
        accounts = need_accounts(session, cards)
        for card in cards:
            doc = need_document(card, towns, accounts[card.id])
            if doc is not None:
                yield doc
    for model in LISTING_MODELS.values():
        stmt = select(model).where(model.status == ListingStatus.LISTED).order_by(model.id)
        for listing in session.scalars(stmt.execution_options(yield_per=chunk)):
            listed = listing_document(listing, towns)
            if listed is not None:
                yield listed
