from django.core.management.base import BaseCommand

from onestop_tayninh.directory.models import Official


class Command(BaseCommand):
    help = "In danh sách tài khoản cán bộ minh họa: tên đăng nhập, vai trò, cơ quan."

    def handle(self, *args, **options):
        officials = Official.objects.select_related("user", "agency").prefetch_related("user__groups")
        for official in officials.order_by("agency__code", "user__username"):
            roles = ", ".join(group.name for group in official.user.groups.all())
            self.stdout.write(f"    {official.user.username:<22} {roles:<30} {official.agency}")
