from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onestop_tayninh.core.site_config import SiteConfigError, load_site


class Command(BaseCommand):
    help = "Áp dụng cấu hình site trong sites/<tên>/ (chạy lại nhiều lần cho cùng kết quả)."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default=settings.ONESTOP_SITE, help="Tên site, ví dụ tayninh")
        parser.add_argument("--no-demo", action="store_true", help="Không tạo tài khoản và dữ liệu minh họa.")
        parser.add_argument("--reset-roles", action="store_true", help="Đặt lại quyền của các vai trò về mặc định.")

    def handle(self, *args, name, no_demo, reset_roles, **options):
        try:
            context = load_site(name, demo=not no_demo, reset_roles=reset_roles)
        except SiteConfigError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{file}: {count}" for file, count in context.counts.items())
        for note in context.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(f"Đã áp dụng site '{name}' ({summary})."))
