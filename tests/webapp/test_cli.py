"""CLI commands of the foundation: users, demo data, privacy evaluation."""
import json

from sqlalchemy import func, select

from webapp.models import Organisation, User


def test_users_create_makes_a_staff_account(runner, demo_base, db):
    result = runner.invoke(args=["users", "create", "--username", "clerk2",
                                 "--display-name", "窗口二", "--organisation", "尹集镇",
                                 "--role", "intake_worker", "--password", "long-password-9"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "clerk2")).one()
    assert {r.value for r in user.roles} == {"intake_worker"}


def test_users_create_rejects_short_password(runner, demo_base, db):
    result = runner.invoke(args=["users", "create", "--username", "clerk3",
                                 "--display-name", "窗口三", "--organisation", "尹集镇",
                                 "--role", "intake_worker", "--password", "short"])
    assert result.exit_code != 0
    assert "密码至少需要" in result.output
    assert db.session.scalars(select(User).where(User.username == "clerk3")).first() is None


def test_demo_load_twice_adds_nothing(runner, db, monkeypatch):
    from webapp.demo import cases
    monkeypatch.setattr(cases, "CASES", 24)  # every state still; the full 300 take a minute
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    orgs = db.session.scalar(select(func.count()).select_from(Organisation))
    users = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == orgs
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_privacy_evaluate_scores_an_outside_corpus(runner, tmp_path):
    text = "患者张三，电话13812345678。"
    line = {"text": text, "known_names": ["张三"], "spans": [
        {"start": 2, "end": 4, "type": "name", "known": True},
        {"start": 8, "end": 19, "type": "phone"}]}
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(args=["privacy", "evaluate", "--corpus", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 samples" in result.output
    phone_row = next(r for r in result.output.splitlines() if r.startswith("phone"))
    assert "100.0%" in phone_row


def test_privacy_evaluate_rejects_malformed_corpus(runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "x"}\n', encoding="utf-8")
    result = runner.invoke(args=["privacy", "evaluate", "--corpus", str(path)])
    assert result.exit_code != 0
    assert "not a corpus line" in result.output
