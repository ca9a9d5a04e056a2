"""make backup / make restore: a restored copy has identical tables and files."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from django.db import connection

from onestop_tayninh.security.audit import audit_event
from tests.factories import AgencyFactory, OfficialFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def script_env(**extra) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DB_NAME": db["NAME"],
        "DB_USER": db["USER"],
        "DB_PASSWORD": db["PASSWORD"],
        "DB_HOST": db["HOST"],
        "DB_PORT": str(db["PORT"]),
        **extra,
    }


def run(script: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO / "scripts" / script)],
        env=script_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def table_checksums(database: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [database],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("CHECKSUM TABLE " + ", ".join(f"`{database}`.`{t}`" for t in tables))
        return {name.split(".", 1)[1]: checksum for name, checksum in cursor.fetchall()}


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def world(settings):
    AgencyFactory.create_batch(3)
    OfficialFactory(roles=["receiving_officer"])
    audit_event(actor=None, action="export", target="sao lưu thử", data={"ghi_chu": "Tây Ninh"})
    media = Path(settings.MEDIA_ROOT)
    (media / "dossiers/2026/11").mkdir(parents=True)
    (media / "dossiers/2026/11/giấy khai sinh.pdf").write_bytes(b"%PDF-1.4 " + os.urandom(5000))
    (media / "dossiers/2026/11/anh.png").write_bytes(os.urandom(2000))
    (media / "ket-qua.txt").write_text("Kết quả giải quyết", encoding="utf-8")
    return media


@pytest.fixture
def restored_db():
    name = f"{connection.settings_dict['NAME']}_restored"[:64]
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def test_backup_then_restore_gives_identical_tables_and_files(world, restored_db, tmp_path):
    backup = run("backup.sh", FILES_DIR=str(world), BACKUP_ROOT=str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    directory = Path(backup.stdout.strip().splitlines()[-1])
    assert {p.name for p in directory.iterdir()} == {
        "db.sql.gz",
        "files.tar.gz",
        "files.sha256",
        "info.txt",
        "SHA256SUMS",
    }

    target_files = tmp_path / "restored-files"
    restore = run("restore.sh", BACKUP=str(directory), RESTORE_DB_NAME=restored_db, RESTORE_FILES_DIR=str(target_files))
    assert restore.returncode == 0, restore.stdout + restore.stderr

    source = table_checksums(connection.settings_dict["NAME"])
    assert "security_auditevent" in source and len(source) > 30
    assert table_checksums(restored_db) == source
    assert file_hashes(target_files) == file_hashes(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s", [restored_db])
        assert {row[0] for row in cursor.fetchall()} == {
            "security_auditevent_no_update",
            "security_auditevent_no_delete",
        }


def test_a_tampered_backup_is_refused(world, restored_db, tmp_path):
    backup = run("backup.sh", FILES_DIR=str(world), BACKUP_ROOT=str(tmp_path / "backups"))
    directory = Path(backup.stdout.strip().splitlines()[-1])
    with (directory / "files.tar.gz").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02")

    restore = run(
        "restore.sh", BACKUP=str(directory), RESTORE_DB_NAME=restored_db, RESTORE_FILES_DIR=str(tmp_path / "r")
    )
    assert restore.returncode != 0
    assert "mã băm không khớp" in restore.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", [restored_db])
        assert cursor.fetchone()[0] == 0


def test_restore_refuses_to_overwrite_a_database_with_tables(world, tmp_path):
    backup = run("backup.sh", FILES_DIR=str(world), BACKUP_ROOT=str(tmp_path / "backups"))
    directory = Path(backup.stdout.strip().splitlines()[-1])
    restore = run("restore.sh", BACKUP=str(directory), RESTORE_FILES_DIR=str(tmp_path / "r"))
    assert restore.returncode != 0
    assert "RESTORE_FORCE=1" in restore.stderr
