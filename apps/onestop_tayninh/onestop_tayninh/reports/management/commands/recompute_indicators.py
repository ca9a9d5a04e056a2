from django.core.management.base import BaseCommand

from onestop_tayninh.reports.services import indicators_recompute


class Command(BaseCommand):
    help = "Tính lại từ đầu dữ liệu đánh giá của từng hồ sơ và số liệu tổng hợp theo ngày, tháng."

    def handle(self, *args, **options) -> None:
        result = indicators_recompute()
        self.stdout.write(
            f"Đã tính lại {result['facts']} hồ sơ: {result['daily_rows']} dòng theo ngày, "
            f"{result['monthly_rows']} dòng theo tháng, trong {result['seconds']} giây."
        )
