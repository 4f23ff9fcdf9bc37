"""CSV and XLSX exports of accounts, journal lines and vouchers for auditors.

Exports carry ids, amounts, states and case numbers only: never a payee or anything else that
could name a person in crisis.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Case
from webapp.models.ledger import JournalEntry, JournalLine, LedgerAccount, MoneyTransfer, Voucher
from webapp.templating import local_time

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _accounts(session: Session):
    yield ["账户编号", "类型", "名称", "总额", "已预留", "已拨付", "可用", "个案所需", "个案已批准"]
    for a in session.scalars(select(LedgerAccount).order_by(LedgerAccount.id)):
        yield [a.id, a.kind.value, a.name, a.total, a.reserved, a.disbursed, a.available,
               a.needed, a.approved_total if a.needed is not None else None]


def _journal(session: Session):
    yield ["分录行", "分录", "时间", "款项编号", "动作", "账户编号", "借贷", "阶段", "金额",
           "个案编号", "操作人编号"]
    stmt = (select(JournalLine, JournalEntry, Case.number)
            .join(JournalEntry, JournalLine.entry_id == JournalEntry.id)
            .join(MoneyTransfer, JournalEntry.transfer_id == MoneyTransfer.id)
            .outerjoin(Case, MoneyTransfer.case_id == Case.id)
            .order_by(JournalLine.id))
    for line, entry, case_number in session.execute(stmt).yield_per(1000):
        yield [line.id, entry.id, local_time(entry.created_at, "%Y-%m-%d %H:%M:%S"),
               entry.transfer_id, entry.action, line.account_id, line.side.value,
               line.phase.value, line.amount, case_number, entry.actor_id]


def _vouchers(session: Session):
    yield ["凭证号", "款项编号", "个案编号", "支付方式", "金额", "支付日期", "经办人编号",
           "登记时间"]
    stmt = (select(Voucher).options(selectinload(Voucher.transfer).selectinload(
        MoneyTransfer.case)).order_by(Voucher.id))
    for v in session.scalars(stmt):
        yield [v.number, v.transfer_id, v.transfer.case.number if v.transfer.case else None,
               v.method.value, v.amount, v.paid_on.isoformat(), v.issued_by_id,
               local_time(v.issued_at, "%Y-%m-%d %H:%M:%S")]


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
