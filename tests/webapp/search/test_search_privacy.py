"""Only anonymized, published content ever reaches the index."""
from __future__ import annotations

from webapp.models.resources import ListingStatus

APPLICANT = {"name": "李秀英", "id_number": "371526198507120023", "phone": "13912345678",
             "address": "梁村镇张官屯村5号", "birth_date": "1985-07-12"}
STORY = ("李秀英（电话13912345678，身份证371526198507120023）确诊急性白血病，"
         "住梁村镇张官屯村5号，需要化疗，家庭无力承担。")
PLANTED = ("李秀英", "秀英", "13912345678", "371526198507120023", "张官屯村5号", "1985-07-12")


def _all_text(docs: list[dict]) -> str:
    return "\n".join(str(value) for doc in docs for value in doc.values())


def test_index_holds_no_applicant_personal_data(drain, search_index, indexed, case_with_applicant,
                                                publish):
    publish(case_with_applicant(description=STORY, applicant=APPLICANT))
    drain()
    docs = indexed(search_index)
    assert len(docs) == 1 and "白血病" in docs[0]["body"]
    text = _all_text(docs)
    assert [value for value in PLANTED if value in text] == []


def test_index_documents_carry_only_card_fields(drain, search_index, indexed, case_with_applicant,
                                                publish):
    publish(case_with_applicant(description=STORY, applicant=APPLICANT))
    drain()
    (doc,) = indexed(search_index)
    assert doc["status"] == "published" and doc["kind"] == "need"
    assert "GT-TEST" not in _all_text([doc])  # not even the case number


def test_index_rebuild_holds_no_applicant_personal_data(db, search_index, indexed,
                                                        case_with_applicant,
                                                        publish):
    from webapp.services.search import sync as search_sync
    publish(case_with_applicant(description=STORY, applicant=APPLICANT))
    search_sync.rebuild_index(db.session, search_index)
    text = _all_text(indexed(search_index))
    assert "白血病" in text
    assert [value for value in PLANTED if value in text] == []


def test_index_excludes_unreviewed_listings(drain, search_index, indexed, announced_listing):
    for status in (ListingStatus.DRAFT, ListingStatus.PENDING_REVIEW, ListingStatus.PAUSED,
                   ListingStatus.CLOSED):
        announced_listing("project", title=f"未公开项目{status.value}", status=status)
    drain()
    assert indexed(search_index) == []
