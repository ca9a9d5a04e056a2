"""Make the demo certification authority and one certificate per agency that decides, when missing.

For `make run` only: the authority's key sits next to its certificate under var/, so anybody with
the machine can issue certificates. Production points ONESTOP_SIGNING_TRUST_ROOTS at the real
authorities and keeps the agencies' keys on a PKCS#11 token (README).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.signing import demo
from onestop_tayninh.signing.contrib.pkcs12.plugin import pkcs12_path

CA_NAME = "CA thử nghiệm Một cửa điện tử Tây Ninh (không dùng thật)"


class Command(BaseCommand):
    help = "Tạo CA thử nghiệm và chứng thư số PKCS#12 cho từng cơ quan có lãnh đạo (khi còn thiếu)."

    def handle(self, *args, **options) -> None:
        roots = [Path(p) for p in settings.ONESTOP_SIGNING_TRUST_ROOTS]
        if not roots:
            self.stderr.write("ONESTOP_SIGNING_TRUST_ROOTS trống: không biết đặt CA ở đâu.")
            return
        ca_pem = roots[0]
        ca_key = ca_pem.with_suffix(".key")
        now = timezone.now()
        ca_pem.parent.mkdir(parents=True, exist_ok=True)
        if ca_pem.is_file() and ca_key.is_file():
            ca = demo.load(ca_pem.read_bytes(), ca_key.read_bytes())
        else:
            ca = demo.make_ca(CA_NAME, valid_from=now - dt.timedelta(days=1), valid_to=now + dt.timedelta(days=3650))
            ca_key.write_bytes(ca.key_pem())
            ca_key.chmod(0o600)
            ca_pem.write_bytes(ca.pem())
            self.stdout.write(f"CA thử nghiệm: {ca_pem}")
        made = 0
        agencies = Agency.objects.filter(
            officials__user__groups__role__code=RoleCode.AGENCY_HEAD, is_active=True
        ).distinct()
        for agency in agencies:
            path = pkcs12_path(agency)
            if path.is_file():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            pair = demo.make_signing_certificate(
                ca, holder=agency.name, valid_from=now - dt.timedelta(days=1), valid_to=now + dt.timedelta(days=1095)
            )
            path.write_bytes(pair.pkcs12(chain=[ca.certificate], passphrase=settings.ONESTOP_SIGNING_PKCS12_PASSPHRASE))
            path.chmod(0o600)
            made += 1
        self.stdout.write(f"Đã tạo {made} chứng thư số cơ quan (thư mục {pkcs12_path(Agency(code='x')).parent}).")
