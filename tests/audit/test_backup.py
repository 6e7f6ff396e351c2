"""`backup` and `restore` round trip (on whichever database the suite runs: SQLite's online backup or
pg_dump/pg_restore into the test database), and `verify_audit` against a head kept outside the
database. The JSON route (`dumpdata`/`loaddata`) is shown to break the chain, which is why these
commands exist."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.suggestions import actions as A
from minyi.suggestions.models import Attachment, Suggestion
from tests.suggestions.conftest import content, make_taxa

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def a_suggestion_with_a_file(world, taxa, title: str) -> Attachment:
    s = A.do_create_suggestion(world.congress, actor=world.deputy, content=content(taxa, title=title))
    return A.do_add_attachment(s, actor=world.deputy, upload=ContentFile(PNG, name="现场照片.png"))


def test_backup_and_restore_round_trip(world, media, tmp_path):
    taxa = make_taxa(world.congress)
    attachment = a_suggestion_with_a_file(world, taxa, "关于修缮老旧小区的建议")
    before = verify_chain()
    assert before.ok and before.checked >= 2
    stored = media / attachment.file.name
    assert stored.read_bytes() == PNG

    out = run("backup", output=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("minyi-backup-*.tar.gz")
    assert f"audit {before.checked} events, head {before.head_hash}" in out
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames())
    assert manifest["audit"] == {
        "events": before.checked,
        "head_seq": before.checked,
        "head_hash": before.head_hash,
    }
    assert manifest["database"] in ("sqlite", "postgresql") and manifest["app_version"]
    assert "media/" + attachment.file.name in manifest["files"] and names >= set(manifest["files"])

    # life goes on: a second suggestion, and a file lost from the disk
    a_suggestion_with_a_file(world, taxa, "关于增设路灯的建议")
    stored.unlink()
    grown = verify_chain()
    assert grown.checked > before.checked
    assert "events since" in run("verify_audit", expect_head=before.head_hash)

    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(archive))  # no confirmation (not a terminal): nothing happens
    assert Suggestion.objects.count() == 2

    from django.core.cache import cache

    cache.set("minyi.v1:page:list:kept-before-the-restore", "a page of the newer data")
    out = run("restore", str(archive), yes=True)
    assert f"OK: {before.checked} events, head {before.head_hash}" in out
    # the data version goes back to numbers already used for newer data: nothing kept survives
    assert cache.get("minyi.v1:page:list:kept-before-the-restore") is None
    assert "equals the manifest" in out
    assert list(Suggestion.objects.values_list("title", flat=True)) == ["关于修缮老旧小区的建议"]
    assert stored.read_bytes() == PNG
    assert verify_chain().head_hash == before.head_hash
    # the newer head noted before the restore is no longer in the chain: a rollback, said loudly
    with pytest.raises(CommandError, match="not in the chain"):
        run("verify_audit", expect_head=grown.head_hash)

    # a wiped database: the head kept outside tells; restoring again (idempotent) brings it back
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="not in the chain"):
        run("verify_audit", expect_head=before.head_hash)
    out = run("restore", str(archive), yes=True)
    assert f"OK: {before.checked} events, head {before.head_hash}" in out
    assert Suggestion.objects.count() == 1 and stored.read_bytes() == PNG
    assert run("verify_audit", expect_head=before.head_hash).startswith(
        f"OK: {before.checked} events, head {before.head_hash}"
    )


def test_restore_refuses_a_damaged_archive(world, media, tmp_path):
    a_suggestion_with_a_file(world, make_taxa(world.congress), "关于修缮老旧小区的建议")
    run("backup", output=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("minyi-backup-*.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("media/"):
                data = b"not the photo"
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    count = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="checksum mismatch"):
        run("restore", str(damaged), yes=True)
    assert AuditEvent.objects.count() == count  # nothing was replaced
    with pytest.raises(CommandError, match="not a Minyi backup"):
        run("restore", str(tmp_path / "nothing.tar.gz"), yes=True)


def test_an_empty_chain_beside_data_is_not_ok(world):
    assert AuditEvent.objects.count() == 0  # the world's rows come from factories, not actions
    with pytest.raises(CommandError, match="chain is empty but the database holds data"):
        run("verify_audit")


def test_a_wrong_expected_head_fails(world):
    A.do_create_suggestion(world.congress, actor=world.deputy, content=content(make_taxa(world.congress)))
    head = verify_chain().head_hash
    assert run("verify_audit", expect_head=head).startswith("OK:")
    with pytest.raises(CommandError, match="not in the chain"):
        run("verify_audit", expect_head="f" * 64)


def test_dumpdata_keeps_only_milliseconds(world, tmp_path):
    """Why `backup` does not go through JSON: Django's serializer cuts timestamps to milliseconds,
    while each audit row's hash covers the microseconds — reloaded rows would all look altered."""
    taxa = make_taxa(world.congress)
    for n in range(3):
        A.do_create_suggestion(world.congress, actor=world.deputy, content=content(taxa, title=f"建议{n}"))
    assert any(e.created_at.microsecond % 1000 for e in AuditEvent.objects.all())
    dump = tmp_path / "audit.json"
    call_command("dumpdata", "audit.auditevent", output=str(dump), verbosity=0)
    stamps = [row["fields"]["created_at"] for row in json.loads(dump.read_text())]
    assert all(len(stamp.split(".")[-1].rstrip("Z")) <= 3 for stamp in stamps if "." in stamp), stamps
