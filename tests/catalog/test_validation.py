"""Bad catalogue input is refused with a Vietnamese message and nothing is saved."""

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.catalog.eforms import build_eform
from onestop_tayninh.catalog.models import EFormField, Fee
from tests.factories import ProcedureVersionFactory

pytestmark = pytest.mark.django_db


def test_negative_fee_is_refused():
    fee = Fee(version=ProcedureVersionFactory(), name="Lệ phí", amount=-1000)
    with pytest.raises(ValidationError) as exc:
        fee.full_clean()
    assert exc.value.message_dict["amount"] == ["Mức phí không được âm."]


def test_zero_processing_time_without_same_day_cutoff_is_refused():
    version = ProcedureVersionFactory.build(processing_amount=0, sector=None)
    with pytest.raises(ValidationError) as exc:
        version.full_clean(exclude=["sector", "procedure", "competent_agency"])
    assert "Thời hạn giải quyết phải lớn hơn 0" in exc.value.message_dict["processing_amount"][0]


def test_same_day_procedure_with_cutoff_is_accepted():
    import datetime

    version = ProcedureVersionFactory(processing_amount=0, same_day_cutoff=datetime.time(15, 0))
    version.full_clean()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"key": "Họ tên"}, "key", "Khóa chỉ gồm chữ thường không dấu"),
        ({"field_type": "choice", "choices": "Nam"}, "choices", "ít nhất hai lựa chọn"),
        ({"rules": {"maxlen": 3}}, "rules", "Quy tắc kiểm tra không hợp lệ: maxlen"),
        ({"rules": {"pattern": "([a-z"}}, "rules", "Biểu thức pattern không hợp lệ"),
        ({"rules": {"min": 5}}, "rules", "chỉ dùng cho trường số"),
        ({"field_type": "number", "rules": {"min": 5, "max": 1}}, "rules", "min phải nhỏ hơn"),
    ],
)
def test_invalid_eform_definitions_are_refused(changes, field, message):
    values = {"key": "ho_ten", "label": "Họ tên", "field_type": "text", **changes}
    definition = EFormField(version=ProcedureVersionFactory(), **values)
    with pytest.raises(ValidationError) as exc:
        definition.full_clean()
    assert message in " ".join(exc.value.message_dict[field])
    assert not EFormField.objects.exists()


def test_generated_eform_validates_on_the_server():
    version = ProcedureVersionFactory()
    EFormField.objects.create(
        version=version, position=1, key="cccd", label="Số CCCD", field_type="cccd", required=True
    )
    EFormField.objects.create(
        version=version, position=2, key="so_ban", label="Số bản", field_type="number", rules={"min": 1, "max": 10}
    )
    EFormField.objects.create(
        version=version,
        position=3,
        key="gioi_tinh",
        label="Giới tính",
        field_type="choice",
        choices="Nam\nNữ",
        required=True,
    )
    form_class = build_eform(version.form_fields.all())
    bad = form_class({"cccd": "12345", "so_ban": "11", "gioi_tinh": "Khác"})
    assert not bad.is_valid()
    assert bad.errors["cccd"] == ["Số CCCD phải gồm đúng 12 chữ số."]
    assert "so_ban" in bad.errors and "gioi_tinh" in bad.errors
    good = form_class({"cccd": "072090001234", "so_ban": "2", "gioi_tinh": "Nữ"})
    assert good.is_valid(), good.errors
    # The browser validates too: the HTML carries the same constraints.
    html = str(form_class()["cccd"])
    assert 'pattern="\\d{12}"' in html and "required" in html
