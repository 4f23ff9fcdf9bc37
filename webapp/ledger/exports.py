"""CSV and XLSX exports of accounts, journal lines and vouchers for auditors.

Exports carry amounts, states (as the words the pages use), case numbers and the names of the
staff who acted. A payee is shown masked (张**) unless the money went to a hospital by direct
settlement: nothing in an export names a person in crisis.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Response
from flask_babel import gettext
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.code_labels import code_label
from webapp.models import Case, User
from webapp.models.ledger import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    MoneyTransfer,
    PaymentMethod,
    Voucher,
)
from webapp.privacy.publishing.redact import mask_name
from webapp.templating import local_time

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Column headings, written in the reader's language.
ACCOUNT_COLUMNS = ("账户编号", "类型", "名称", "总额", "已预留", "已拨付", "可用", "个案所需",
                   "个案已批准")
JOURNAL_COLUMNS = ("分录行", "分录", "时间", "款项编号", "动作", "账户编号", "借贷", "阶段", "金额",
                   "个案编号", "操作人")
VOUCHER_COLUMNS = ("凭证号", "款项编号", "个案编号", "收款人", "支付方式", "金额", "支付日期",
                   "经办人", "登记时间")


def _headings(columns: tuple[str, ...]) -> list[str]:
    return [gettext(c) for c in columns]


def _accounts(session: Session):
    yield _headings(ACCOUNT_COLUMNS)
    for a in session.scalars(select(LedgerAccount).order_by(LedgerAccount.id)):
        yield [a.id, _kind(a.kind), a.name, a.total, a.reserved, a.disbursed, a.available,
               a.needed, a.approved_total if a.needed is not None else None]


def _journal(session: Session):
    yield _headings(JOURNAL_COLUMNS)
    names = _staff_names(session)
    stmt = (select(JournalLine, JournalEntry, Case.number)
            .join(JournalEntry, JournalLine.entry_id == JournalEntry.id)
            .join(MoneyTransfer, JournalEntry.transfer_id == MoneyTransfer.id)
            .outerjoin(Case, MoneyTransfer.case_id == Case.id)
            .order_by(JournalLine.id))
    for line, entry, case_number in session.execute(stmt).yield_per(1000):
        yield [line.id, entry.id, local_time(entry.created_at, "%Y-%m-%d %H:%M:%S"),
               entry.transfer_id, code_label(entry.action, "entry_action"), line.account_id,
               code_label(line.side, "side"), code_label(line.phase, "phase"), line.amount,
               case_number, names.get(entry.actor_id, "")]


def _vouchers(session: Session):
    yield _headings(VOUCHER_COLUMNS)
    names = _staff_names(session)
    stmt = (select(Voucher).options(selectinload(Voucher.transfer).selectinload(
        MoneyTransfer.case)).order_by(Voucher.id))
    for v in session.scalars(stmt):
        payee = v.payee if v.method is PaymentMethod.HOSPITAL_SETTLEMENT else mask_name(v.payee)
        yield [v.number, v.transfer_id, v.transfer.case.number if v.transfer.case else None,
               payee, code_label(v.method, "payment_method"), v.amount, v.paid_on.isoformat(),
               names.get(v.issued_by_id, "") if v.issued_by_id is not None else "",
               local_time(v.issued_at, "%Y-%m-%d %H:%M:%S")]


def _staff_names(session: Session) -> dict[int, str]:
    return {user_id: name for user_id, name in session.execute(select(User.id, User.display_name))}


def _kind(kind) -> str:
    from webapp.ledger.views import KIND_LABELS  # here: the views import this module
    return gettext(KIND_LABELS[kind])


DATASETS = {"accounts": _accounts, "journal": _journal, "vouchers": _vouchers}


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # keep spreadsheet software from running it as a formula
    return value


def to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) else _cell(v))
                         for v in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Chinese


def to_xlsx(rows, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(session: Session, dataset: str, fmt: str) -> Response:
    rows = DATASETS[dataset](session)
    if fmt == "csv":
        body, mimetype = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(rows, dataset)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="ledger-{dataset}.{fmt}"'})
