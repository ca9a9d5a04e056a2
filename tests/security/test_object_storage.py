"""Files on S3-compatible object storage (security.storage_s3), against a real S3 server on 127.0.0.1.

The server is moto's S3 in server mode (ThreadedMotoServer, the same as scripts/fake_s3.py): the
storage talks HTTP to it with boto3 exactly as to the data centre's MinIO or Ceph. Each test gets a
bucket of its own. The download tests of test_downloads.py run here a second time with every file
in the bucket.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from onestop_tayninh.portal.models import DraftFile
from onestop_tayninh.security.constants import AuditAction
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.security.storage import files_follow_transactions
from onestop_tayninh.security.uploads import check_upload, mark_generated
from tests.portal.conftest import citizen, filled_draft, online, world  # noqa: F401 - fixtures and helpers
from tests.portal.test_my_dossiers import _justice_keys, with_result  # noqa: F401 - fixture: results are signed
from tests.support import tiny_pdf

from . import test_downloads
from .test_downloads import files  # noqa: F401 - fixture: every kind of stored file, here in the bucket

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
# The ports this suite may use (9100-9109); the first free one is taken.
PORTS = range(9100, 9110)
BACKEND = "onestop_tayninh.security.storage_s3.GatedS3Storage"


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 9100-9109")


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="thu",
        aws_secret_access_key="thu",
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="session")
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the server's access log, one line a request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def use_s3(settings, *, endpoint: str, bucket: str) -> None:
    """The settings production gets from ONESTOP_S3_*: the default storage in `bucket`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": BACKEND,
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "access_key": "thu",
                "secret_key": "thu",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "connect_timeout": 2,
                "max_attempts": 1,
            },
        },
    }


@pytest.fixture
def s3(settings, s3_server):
    """A bucket of this test's own, and the default storage in it; the client to look inside."""
    bucket = f"onestop-{uuid.uuid4().hex[:16]}"
    client = s3_client(s3_server)
    client.create_bucket(Bucket=bucket)
    use_s3(settings, endpoint=s3_server, bucket=bucket)
    return {"client": client, "bucket": bucket, "endpoint": s3_server}


def keys(s3) -> set[str]:
    listing = s3["client"].list_objects_v2(Bucket=s3["bucket"])
    return {item["Key"] for item in listing.get("Contents", [])}


def local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- upload, scan, store, download --------------------------------------------------------------


def test_an_upload_is_scanned_stored_in_the_bucket_and_handed_back_unchanged(s3, client, online, citizen, settings):  # noqa: F811
    draft = filled_draft(online, citizen, files=False)
    requirement = online["online"].documents.first()
    content = tiny_pdf("giay-khai-sinh")
    client.force_login(citizen)

    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {"action": "save", f"file-{requirement.pk}": ContentFile(content, name="Giấy khai sinh.pdf")},
    )

    assert response.status_code == 302
    item = DraftFile.objects.get(draft=draft)
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.file.name in keys(s3) and not local_files(settings)
    # The store holds the SHA-256 the gate computed, checked by a real store against the bytes it received.
    head = s3["client"].head_object(Bucket=s3["bucket"], Key=item.file.name, ChecksumMode="ENABLED")
    assert base64.b64decode(head["ChecksumSHA256"]).hex() == item.sha256
    assert head["ContentLength"] == len(content)

    url = reverse("portal:draft_file", args=[draft.pk, item.pk])
    download = client.get(url)

    assert download.status_code == 200
    assert download.getvalue() == content
    assert download["Content-Disposition"] == "inline; filename*=utf-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"
    assert "no-store" in download["Cache-Control"] and download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, path=url, actor=citizen).exists()


def test_every_download_works_from_the_bucket_with_its_audit_row_and_headers(s3, client, files, citizen):  # noqa: F811
    assert files["document"].file.name in keys(s3)
    for case in test_downloads.CASES:
        if case == "register-xlsx":
            continue  # the same address as register-pdf, whose audit row the case looks up alone
        test_downloads.test_every_download_leaves_an_audit_row(client, files, citizen, case)
    # A file missing from the bucket is a 404 that leaves no audit row, as on the disk.
    url = reverse("portal:dossier_document", args=[files["dossier"].pk, files["document"].pk])
    rows = AuditEvent.objects.filter(path=url).count()
    default_storage.delete(files["document"].file.name)
    client.force_login(citizen)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(path=url).count() == rows


def test_another_citizen_gets_no_file_from_the_bucket(s3, client, online, citizen):  # noqa: F811
    from tests.factories import CitizenFactory

    draft = filled_draft(online, citizen)
    item = draft.files.first()
    client.force_login(CitizenFactory().user)

    response = client.get(reverse("portal:draft_file", args=[draft.pk, item.pk]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_no_address_of_the_store_is_handed_out_for_a_stored_file(s3, settings):
    name = default_storage.save("dossiers/thu.pdf", mark_generated(ContentFile(tiny_pdf("thu"))))

    # What the disk storage answers (served by nothing): never a link to the store, signed or not.
    assert default_storage.url(name) == f"{settings.MEDIA_URL}{name}"
    acl = s3["client"].get_object_acl(Bucket=s3["bucket"], Key=name)
    assert not [grant for grant in acl["Grants"] if grant["Grantee"].get("URI", "").endswith("/AllUsers")]


# --- a store that refuses -------------------------------------------------------------------------


REFUSALS = ["missing-bucket", "server-down"]


def refusing_store(settings, s3_server: str, refusal: str) -> None:
    """A bucket that does not exist (the store refuses every write), or a port where nothing listens."""
    if refusal == "missing-bucket":
        use_s3(settings, endpoint=s3_server, bucket=f"khong-co-{uuid.uuid4().hex[:12]}")
    else:
        use_s3(settings, endpoint=f"http://127.0.0.1:{free_port()}", bucket="onestop-tayninh")


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_store_that_refuses_a_file_changes_nothing_and_asks_to_try_later(
    s3,
    client,
    online,  # noqa: F811
    citizen,  # noqa: F811
    settings,
    refusal,
):
    draft = filled_draft(online, citizen, files=False)
    typed = dict(draft.form_data)
    requirement = online["online"].documents.first()
    client.force_login(citizen)
    refusing_store(settings, s3["endpoint"], refusal)

    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {
            "action": "save",
            "f-ho_ten": "Tên mới chưa được lưu",
            f"file-{requirement.pk}": ContentFile(tiny_pdf("to-khai"), name="to-khai.pdf"),
        },
    )

    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert 'lang="vi"' in page and "thử lại sau" in page and "chưa có gì thay đổi" in page
    draft.refresh_from_db()
    assert draft.form_data == typed
    assert not DraftFile.objects.filter(draft=draft).exists()
    assert not local_files(settings)


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_store_that_cannot_be_read_is_a_503_not_a_500(s3, client, online, citizen, settings, refusal):  # noqa: F811
    draft = filled_draft(online, citizen)
    item = draft.files.first()
    client.force_login(citizen)
    refusing_store(settings, s3["endpoint"], refusal)

    response = client.get(reverse("portal:draft_file", args=[draft.pk, item.pk]))

    if refusal == "missing-bucket":
        assert response.status_code == 404  # S3 answers 404 for the key as for the bucket
    else:
        assert response.status_code == 503 and "thử lại sau" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


# --- files of a transaction that rolled back ----------------------------------------------------


def stamped(label: str) -> ContentFile:
    content = ContentFile(tiny_pdf(label), name=f"{label}.pdf")
    check_upload(content, accepted_types=["pdf"], max_bytes=1024 * 1024)
    return content


@pytest.mark.django_db(transaction=True)
def test_files_written_in_a_transaction_that_rolls_back_are_deleted_when_the_request_ends(s3):
    with files_follow_transactions():
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = default_storage.save("drafts/mat.pdf", stamped("mat"))
            raise RuntimeError("the service failed after storing the file")
        with transaction.atomic():
            kept = default_storage.save("drafts/giu.pdf", stamped("giu"))
            try:
                with transaction.atomic():  # a savepoint rolled back inside a transaction that commits
                    inner = default_storage.save("drafts/trong.pdf", stamped("trong"))
                    raise ValueError
            except ValueError:
                pass
        with pytest.raises(RuntimeError), transaction.atomic():
            with files_follow_transactions():  # a job run synchronously inside the request
                by_job = default_storage.save("drafts/viec.pdf", stamped("viec"))
            raise RuntimeError("the request failed after the job")
        outside = default_storage.save("drafts/ngoai.pdf", stamped("ngoai"))
        assert {lost, kept, inner, by_job, outside} <= keys(s3)  # decided when the request ends, not before

    assert keys(s3) == {kept, outside}


@pytest.mark.django_db(transaction=True)
def test_files_of_a_rolled_back_transaction_leave_the_local_disk_too(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "onestop_tayninh.security.storage.GatedFileSystemStorage"},
    }
    with files_follow_transactions():
        with pytest.raises(RuntimeError), transaction.atomic():
            default_storage.save("drafts/mat.pdf", stamped("mat"))
            raise RuntimeError
    assert not local_files(settings)


# --- settings and backups -------------------------------------------------------------------------


def test_the_environment_chooses_the_bucket_and_the_disk_stays_the_default():
    def default_storage_of(**env) -> str:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ONESTOP_S3_")}
        code = (
            "import django; django.setup(); from django.conf import settings; s = settings.STORAGES['default']; "
            "print(s['BACKEND'], sorted(s.get('OPTIONS', {}).items()))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**environment, "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.test", **env},
            cwd=REPO / "apps" / "onestop_tayninh",
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    assert default_storage_of().startswith("onestop_tayninh.security.storage.GatedFileSystemStorage")
    chosen = default_storage_of(
        ONESTOP_S3_BUCKET="hoso",
        ONESTOP_S3_ENDPOINT_URL="https://s3.dc.example.vn",
        ONESTOP_S3_ACCESS_KEY="khoa",
        ONESTOP_S3_SECRET_KEY="bi-mat",
    )
    assert chosen.startswith(BACKEND)
    for option in (
        "('bucket_name', 'hoso')",
        "('endpoint_url', 'https://s3.dc.example.vn')",
        "('addressing_style', 'path')",
    ):
        assert option in chosen


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_make_backup_says_the_files_are_on_object_storage(tmp_path, s3):
    from .test_backup import run

    result = run(
        "backup.sh", BACKUP_ROOT=str(tmp_path), FILES_DIR=str(tmp_path / "files"), ONESTOP_S3_BUCKET=s3["bucket"]
    )

    assert result.returncode == 0, result.stderr
    info = (Path(result.stdout.strip().splitlines()[-1]) / "info.txt").read_text()
    assert f"files_store=s3://{s3['bucket']}/" in info
    assert "kho S3" in result.stdout
