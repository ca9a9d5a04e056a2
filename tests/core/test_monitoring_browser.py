"""An administrator opens "Giám sát tác vụ nền" from the desk header and runs a job now, in a real browser."""

import pytest
from django_rq.cron import DjangoCronScheduler
from rq import Queue

from onestop_tayninh.core.cron import PERIODIC_JOBS
from onestop_tayninh.core.monitoring.records import record_run
from tests.factories import PASSWORD, UserFactory
from tests.support import SimpleBurstWorker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_sees_cron_jobs_and_runs_one_now(live_server, page, screenshot, private_redis):
    admin = UserFactory(is_superuser=True, username="quantri.cao", full_name="Tạ Quang Minh")
    # A live scheduler, a successful heartbeat, a failed deadline scan: what a working desk shows.
    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("onestop_tayninh.core.cron")
    scheduler.register_birth()
    Queue("default", connection=private_redis).enqueue("onestop_tayninh.core.jobs.run_periodic", "heartbeat")
    SimpleBurstWorker([Queue("default", connection=private_redis)], connection=private_redis).work(burst=True)
    with pytest.raises(ConnectionError), record_run("deadline-scan"):
        raise ConnectionError("Không kết nối được máy chủ thư điện tử 127.0.0.1:1025")

    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("Tên đăng nhập").fill(admin.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Giám sát tác vụ nền").click()

    page.wait_for_selector("#cron-jobs")
    assert page.locator("#cron-jobs tbody.cron-job").count() == len(PERIODIC_JOBS)
    assert "Thành công" in page.inner_text("#cron-heartbeat")
    assert "Không kết nối được máy chủ thư điện tử" in page.inner_text("#cron-deadline-scan-error")
    assert scheduler.name in page.inner_text("#schedulers")
    screenshot(page, "desk-monitoring")

    page.get_by_role("button", name="Chạy ngay: Gửi các thông báo đang chờ").click()
    page.wait_for_selector(".messagelist")
    assert "Đã đưa tác vụ “Gửi các thông báo đang chờ” vào hàng đợi “notifications”" in page.inner_text(".messagelist")
    assert Queue("notifications", connection=private_redis).count == 1
    screenshot(page, "desk-monitoring-run-now")
