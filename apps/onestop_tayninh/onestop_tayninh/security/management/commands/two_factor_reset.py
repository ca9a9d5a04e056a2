"""Reset an account's two-factor login from the server, when no administrator can reach the desk.

    manage.py two_factor_reset quantri --reason "mất điện thoại"

The person enrols a new authenticator at their next login. Audited like the desk's action.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from onestop_tayninh.security.services import two_factor_reset


class Command(BaseCommand):
    help = "Đặt lại xác thực hai lớp của một tài khoản (đăng ký lại ở lần đăng nhập sau)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="Tên đăng nhập của tài khoản.")
        parser.add_argument("--reason", default="", help="Lý do, ghi vào nhật ký kiểm tra.")

    def handle(self, *args, username: str, reason: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        had_devices = two_factor_reset(user=user, by=None, reason=reason or "manage.py two_factor_reset")
        if had_devices:
            self.stdout.write(f"Đã đặt lại xác thực hai lớp cho “{username}”: lần đăng nhập sau, quét mã QR mới.")
        else:
            self.stdout.write(f"Tài khoản “{username}” chưa đăng ký xác thực hai lớp; không có gì để đặt lại.")
