"""The seed's publishing rules: a published procedure is at least level 2, and claims only the level it meets."""

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.catalog.services import procedure_version_new_draft, procedure_version_publish
from tests.factories import ProcedureVersionFactory, make_publishable

pytestmark = pytest.mark.django_db


def _publish_problems(version) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        procedure_version_publish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    return exc.value.messages


@pytest.mark.parametrize("level", [2, 3, 4])
def test_complete_procedure_is_published_at_its_level(level):
    version = make_publishable(ProcedureVersionFactory(complete=True, level=level))
    procedure_version_publish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None


def test_level_one_is_never_published():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=1))
    assert "Thủ tục công bố trên Cổng phải đạt tối thiểu mức độ 2." in _publish_problems(version)


def test_level_two_needs_a_template_for_every_form():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2))
    form = version.documents.get(is_form=True)
    form.template = ""
    form.save()
    assert _publish_problems(version) == ["Mẫu đơn, tờ khai “Tờ khai” chưa có tệp mẫu để tải về."]


def test_level_three_needs_an_eform_and_online_submission():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=3))
    version.form_fields.all().delete()
    version.submission_methods = ["desk"]
    version.save()
    assert _publish_problems(version) == [
        "Mức độ 3 trở lên cần biểu mẫu điện tử tương tác.",
        "Mức độ 3 trở lên phải cho phép nộp hồ sơ trực tuyến.",
    ]


def test_level_four_needs_online_payment_when_fees_are_due_and_online_results():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=4), fee=50000)
    version.online_payment = False
    version.return_methods = ["desk"]
    version.electronic_result_allowed = False
    version.save()
    assert _publish_problems(version) == [
        "Mức độ 4 có thu phí, lệ phí phải bật thanh toán trực tuyến.",
        "Mức độ 4 phải cho phép nhận kết quả trực tuyến.",
        "Mức độ 4 phải cho phép kết quả điện tử.",
    ]


def test_level_four_without_fees_needs_no_online_payment():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=4), fee=0)
    version.online_payment = False
    version.save()
    procedure_version_publish(version=version)
    assert ProcedureVersion.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED


def test_every_missing_item_is_listed_at_once():
    version = ProcedureVersionFactory(level=3)
    problems = _publish_problems(version)
    assert "Chưa khai báo thành phần hồ sơ." in problems
    assert "Mức độ 3 trở lên cần biểu mẫu điện tử tương tác." in problems
    assert any("nơi tiếp nhận" in p for p in problems)


def test_new_version_leaves_the_published_one_intact_until_it_replaces_it():
    first = make_publishable(ProcedureVersionFactory(complete=True, level=3, processing_amount=5))
    procedure_version_publish(version=first)

    draft = procedure_version_new_draft(procedure=first.procedure)
    assert draft.pk != first.pk and draft.number == 2
    assert draft.documents.count() == first.documents.count() == 2
    draft.processing_amount = 3
    draft.save()
    draft.documents.first().delete()
    procedure_version_publish(version=draft)

    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert first.processing_amount == 5
    assert first.documents.count() == 2
    assert first.procedure.versions.filter(status=VersionStatus.PUBLISHED).get() == draft


def test_asking_twice_for_a_draft_gives_the_same_draft():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2))
    procedure_version_publish(version=version)
    assert procedure_version_new_draft(procedure=version.procedure) == procedure_version_new_draft(
        procedure=version.procedure
    )


def test_published_version_cannot_be_published_again():
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2))
    procedure_version_publish(version=version)
    with pytest.raises(ValidationError) as exc:
        procedure_version_publish(version=version)
    assert "Chỉ công bố được bản nháp" in exc.value.messages[0]
