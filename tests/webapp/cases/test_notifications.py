"""The in-app inbox and e-mail delivery (off unless SMTP is configured)."""
from sqlalchemy import select

from webapp.models import Notification
from webapp.services.cases import notifications
from webapp.services.cases.notifications import MailSettings


def test_transfer_notifies_the_department_handlers(db, reported_case, staff):
    case = reported_case(actions=["accept", "transfer"])
    rows = db.session.scalars(select(Notification).where(Notification.kind == "transfer")).all()
    assert [(n.user_id, n.case_id) for n in rows] == [(staff["dept"].id, case.id)]


def test_notification_names_the_case_not_the_person(db, reported_case):
    reported_case(actions=["accept", "transfer"])
    text = " ".join(n.title + n.body for n in db.session.scalars(select(Notification)))
    assert "王秀英" not in text and "GT-" in text


def test_handover_notifies_the_new_owner(db, reported_case, staff, settings):
    from webapp.services.cases import workflow
    case = reported_case(actions=["accept"])
    result = workflow.fire(db.session, staff["intake"], case, "handover", settings=settings,
                           new_owner_id=staff["village"].id)
    db.session.commit()
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == staff["village"].id)).all()
    assert kinds == ["handover"]
    assert (result.notices, result.released, result.cancelled) == (1, (), ())


def test_email_is_off_without_smtp_server(db, reported_case):
    reported_case(actions=["accept", "transfer"])
    assert notifications.send_pending_email(db.session, MailSettings.from_config({})) == 0


def test_email_sends_pending_messages_once(db, reported_case, staff):
    staff["dept"].email = "dept@example.org"
    db.session.commit()
    reported_case(actions=["accept", "transfer"])
    sent = []
    settings = MailSettings(server="smtp.example.org")
    count = notifications.send_pending_email(db.session, settings,
                                             send=lambda s, msgs: sent.extend(msgs))
    assert count == 1 and sent[0]["To"] == "dept@example.org"
    assert "转办" in sent[0]["Subject"]
    assert notifications.send_pending_email(db.session, settings,
                                            send=lambda s, msgs: sent.extend(msgs)) == 0


def test_email_failure_keeps_messages_pending(db, reported_case, staff):
    staff["dept"].email = "dept@example.org"
    db.session.commit()
    reported_case(actions=["accept", "transfer"])

    def broken(settings, messages):
        raise ConnectionRefusedError

    assert notifications.send_pending_email(db.session, MailSettings(server="x"),
                                            send=broken) == 0
    assert db.session.scalars(select(Notification.emailed_at)).all() == [None]


def test_inbox_page_lists_and_marks_read(client, auth, reported_case, db):
    reported_case(actions=["accept", "transfer"])
    auth.login("dept")
    html = client.get("/cases/notifications").get_data(as_text=True)
    assert "新的转办个案" in html
    auth.post("/cases/notifications/read", form_page="/cases/notifications")
    assert db.session.scalars(select(Notification.read_at)).all()[0] is not None
