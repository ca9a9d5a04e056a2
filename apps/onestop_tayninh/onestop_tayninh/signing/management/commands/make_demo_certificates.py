"""Make the demo certification authority and one certificate per agency that decides, when missing.

For `make run` only: the authority's key sits next to its certificate under var/, so anybody with
the machine can issue certificates. Production points ONESTOP_SIGNING_TRUST_ROOTS at the real
authorities and keeps the agencies' keys on a PKCS#11 token (README "Ký số kết quả").
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.signing.demo import ensure_demo_certificates


class Command(BaseCommand):
    help = "Tạo CA thử nghiệm và chứng thư số PKCS#12 cho từng cơ quan có lãnh đạo (khi còn thiếu)."

    def handle(self, *args, **options) -> None:
        agencies = Agency.objects.filter(officials__user__groups__role__code=RoleCode.AGENCY_HEAD, is_active=True)
        ca, made = ensure_demo_certificates(agencies.distinct(), now=timezone.now())
        self.stdout.write(f"CA thử nghiệm: {ca}; đã tạo {made} chứng thư số cơ quan.")
