"""The data patch runner, `manage.py apply_patches` (core/patches.py), with patches written to a temporary
directory (settings.PATCHES_DIR): the dry run, applying and recording, failures, file names, the lock."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import MySQLdb
import pytest

from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection

from onestop_tayninh.core import patches
from onestop_tayninh.core.models import AppliedPatch
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.roles import DEFAULT_ROLES
from tests.factories import UserFactory
from tests.support import MANAGE

pytestmark = pytest.mark.django_db

HEADER = '''"""{doc}"""

from django.contrib.auth.models import Group

'''

# Deliberately not re-runnable: every run adds a group, so a second run of the patch would show.
COUNTING = """
def run(*, apply: bool = False) -> str:
    runs = Group.objects.filter(name__startswith="{prefix} ").count()
    Group.objects.create(name=f"{prefix} {{runs + 1}}")
    return f"Đã tạo nhóm {prefix} {{runs + 1}}."
"""


@pytest.fixture
def patch_dir(tmp_path, settings) -> Path:
    directory = tmp_path / "patches"
    directory.mkdir()
    (directory / "__init__.py").write_text("")
    (directory / "README.md").write_text("# not a patch\n")
    settings.PATCHES_DIR = directory
    return directory


def write(directory: Path, file_name: str, body: str, doc: str = "Vì sao: một bản vá thử.") -> Path:
    path = directory / file_name
    path.write_text(HEADER.format(doc=doc) + textwrap.dedent(body))
    return path


def counting(directory: Path, file_name: str, prefix: str) -> Path:
    return write(directory, file_name, COUNTING.format(prefix=prefix))


def failing(directory: Path, file_name: str, prefix: str) -> Path:
    """A patch that writes, then raises: its write must not survive."""
    return write(
        directory,
        file_name,
        f'''
        def run(*, apply: bool = False) -> str:
            Group.objects.create(name="{prefix} 1")
            raise ValueError("mã thủ tục 1.00x không có trong danh mục")
        ''',
    )


def groups(prefix: str) -> list[str]:
    return sorted(Group.objects.filter(name__startswith=f"{prefix} ").values_list("name", flat=True))


def command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("apply_patches", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- dry run -------------------------------------------------------------------------------------------


def test_dry_run_runs_every_pending_patch_in_order_and_changes_nothing(patch_dir):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    # The second patch reads what the first one would have written: in a dry run it sees it too.
    write(
        patch_dir,
        "0007_doi_ten_nhom.py",
        """
        def run(*, apply: bool = False) -> str:
            changed = Group.objects.filter(name="nhóm 1").update(name="nhóm 1 (đã đổi)")
            return f"Đổi tên {changed} nhóm.\\n{'Áp dụng' if apply else 'Chạy thử'}."
        """,
    )
    out, _ = command()
    assert "Chạy thử 2 bản vá chờ áp dụng" in out
    assert out.index("[0001_tao_nhom] chạy thử") < out.index("[0007_doi_ten_nhom] chạy thử")
    assert "    Đã tạo nhóm nhóm 1." in out
    assert "    Đổi tên 1 nhóm.\n    Chạy thử." in out  # each summary line indented under its patch
    assert "cơ sở dữ liệu không thay đổi" in out
    assert groups("nhóm") == []
    assert not AppliedPatch.objects.exists()


def test_dry_run_failure_names_the_patch_and_changes_nothing(patch_dir):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    failing(patch_dir, "0002_hong.py", "hỏng")
    counting(patch_dir, "0003_sau_do.py", "sau")
    with pytest.raises(CommandError) as raised:
        command()
    message = str(raised.value)
    assert "Chạy thử bản vá 0002_hong bị lỗi" in message
    assert "mã thủ tục 1.00x không có trong danh mục" in message
    assert "chưa chạy thử: 0003_sau_do" in message
    assert groups("nhóm") == groups("hỏng") == groups("sau") == []
    assert not AppliedPatch.objects.exists()


# --- apply ---------------------------------------------------------------------------------------------


def test_apply_applies_in_order_and_records_each_patch(patch_dir):
    second = counting(patch_dir, "0010_nhom_hai.py", "hai")
    first = counting(patch_dir, "0002_nhom_mot.py", "một")
    out, _ = command("--apply")
    assert out.index("[0002_nhom_mot] đã áp dụng") < out.index("[0010_nhom_hai] đã áp dụng")
    assert "Đã áp dụng 2 bản vá." in out
    assert groups("một") == ["một 1"] and groups("hai") == ["hai 1"]
    records = list(AppliedPatch.objects.order_by("number"))
    assert [(r.number, r.name, r.summary) for r in records] == [
        (2, "0002_nhom_mot", "Đã tạo nhóm một 1."),
        (10, "0010_nhom_hai", "Đã tạo nhóm hai 1."),
    ]
    assert records[0].checksum == hashlib.sha256(first.read_bytes()).hexdigest()
    assert records[1].checksum == hashlib.sha256(second.read_bytes()).hexdigest()
    assert all(r.host == socket.gethostname() and r.applied_by and r.applied_at for r in records)
    assert records[0].applied_at <= records[1].applied_at


def test_second_apply_applies_nothing_recorded(patch_dir):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    command("--apply")
    recorded = AppliedPatch.objects.get()
    out, _ = command("--apply")
    assert out.strip() == "Không có bản vá nào chờ áp dụng."
    assert groups("nhóm") == ["nhóm 1"]  # the patch would have made "nhóm 2"
    assert AppliedPatch.objects.get().applied_at == recorded.applied_at
    out, _ = command()
    assert out.strip() == "Không có bản vá nào chờ áp dụng (đã áp dụng 1)."
    # `make migrate` runs it with -v 0: silent when there is nothing to do.
    out, _ = command("--apply", "-v", "0")
    assert out == ""


def test_only_new_patches_run_after_earlier_ones_were_applied(patch_dir):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    command("--apply")
    counting(patch_dir, "0002_them_nhom.py", "thêm")
    out, _ = command("--apply")
    assert "[0002_them_nhom]" in out and "0001_tao_nhom" not in out
    assert groups("nhóm") == ["nhóm 1"] and groups("thêm") == ["thêm 1"]


def test_failing_patch_is_rolled_back_unrecorded_and_stops_later_ones(patch_dir):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    failing(patch_dir, "0002_hong.py", "hỏng")
    counting(patch_dir, "0003_sau_do.py", "sau")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("apply_patches", "--apply", stdout=StringIO(), stderr=err)
    message = str(raised.value)
    assert "Bản vá 0002_hong bị lỗi" in message
    assert "mã thủ tục 1.00x không có trong danh mục" in message
    assert "hoàn tác toàn bộ và không được ghi nhận" in message
    assert "chưa chạy: 0003_sau_do" in message
    assert "1 bản vá trước nó đã áp dụng" in message
    assert "Traceback" in err.getvalue()  # the operator gets the traceback, on stderr
    assert groups("nhóm") == ["nhóm 1"]
    assert groups("hỏng") == []  # written by the failing patch, rolled back with it
    assert groups("sau") == []
    assert list(AppliedPatch.objects.values_list("name", flat=True)) == ["0001_tao_nhom"]

    # Fixed, the run goes on from the failed patch; the applied one does not run again.
    counting(patch_dir, "0002_hong.py", "hỏng")
    out, _ = command("--apply")
    assert "0001_tao_nhom" not in out
    assert groups("nhóm") == ["nhóm 1"] and groups("hỏng") == ["hỏng 1"] and groups("sau") == ["sau 1"]
    assert AppliedPatch.objects.count() == 3


def test_a_summary_that_is_not_text_fails_the_patch(patch_dir):
    write(
        patch_dir,
        "0001_tra_ve_so.py",
        """
        def run(*, apply: bool = False) -> str:
            Group.objects.create(name="số 1")
            return 3
        """,
    )
    with pytest.raises(CommandError, match=re.escape("run() phải trả về một chuỗi tóm tắt")):
        command("--apply")
    assert groups("số") == [] and not AppliedPatch.objects.exists()


# --- what is refused before anything runs ------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "1_thieu_chu_so.py",
        "00001_nam_chu_so.py",
        "0001-gach-ngang.py",
        "0001_Chu_Hoa.py",
        "0001_sửa_mã.py",
        "0001_.py",
        "0001.py",
        "sua_ma.py",
    ],
)
@pytest.mark.parametrize("mode", [(), ("--apply",), ("--list",)])
def test_badly_named_file_is_refused_and_nothing_runs(patch_dir, bad, mode):
    counting(patch_dir, "0002_tot.py", "tốt")
    counting(patch_dir, bad, "xấu")
    with pytest.raises(CommandError) as raised:
        command(*mode)
    message = str(raised.value)
    assert f"“{bad}”: tên tệp bản vá phải có dạng NNNN_ten_ngan.py" in message
    assert "chưa chạy bản vá nào" in message
    assert groups("tốt") == [] and not AppliedPatch.objects.exists()


def test_two_files_with_one_number_are_refused(patch_dir):
    counting(patch_dir, "0003_mot.py", "một")
    counting(patch_dir, "0003_hai.py", "hai")
    with pytest.raises(CommandError, match=re.escape("Số 0003 được dùng cho nhiều tệp: 0003_hai.py, 0003_mot.py")):
        command("--apply")
    assert groups("một") == groups("hai") == [] and not AppliedPatch.objects.exists()


@pytest.mark.parametrize(
    ("body", "doc", "expected"),
    [
        ("X = 1\n", "Vì sao.", "phải có hàm run(*, apply: bool = False) -> str"),
        ("def run(apply=False):\n    return ''\n", "Vì sao.", "phải có hàm run(*, apply: bool = False) -> str"),
        ("def run(*, apply=False):\n    return ''\n", " ", "thiếu docstring nói lý do"),
        ("def run(*, apply=False):\n    return ''\nimport khong_co_mo_dun\n", "Vì sao.", "Không nạp được bản vá"),
    ],
)
def test_patch_breaking_the_convention_is_refused_before_any_runs(patch_dir, body, doc, expected):
    counting(patch_dir, "0001_tot.py", "tốt")
    write(patch_dir, "0002_sai_quy_uoc.py", body, doc=doc)
    for mode in [(), ("--apply",)]:
        with pytest.raises(CommandError) as raised:
            command(*mode)
        assert "0002_sai_quy_uoc" in str(raised.value) and expected in str(raised.value)
    assert groups("tốt") == [] and not AppliedPatch.objects.exists()


def test_renaming_an_applied_patch_is_refused(patch_dir):
    path = counting(patch_dir, "0001_ten_cu.py", "nhóm")
    command("--apply")
    path.rename(patch_dir / "0001_ten_moi.py")
    with pytest.raises(CommandError, match="Bản vá số 0001 đã áp dụng với tên “0001_ten_cu”"):
        command("--apply")
    assert groups("nhóm") == ["nhóm 1"]


def test_missing_directory_is_refused(settings, tmp_path):
    settings.PATCHES_DIR = tmp_path / "khong-co"
    with pytest.raises(CommandError, match="Không tìm thấy thư mục bản vá"):
        command()


# --- list ----------------------------------------------------------------------------------------------


def test_list_shows_applied_and_pending_and_warns_of_edited_files(patch_dir):
    applied = counting(patch_dir, "0005_da_ap_dung.py", "nhóm")
    command("--apply")
    counting(patch_dir, "0002_den_sau.py", "muộn")  # merged after 0005 was applied elsewhere
    counting(patch_dir, "0009_cho.py", "chờ")
    applied.write_text(applied.read_text() + "\n# edited after it was applied\n")
    out, err = command("--list")
    assert out.splitlines()[0] == "Đã áp dụng (1):"
    assert out.splitlines()[1].startswith("  0005_da_ap_dung  ")
    assert out.splitlines()[2:] == ["Chờ áp dụng (2):", "  0002_den_sau", "  0009_cho"]
    assert "Tệp 0005_da_ap_dung.py đã bị sửa sau khi áp dụng" in err
    assert "Bản vá 0002_den_sau có số nhỏ hơn bản vá đã áp dụng 0005_da_ap_dung" in err
    assert groups("muộn") == groups("chờ") == []


# --- two nodes at once --------------------------------------------------------------------------------


def test_apply_waits_for_the_lock_and_gives_up_with_a_clear_message(patch_dir):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    other = MySQLdb.connect(**connection.get_connection_params())  # another node's session
    try:
        cursor = other.cursor()
        cursor.execute("SELECT GET_LOCK(%s, 0)", [patches._lock_name()])
        assert cursor.fetchone()[0] == 1
        out = StringIO()
        with pytest.raises(CommandError, match="Một máy khác đang áp dụng bản vá cho cơ sở dữ liệu này"):
            call_command("apply_patches", "--apply", "--lock-timeout", "1", stdout=out, stderr=StringIO())
        assert "Một máy khác đang áp dụng bản vá; chờ tối đa 1 giây" in out.getvalue()
    finally:
        other.close()
    assert groups("nhóm") == [] and not AppliedPatch.objects.exists()


# The patch holds the lock until it sees the other process blocked in GET_LOCK on this database, so the
# two runs overlap for certain; then it counts its runs (deliberately not re-runnable).
RACING = """
import time

from django.db import connection


def _other_session_waits_for_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
            " WHERE ID <> CONNECTION_ID() AND DB = DATABASE() AND INFO LIKE %s",
            ["%GET_LOCK(%onestop_patches%"],
        )
        return cursor.fetchone()[0] > 0


def run(*, apply: bool = False) -> str:
    deadline = time.monotonic() + 20
    while not _other_session_waits_for_the_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    runs = Group.objects.filter(name__startswith="lần chạy ").count()
    Group.objects.create(name=f"lần chạy {runs + 1}")
    return f"Lần chạy thứ {runs + 1}."
"""


def node(env: dict[str, str]) -> subprocess.Popen:
    """`manage.py apply_patches --apply` as a deployment runs it, in a process of its own."""
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "apply_patches", "--apply"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def node_env(patch_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.test",
        "DB_NAME": connection.settings_dict["NAME"],  # the database this test committed to
        "ONESTOP_PATCHES_DIR": str(patch_dir),
    }


@pytest.mark.django_db(transaction=True)
def test_a_failing_patch_makes_the_deployment_step_exit_non_zero(patch_dir):
    """The exit status a deployment script stops on before restarting the services."""
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    failing(patch_dir, "0002_hong.py", "hỏng")
    process = node(node_env(patch_dir))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "[0001_tao_nhom] đã áp dụng" in out
    assert "Bản vá 0002_hong bị lỗi" in err and "ValueError" in err
    assert groups("nhóm") == ["nhóm 1"] and groups("hỏng") == []
    assert list(AppliedPatch.objects.values_list("name", flat=True)) == ["0001_tao_nhom"]


@pytest.mark.django_db(transaction=True)
def test_two_nodes_applying_at_once_apply_each_patch_once(patch_dir):
    """Two deployments run `apply_patches --apply` against one database at the same moment (two real
    processes): one applies, the other waits for it, then finds nothing pending."""
    write(patch_dir, "0001_dua_nhau.py", RACING)
    env = node_env(patch_dir)
    nodes = [node(env) for _ in range(2)]
    results = [(process.communicate(timeout=120), process.returncode) for process in nodes]
    outputs = [out for (out, _), _ in results]
    assert [code for _, code in results] == [0, 0], [err for (_, err), _ in results]
    assert sorted("Đã áp dụng 1 bản vá." in out for out in outputs) == [False, True]
    waited = next(out for out in outputs if "Đã áp dụng 1 bản vá." not in out)
    assert "Một máy khác đang áp dụng bản vá; chờ" in waited
    assert "Không có bản vá nào chờ áp dụng." in waited
    assert groups("lần chạy") == ["lần chạy 1"]
    assert list(AppliedPatch.objects.values_list("name", "summary")) == [("0001_dua_nhau", "Lần chạy thứ 1.")]


# --- the desk ------------------------------------------------------------------------------------------


def test_desk_shows_applied_patches_read_only(patch_dir, client):
    counting(patch_dir, "0001_tao_nhom.py", "nhóm")
    command("--apply")
    record = AppliedPatch.objects.get()
    official = UserFactory()
    client.force_login(official)
    assert client.get("/desk/core/appliedpatch/").status_code == 403

    official.user_permissions.add(Permission.objects.get(codename="view_appliedpatch"))
    page = client.get("/desk/core/appliedpatch/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "0001_tao_nhom" in html and "Bản vá dữ liệu" in html and "Thời gian chạy" in html
    detail = client.get(f"/desk/core/appliedpatch/{record.pk}/change/").content.decode()
    assert "Đã tạo nhóm nhóm 1." in detail and record.checksum in detail
    assert 'name="_save"' not in detail  # nothing to save
    assert client.get("/desk/core/appliedpatch/add/").status_code == 403
    assert client.post(f"/desk/core/appliedpatch/{record.pk}/delete/").status_code == 403
    assert client.post(f"/desk/core/appliedpatch/{record.pk}/change/", {"summary": "sửa"}).status_code == 403
    assert AppliedPatch.objects.get().summary == "Đã tạo nhóm nhóm 1."


def test_system_administrator_role_reads_the_applied_patches():
    assert "core.view_appliedpatch" in DEFAULT_ROLES[RoleCode.SYSTEM_ADMIN]["permissions"]
