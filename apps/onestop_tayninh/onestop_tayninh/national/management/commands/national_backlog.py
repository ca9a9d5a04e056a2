from django.core.management.base import BaseCommand

from onestop_tayninh.national.selectors import never_synced, sync_share
from onestop_tayninh.national.services import backlog_record


class Command(BaseCommand):
    help = (
        "Gửi Cổng Dịch vụ công quốc gia trạng thái hiện tại của các hồ sơ đã tiếp nhận trước khi bật đồng bộ "
        "(chưa có tin nào). Mặc định chỉ đếm; thêm --apply để ghi tin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--apply", action="store_true", help="Ghi tin đồng bộ (mặc định chỉ đếm).")
        parser.add_argument("--batch", type=int, default=1000, help="Số hồ sơ mỗi lượt (mặc định 1000).")

    def handle(self, *args, apply: bool, batch: int, **options) -> None:
        waiting = never_synced().count()
        if not apply:
            self.stdout.write(f"{waiting} hồ sơ đã tiếp nhận chưa có tin đồng bộ nào. Chạy lại với --apply để ghi tin.")
            return
        total = 0
        while written := backlog_record(limit=batch):
            total += written
        share = sync_share()
        self.stdout.write(
            f"Đã ghi {total} tin; các tin sẽ được gửi theo lịch đồng bộ. "
            f"Cổng đã nhận trạng thái mới nhất của {share['synced']}/{share['received']} hồ sơ."
        )
