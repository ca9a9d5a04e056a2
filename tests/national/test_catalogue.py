"""The catalogue kept in step with the National Database on Administrative Procedures: the stand-in
publishes changes by national code, the periodic pull flags what differs from our published version,
an administrator publishes it as a new version (or dismisses it), and indicator 1.1 counts a procedure
left out of date past the allowed time as not publicised in full."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.national.constants import ChangeStatus
from onestop_tayninh.national.models import ProcedureChange
from onestop_tayninh.national.services import catalogue_pull
from onestop_tayninh.reports.selectors import published_catalogue
from tests.factories import receiving_world

pytestmark = pytest.mark.django_db


def test_a_national_change_is_flagged_reviewed_and_published_as_a_new_version(portal, admin_client):
    world = receiving_world()
    version = world["version"]
    ProcedureVersion.objects.filter(pk=version.pk).update(
        steps="Nộp hồ sơ tại Bộ phận Một cửa.", legal_basis="Luật Hộ tịch"
    )
    code = version.procedure.code
    unchanged = receiving_world()["version"]
    portal.control(
        "catalogue",
        {
            "MaTTHC": code,
            "TenTTHC": "Đăng ký khai sinh (sửa đổi)",
            "ThoiHanGiaiQuyet": "2",
            "NgayQuyetDinh": "2027-03-01",
        },
    )
    portal.control(
        "catalogue", {"MaTTHC": unchanged.procedure.code, "TenTTHC": unchanged.name, "ThoiHanGiaiQuyet": "3"}
    )
    portal.control("catalogue", {"MaTTHC": "2.002222", "TenTTHC": "Thủ tục mới của Bộ"})
    now = timezone.now()

    assert catalogue_pull(at=now) == 2
    assert catalogue_pull(at=now) == 0, "read again from the cursor: nothing new"

    change = ProcedureChange.objects.get(national_code=code)
    assert change.status == ChangeStatus.FLAGGED and change.decided_on == dt.date(2027, 3, 1)
    assert change.differences == [
        {"field": "name", "label": "Tên thủ tục", "ours": "Đăng ký khai sinh", "theirs": "Đăng ký khai sinh (sửa đổi)"},
        {"field": "processing_amount", "label": "Thời hạn giải quyết", "ours": "3", "theirs": "2"},
    ]
    page = admin_client.get(reverse("admin:national_procedurechange_change", args=[change.pk])).content.decode()
    assert "Đăng ký khai sinh (sửa đổi)" in page and "Công bố phiên bản mới" in page

    response = admin_client.post(reverse("admin:national_procedurechange_publish", args=[change.pk]), follow=True)

    assert "Đã công bố phiên bản 2 của thủ tục" in response.content.decode()
    new = ProcedureVersion.objects.get(procedure=version.procedure, status=VersionStatus.PUBLISHED)
    assert (new.number, new.name, new.processing_amount) == (2, "Đăng ký khai sinh (sửa đổi)", Decimal("2"))
    assert new.legal_basis == "Luật Hộ tịch", "the parts the change does not touch are copied"
    version.refresh_from_db()
    assert version.status == VersionStatus.RETIRED
    change.refresh_from_db()
    assert change.status == ChangeStatus.PUBLISHED and change.draft == new and change.reviewed_at is not None


def test_an_unknown_procedure_cannot_be_published_and_is_dismissed_with_a_reason(portal, admin_client):
    portal.control("catalogue", {"MaTTHC": "2.002222", "TenTTHC": "Thủ tục mới của Bộ"})
    catalogue_pull(at=timezone.now())
    change = ProcedureChange.objects.get()

    publish = admin_client.post(reverse("admin:national_procedurechange_publish", args=[change.pk]), follow=True)
    assert "Danh mục chưa có thủ tục mã 2.002222" in publish.content.decode()
    empty = admin_client.post(
        reverse("admin:national_procedurechange_dismiss", args=[change.pk]), {"note": " "}, follow=True
    )
    assert "Hãy ghi lý do không áp dụng thay đổi." in empty.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.FLAGGED

    admin_client.post(
        reverse("admin:national_procedurechange_dismiss", args=[change.pk]), {"note": "Không thực hiện ở cấp tỉnh."}
    )
    change.refresh_from_db()
    assert (change.status, change.note) == (ChangeStatus.DISMISSED, "Không thực hiện ở cấp tỉnh.")


def test_a_change_left_unpublished_past_seven_days_makes_the_procedure_not_publicised_in_full(portal, admin_client):
    """1.1 counts a published procedure "in full" when it has every part and no national change has waited
    more than 7 days to be published (constants.UPDATE_WITHIN [check])."""
    world = receiving_world()
    version = world["version"]
    ProcedureVersion.objects.filter(pk=version.pk).update(steps="Nộp hồ sơ.", legal_basis="Luật Hộ tịch")
    portal.control("catalogue", {"MaTTHC": version.procedure.code, "ThoiHanGiaiQuyet": "2"})
    catalogue_pull(at=timezone.now() - dt.timedelta(days=6))
    pid = version.procedure_id
    assert published_catalogue([pid])[pid]["complete"] is True, "six days: still within the time allowed"

    ProcedureChange.objects.update(flagged_at=timezone.now() - dt.timedelta(days=8))
    assert published_catalogue([pid])[pid]["complete"] is False

    admin_client.post(reverse("admin:national_procedurechange_publish", args=[ProcedureChange.objects.get().pk]))
    assert published_catalogue([pid])[pid]["complete"] is True
