"""Proof documents of a case: type checked by magic bytes, size limited, stored under the
data dir with random names, and read back only by permitted users (each read audited)."""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from webapp import permissions
from webapp.models import Attachment, Case, User, utcnow
from webapp.services import ConflictError, DomainError, PermissionDeniedError, audit

SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"),
              (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


def sniff(data: bytes) -> tuple[str, str] | None:
    """(media type, extension) from the leading bytes, or None for anything else."""
    for magic, media_type, ext in SIGNATURES:
        if data.startswith(magic):
            return media_type, ext
    return None


def add_attachment(session: Session, actor: User, case: Case, *, data: bytes, label: str,
                   upload_dir: Path, max_bytes: int) -> Attachment:
    """Check and store one file; the database row and the audit event share the transaction."""
    if not permissions.can_change_case(actor, case):
        raise PermissionDeniedError("您无权为此个案上传材料")
    if case.is_terminal:
        raise ConflictError("个案已办结，不能再上传材料")
    label = (label or "").strip()
    if not 1 <= len(label) <= 100:
        raise DomainError("请填写材料名称（1–100 个字）", field="label")
    if not data:
        raise DomainError("请选择要上传的文件", field="file")
    if len(data) > max_bytes:
        raise DomainError("文件不能超过 %(megabytes)s MB", field="file",
                          megabytes=max_bytes // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise DomainError("只能上传 PDF、JPG 或 PNG 文件", field="file")
    media_type, ext = kind
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + ext
    path = upload_dir / stored
    path.write_bytes(data)
    row = Attachment(case_id=case.id, label=label, media_type=media_type, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), stored_name=stored,
                     uploaded_by_id=actor.id, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "case.attachment_add", case,
                 summary={"attachment_id": row.id, "media_type": media_type, "size": len(data)})
    return row


def open_attachment(session: Session, actor: User, case: Case, attachment: Attachment, *,
                    upload_dir: Path) -> Path:
    """The stored file of an attachment, for a permitted reader; the read is audited."""
    if not permissions.can_view_attachments(actor, case):
        raise PermissionDeniedError("您无权查看此个案的材料")
    path = upload_dir / attachment.stored_name
    if not path.is_file():
        raise DomainError("文件已不存在")
    audit.record(session, actor, "case.attachment_view", case,
                 summary={"attachment_id": attachment.id})
    return path
