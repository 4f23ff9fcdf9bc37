"""The resource demo loader: believable volumes, deterministic and idempotent."""
import random

from sqlalchemy import func, select

from webapp.models import Fund, ListingStatus, Offer, Pledge, Project, Scheme


def _counts(db):
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Project, Fund, Offer, Scheme, Pledge)}


def test_demo_resources_loads_volumes_and_is_idempotent(db, demo_base):
    from webapp.demo import resources
    resources.load(db.session, random.Random(7), lambda s: None)
    db.session.commit()
    first = _counts(db)
    assert first["Project"] >= 55 and first["Fund"] == 15 and first["Offer"] >= 190
    assert first["Scheme"] == 6 and first["Pledge"] == 150
    assert resources.load(db.session, random.Random(7), lambda s: None) == {}
    assert _counts(db) == first


def test_demo_resources_schemes_run_by_their_departments(db, demo_base):
    from webapp.demo import resources
    resources.load(db.session, random.Random(7), lambda s: None)
    rows = dict(db.session.execute(select(Scheme.title, Scheme.organisation_id)).all())
    from webapp.models import Organisation
    names = {o.id: o.name for o in db.session.scalars(select(Organisation))}
    assert names[rows["医疗救助"]] == "高唐县医疗保障局"
    assert names[rows["残疾人帮扶"]] == "高唐县残疾人联合会"
    assert names[rows["临时救助"]] == "高唐县民政局"
    assert db.session.scalar(select(func.count()).select_from(Project).where(
        Project.status == ListingStatus.PENDING_REVIEW)) > 0
