"""Attachments of a suggestion (added by its drafters while it can be edited) and of a reply (added
by the unit while the reply is being written).

Files are checked on their *content* with `filetype` (PDF, Word/Excel/PowerPoint, OpenDocument,
JPEG/PNG/GIF/WebP/HEIC; the name the user gave does not matter), limited to
`settings.MINYI_MAX_UPLOAD_BYTES`, and stored in the default storage under a generated name
(`suggestions/<congress>/<year>/<month>/<random>.<ext>`); the uploader's file name is kept for
display only. They are served only through a view that calls `selectors.access_attachment`.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from typing import Any

import filetype
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from minyi.core.errors import ValidationFailed

from ..models import ATTACHMENT_TYPES, Assignment, Attachment, Reply, Suggestion
from ._common import Ctx, authorize, check_move, ctx_for, lock_assignment, lock_suggestion, record

SIGNATURE_BYTES = 8192


def _display_name(name: str) -> str:
    """The user's file name, reduced to something safe to show (never used in a path)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:200] or _("附件")


def _inspect(upload: File) -> tuple[str, int, str]:
    """(MIME type, size, sha256) of an acceptable upload; ValidationFailed otherwise."""
    limit = settings.MINYI_MAX_UPLOAD_BYTES
    size = upload.size if upload.size is not None else 0
    if size > limit:
        raise ValidationFailed(
            _("文件过大：最大%(mb)sMB。") % {"mb": round(limit / 1024 / 1024, 1)}, code="file_too_large"
        )
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), code="file_empty")
    upload.seek(0)
    head = upload.read(SIGNATURE_BYTES)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise ValidationFailed(
            _(
                "不支持的文件类型：只能上传PDF、Word、Excel、PowerPoint文档或图片（JPG、PNG、GIF、WebP、HEIC）。"
            ),
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind.mime, size, digest.hexdigest()


def _store(
    ctx: Ctx, suggestion: Suggestion, reply: Reply | None, upload: File, name: str | None
) -> Attachment:
    mime, size, sha256 = _inspect(upload)
    attachment = Attachment(
        congress=suggestion.congress,
        suggestion=suggestion,
        reply=reply,
        original_name=_display_name(name or getattr(upload, "name", "") or ""),
        content_type=mime,
        size=size,
        sha256=sha256,
        uploaded_by=ctx.actor,
        uploaded_at=ctx.now,
    )
    attachment.file.save("upload", upload, save=False)  # the name comes from models.attachment_path
    stored = attachment.file.name or ""
    try:
        attachment.save()
        record(
            ctx,
            "attachment.added",
            suggestion=suggestion,
            assignment=reply.assignment if reply else None,
            obj=attachment,
            new={"name": attachment.original_name, "type": mime, "size": size, "sha256": sha256},
        )
    except BaseException:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def do_add_attachment(
    target: Suggestion | Reply, *, actor: Any, upload: File, name: str | None = None
) -> Attachment:
    """Attach a file to a suggestion (its drafters, while it is a draft or returned) or to a reply
    (the unit, while the reply is being written). `name` overrides the upload's own name for display."""
    if isinstance(target, Reply):
        suggestion, assignment = lock_assignment(target.assignment_id)
        ctx = ctx_for(actor, suggestion.congress)
        authorize(ctx, "draft_reply", assignment, _("只有该承办单位的工作人员可以为答复添加附件。"))
        check_move(ctx, "assignment", assignment.state, "draft_reply")
        reply = Reply.objects.get(pk=target.pk)
        reply.assignment = assignment
        return _store(ctx, suggestion, reply, upload, name)
    suggestion = lock_suggestion(target)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "edit", suggestion, _("只有领衔代表或为其录入草稿的联络站工作人员可以添加附件。"))
    check_move(ctx, "suggestion", suggestion.state, "edit")
    return _store(ctx, suggestion, None, upload, name)


@transaction.atomic
def do_remove_attachment(attachment: Attachment, *, actor: Any) -> None:
    """Remove an attachment under the same conditions as adding one; the file is deleted from the
    storage once the transaction commits."""
    attachment = Attachment.objects.select_related("reply").get(pk=attachment.pk)
    assignment: Assignment | None
    if attachment.reply is not None:
        suggestion, assignment = lock_assignment(attachment.reply.assignment_id)
        ctx = ctx_for(actor, suggestion.congress)
        authorize(ctx, "draft_reply", assignment, _("只有该承办单位的工作人员可以删除答复的附件。"))
        check_move(ctx, "assignment", assignment.state, "draft_reply")
    else:
        suggestion = lock_suggestion(attachment.suggestion_id)
        assignment = None
        ctx = ctx_for(actor, suggestion.congress)
        authorize(ctx, "edit", suggestion, _("只有领衔代表或为其录入草稿的联络站工作人员可以删除附件。"))
        check_move(ctx, "suggestion", suggestion.state, "edit")
    record(
        ctx,
        "attachment.removed",
        suggestion=suggestion,
        assignment=assignment,
        obj=attachment,
        old={"name": attachment.original_name, "sha256": attachment.sha256},
    )
    storage, stored = attachment.file.storage, attachment.file.name or ""
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
