"""The window's public page and wall poster (一明显三上墙): address, hours, telephones, duties
with the time limits the deadlines use, the schemes that apply, the supervision telephone."""
import io
import random

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from webapp.config import Config, ConfigError
from webapp.models import TownWindow
from webapp.services import DomainError, PermissionDeniedError, windows


@pytest.fixture
def demo_windows(db, demo_base):
    from webapp.demo import window
    window.load(db.session, random.Random(1), lambda s: None)
    db.session.commit()


def test_demo_fills_every_town_window(db, demo_windows, staff):
    rows = windows.town_windows(db.session)
    assert len(rows) == 13 and all(w is not None for _t, w in rows)
    assert all(windows.valid_phone(w.phone) for _t, w in rows if w)


def test_page_shows_window_duties_limits_and_phones(db, demo_windows, staff, client, app,
                                                   monkeypatch):
    monkeypatch.setitem(app.config, "CASE_LIMIT_PROCEDURE_DAYS", 12)
    town = staff["org"]("汇鑫街道")  # second town: its own supervision telephone
    window = windows.window_of(db.session, town)
    html = client.get(f"/windows/{town.id}").get_data(as_text=True)
    assert window.address in html and window.phone in html
    assert window.supervision_phone in html and "首问负责" in html
    assert "（12 个工作日内）" in html
    county = staff["org"]("鱼丘湖街道")  # first town: the county's telephone
    html = client.get(f"/windows/{county.id}").get_data(as_text=True)
    assert 'id="town-supervision-phone">0635-3951234<' in html
    assert client.get(f"/windows/{staff['org']('高唐县民政局').id}").status_code == 404


def test_poster_pdf_holds_the_chinese_text(db, demo_windows, staff, client):
    town = staff["org"]("梁村镇")
    window = windows.window_of(db.session, town)
    response = client.get(f"/windows/{town.id}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for expected in ("梁村镇社会救助窗口", "首问负责", "监督电话", window.phone,
                     window.address.replace(" ", "")):
        assert expected in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == \
        (210, 297)


def test_update_window_validates_and_leaves_nothing(db, staff):
    town = staff["org"]("梁村镇")
    with pytest.raises(DomainError) as caught:
        windows.update_window(db.session, staff["officer"], town, address="梁村镇便民服务中心",
                              opening_hours="周一至周五", phone="110",
                              supervision_phone="abc")
    assert set(caught.value.errors) == {"phone", "supervision_phone"}
    with pytest.raises(PermissionDeniedError):
        windows.update_window(db.session, staff["intake"], town, address="梁村镇便民服务中心",
                              opening_hours="周一至周五", phone="0635-3951100")
    db.session.rollback()
    assert db.session.scalar(select(func.count(TownWindow.id))) == 0
    row = windows.update_window(db.session, staff["officer"], town, address="梁村镇便民服务中心",
                                opening_hours="周一至周五 8:30–17:30", phone="0635 3951100")
    assert row.phone == "06353951100" and row.supervision_phone is None


def test_supervision_phone_setting_is_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("JIUJINAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SUPERVISION_PHONE", "0635-395123")
    with pytest.raises(ConfigError, match=r"^SUPERVISION_PHONE=.* is not usable"):
        Config()
    monkeypatch.setenv("SUPERVISION_PHONE", "call us")
    with pytest.raises(ConfigError, match=r"^SUPERVISION_PHONE=.* is not usable"):
        Config()
