"""Files on S3-compatible object storage (the data centre's MinIO or Ceph), through django-storages.

Chosen by ONESTOP_S3_BUCKET (conf/base.py, config/README.md "Lưu trữ tệp trên S3"); the local
disk stays the default. The same gate as on disk (security.storage.GatedStorageMixin), and:

- private: no address of the store is ever handed out. Files are streamed through Django's views
  after their permission checks, exactly as from the disk; `url()` answers what the disk storage
  answers (MEDIA_URL + name, served by nothing), never a presigned link that would skip the
  permission check and the audit row (the desk's file widgets show `url()`).
- an upload carries the SHA-256 the gate computed (x-amz-checksum-sha256): the store refuses
  bytes that differ from what was scanned and keeps that checksum with the object
  (ONESTOP_S3_SEND_CHECKSUMS=false for a store too old to know the header).
- a store that is down or refuses (quota, missing bucket, denied) is StorageUnavailable after two
  tries: at most 2 × (connect 5 s + read 20 s) by default, inside gunicorn's 60 s, so the person
  gets the 503 page rather than a worker killed mid-request.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urljoin

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from django.conf import settings as django_settings
from django.utils.encoding import filepath_to_uri

from .storage import GatedStorageMixin
from .uploads import stamp_of

# Every upload is far below this (ONESTOP_MAX_UPLOAD_MB): one PUT, whose checksum covers the whole file.
SINGLE_PUT_LIMIT = 256 * 1024 * 1024
# A download larger than this is spooled to a temporary file rather than held in memory.
MEMORY_SPOOL_BYTES = 5 * 1024 * 1024


class GatedS3Storage(GatedStorageMixin, S3Storage):
    _store_errors = (BotoCoreError, ClientError, Boto3Error)

    def __init__(
        self,
        *,
        connect_timeout: float = 5,
        read_timeout: float = 20,
        max_attempts: int = 2,
        send_checksums: bool = True,
        **settings: Any,
    ):
        self.send_checksums = send_checksums
        settings.setdefault("file_overwrite", False)  # as on disk: a name taken gets another
        settings.setdefault("querystring_auth", True)
        settings.setdefault("max_memory_size", MEMORY_SPOOL_BYTES)
        settings.setdefault("transfer_config", TransferConfig(multipart_threshold=SINGLE_PUT_LIMIT, use_threads=False))
        settings.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": settings.get("addressing_style") or "path"},
                signature_version="s3v4",
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": max_attempts, "mode": "standard"},
                # Only the checksums we send ourselves: botocore's default CRC32 on every request is
                # refused by MinIO and Ceph releases older than early 2025.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        super().__init__(**settings)

    def _get_write_parameters(self, name: str, content: Any = None) -> dict[str, Any]:
        params = super()._get_write_parameters(name, content)
        stamp = stamp_of(content)
        if self.send_checksums and stamp is not None and stamp.sha256:
            params["ChecksumAlgorithm"] = "SHA256"
            params["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(stamp.sha256)).decode()
        return params

    def url(self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        return urljoin(django_settings.MEDIA_URL, filepath_to_uri(name or "").lstrip("/"))
