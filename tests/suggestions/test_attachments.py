"""Attachments: type checked on the content, size-limited, stored under a generated name."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile

from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Attachment

from .conftest import codes, refused

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def use_tmp_storage(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def media(settings, tmp_path) -> Path:
    use_tmp_storage(settings, tmp_path)
    return tmp_path


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "mime", "ext"),
    [
        (PDF, "application/pdf", "pdf"),
        (PNG, "image/png", "png"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        (xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ],
)
def test_accepted_types_are_stored_under_generated_names(loop, media, data, mime, ext):
    w = loop.w
    s = loop.drive.to("draft")
    attachment = A.do_add_attachment(
        s, actor=w.deputy, upload=ContentFile(data, name="../../etc/我的材料.exe")
    )
    assert attachment.content_type == mime and attachment.size == len(data)
    assert attachment.original_name == "我的材料.exe"  # display only
    name = attachment.file.name
    assert name.startswith(f"suggestions/{w.congress.pk}/") and name.endswith(f".{ext}")
    assert "我的材料" not in name and ".." not in name
    assert (media / name).read_bytes() == data
    assert codes(s)[-1] == "attachment.added"


def test_type_is_judged_by_content_not_name(loop, media):
    w = loop.w
    s = loop.drive.to("draft")
    for data in (b"MZ\x90\x00" + b"\x00" * 100, b"just some text", b"<html><script>alert(1)</script></html>"):
        with refused(ValidationFailed, code="file_type"):
            A.do_add_attachment(s, actor=w.deputy, upload=ContentFile(data, name="正常文件.pdf"))
    with refused(ValidationFailed, code="file_empty"):
        A.do_add_attachment(s, actor=w.deputy, upload=ContentFile(b"", name="空.pdf"))
    assert not list(media.rglob("*.*"))


def test_size_limit(loop, media, settings):
    w = loop.w
    settings.MINYI_MAX_UPLOAD_BYTES = 40
    s = loop.drive.to("draft")
    with refused(ValidationFailed, code="file_too_large"):
        A.do_add_attachment(s, actor=w.deputy, upload=ContentFile(PDF, name="大.pdf"))


def test_who_may_add_and_remove(loop, media, django_capture_on_commit_callbacks):
    w = loop.w
    s = loop.drive.to("draft")
    for actor in (w.cosigner, w.clerk, w.handler_a, w.outsider):
        with refused(NotPermitted):
            A.do_add_attachment(s, actor=actor, upload=ContentFile(PDF, name="a.pdf"))
    attachment = A.do_add_attachment(s, actor=w.deputy, upload=ContentFile(PDF, name="a.pdf"))
    stored = media / attachment.file.name
    with refused(NotPermitted):
        A.do_remove_attachment(attachment, actor=w.cosigner)
    with django_capture_on_commit_callbacks(execute=True):
        A.do_remove_attachment(attachment, actor=w.deputy)
    assert not Attachment.objects.exists() and not stored.exists()
    assert codes(s)[-2:] == ["attachment.added", "attachment.removed"]
    A.do_submit_suggestion(s, actor=w.deputy)
    with refused(InvalidTransition, match="待审查"):
        A.do_add_attachment(s, actor=w.deputy, upload=ContentFile(PDF, name="late.pdf"))


def test_reply_attachments_by_the_unit_while_drafting(loop, media):
    w = loop.w
    s = loop.drive.to("reply_drafted")
    lead = Assignment.objects.get(suggestion=s)
    reply = lead.reply
    with refused(NotPermitted):
        A.do_add_attachment(reply, actor=w.handler_b, upload=ContentFile(PDF, name="r.pdf"))
    with refused(NotPermitted):
        A.do_add_attachment(reply, actor=w.deputy, upload=ContentFile(PDF, name="r.pdf"))
    attachment = A.do_add_attachment(reply, actor=w.handler_a, upload=ContentFile(PNG, name="现场照片.png"))
    assert attachment.reply == reply and attachment.suggestion == s
    A.do_sign_off_reply(lead, actor=w.leader_a)
    with refused(InvalidTransition, match="已答复"):
        A.do_add_attachment(reply, actor=w.handler_a, upload=ContentFile(PDF, name="late.pdf"))
    with refused(InvalidTransition):
        A.do_remove_attachment(attachment, actor=w.handler_a)
