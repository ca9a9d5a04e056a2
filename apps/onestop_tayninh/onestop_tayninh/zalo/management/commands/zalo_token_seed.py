"""Store the OA's first token pair, from the administrator's authorisation (or the stand-in's seed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onestop_tayninh.zalo import client


class Command(BaseCommand):
    help = "Lưu cặp khóa truy cập Zalo OA đầu tiên (refresh token, và access token nếu có)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh-token", required=True)
        parser.add_argument("--access-token", default="", help="để trống: làm mới ở lần gửi đầu tiên")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if not settings.ONESTOP_ZALO_APP_ID:
            raise CommandError("Chưa đặt ONESTOP_ZALO_APP_ID.")
        client.token_store(
            access_token=options["access_token"],
            refresh_token=options["refresh_token"],
            access_expires_at=None,
            at=timezone.now(),
        )
        self.stdout.write("Đã lưu khóa truy cập Zalo OA.")
