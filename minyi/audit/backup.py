"""Backup and restore of the whole installation — the database and the stored files — as one archive
whose manifest names the audit chain's head, so that a restore can prove it brought back exactly
the history that was saved.

Why not `dumpdata`/`loaddata`: Django's JSON serializer keeps only milliseconds of a timestamp, and
the audit hash covers the full microseconds, so every reloaded row "was altered". The database is
therefore copied by the database's own tools: SQLite's online backup API (a consistent copy while
the site runs) and PostgreSQL's `pg_dump -Fc` / `pg_restore`.

The archive (`minyi-backup-<UTC time>.tar.gz`) holds:

- ``manifest.json``: time, app version, database kind, the audit head (seq and hash) and event
  count of the copied database, and the SHA-256 of every other member;
- ``database.sqlite3`` or ``database.pgdump``;
- ``media/…``: every file below MEDIA_ROOT.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from .services import VerifyResult, verify_chain

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    """Why a backup or restore could not be done (the message says what to do)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def app_version() -> str:
    try:
        return version("minyi")
    except PackageNotFoundError:  # pragma: no cover - not installed as a package
        return "unknown"


def media_root() -> Path:
    location = settings.STORAGES["default"].get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
    return Path(location)


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"unsupported database: {vendor}")
    return vendor


# --- PostgreSQL tools --------------------------------------------------------------------------------


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from the configured database (the test database
    under pytest, since `connection.settings_dict` is what Django really connects to)."""
    s = connection.settings_dict
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} not found: install postgresql-client of the server's major version")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# --- backup ------------------------------------------------------------------------------------------


@dataclass
class Head:
    seq: int
    hash: str
    events: int


def _sqlite_head(path: Path) -> Head:
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1").fetchone()
        events = db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    finally:
        db.close()
    seq, head_hash = row if row else (0, "0" * 64)
    return Head(seq, head_hash, events)


def _dump_sqlite(target: Path) -> Head:
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest)  # consistent copy, even while the site writes
    finally:
        dest.close()
    return _sqlite_head(target)


def _dump_postgresql(target: Path) -> Head:
    """pg_dump reads the snapshot in which the head was read, so head and dump agree."""
    args, env = _pg_args_env()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
        row = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        events = cursor.fetchone()[0]
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target), *args]
            + [str(connection.settings_dict["NAME"])],
            env,
        )
    seq, head_hash = row if row else (0, "0" * 64)
    return Head(seq, head_hash, events)


def create_backup(output_dir: Path, *, now: datetime.datetime | None = None) -> tuple[Path, dict[str, Any]]:
    """Write one archive into `output_dir`; return its path and manifest."""
    vendor = _vendor()
    now = now or datetime.datetime.now(datetime.UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    name = f"minyi-backup-{now:%Y%m%d-%H%M%S}"
    archive = output_dir / f"{name}.tar.gz"
    if archive.exists():
        raise BackupError(f"{archive} already exists")
    with tempfile.TemporaryDirectory(prefix="minyi-backup-", dir=output_dir) as tmp:
        db_file = Path(tmp) / DB_MEMBER[vendor]
        head = _dump_sqlite(db_file) if vendor == "sqlite" else _dump_postgresql(db_file)
        files = {DB_MEMBER[vendor]: _sha256(db_file)}
        root = media_root()
        media: list[tuple[Path, str]] = []
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                member = MEDIA_PREFIX + path.relative_to(root).as_posix()
                files[member] = _sha256(path)
                media.append((path, member))
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "app_version": app_version(),
            "database": vendor,
            "audit": {"events": head.events, "head_seq": head.seq, "head_hash": head.hash},
            "files": files,
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=DB_MEMBER[vendor])
            for path, member in media:
                tar.add(path, arcname=member)
        partial.rename(archive)  # a half-written archive never carries the final name
    return archive, manifest


# --- restore -----------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Minyi backup archive ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _extract(archive: Path, manifest: dict[str, Any], into: Path) -> None:
    """Unpack every member the manifest names, refusing anything else and any checksum mismatch."""
    expected = manifest["files"]
    with tarfile.open(archive, "r:gz") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()} - {MANIFEST}
        if names != set(expected):
            raise BackupError("the archive's files do not match its manifest (missing or extra files)")
        tar.extractall(into, members=[m for m in tar.getmembers() if m.name in expected], filter="data")
    for member, digest in expected.items():
        if _sha256(into / member) != digest:
            raise BackupError(f"checksum mismatch for {member}: the archive is damaged")


def _restore_sqlite(source: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connections.close_all()
    src = sqlite3.connect(source)
    dest = sqlite3.connect(target, timeout=20)
    try:
        src.backup(dest)  # page by page under the database lock: no half-copied file is ever read
    finally:
        dest.close()
        src.close()


def _restore_postgresql(source: Path) -> None:
    """pg_restore --clean drops and recreates every table of the dump in one transaction; the audit
    triggers refuse UPDATE and DELETE of rows, not DROP TABLE, so they do not stand in the way."""
    args, env = _pg_args_env()
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
        + [*args, "--dbname", name, str(source)],
        env,
    )


def _restore_media(source: Path) -> int:
    root = media_root()
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    count = 0
    if source.is_dir():
        for path in source.rglob("*"):
            if path.is_file():
                dest = root / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
                count += 1
    return count


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    chain: VerifyResult
    media_files: int

    @property
    def matches(self) -> bool:
        audit = self.manifest["audit"]
        return (
            self.chain.ok
            and self.chain.checked == audit["events"]
            and self.chain.head_hash == audit["head_hash"]
        )


def restore_backup(archive: Path) -> RestoreResult:
    """Replace the database and the stored files with the archive's, then check the audit chain."""
    manifest = read_manifest(archive)
    vendor = _vendor()
    if manifest["database"] != vendor:
        raise BackupError(
            f"the archive holds a {manifest['database']} database but this installation uses {vendor}"
        )
    parent = media_root().parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="minyi-restore-", dir=parent) as tmp:
        unpacked = Path(tmp)
        _extract(archive, manifest, unpacked)
        db_file = unpacked / DB_MEMBER[vendor]
        if vendor == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgresql(db_file)
        media_files = _restore_media(unpacked / MEDIA_PREFIX.rstrip("/"))
    connections.close_all()
    return RestoreResult(manifest, verify_chain(), media_files)
