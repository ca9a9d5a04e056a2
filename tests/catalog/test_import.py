"""Catalogue import: validated in full first; with one bad row nothing is imported."""

import io

import pytest
import tablib

from onestop_tayninh.catalog.models import Procedure, ProcedureVersion
from onestop_tayninh.catalog.resources import ProcedureVersionResource
from tests.factories import AgencyFactory, ProcedureVersionFactory, SectorFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "ma_thu_tuc",
    "ten_thu_tuc",
    "ma_linh_vuc",
    "muc_do",
    "ma_co_quan_giai_quyet",
    "thoi_han",
    "don_vi_thoi_han",
    "ket_qua",
    "cap_thuc_hien",
    "cach_thuc_nop",
    "cach_thuc_nhan",
]


@pytest.fixture
def references():
    return SectorFactory(code="HOTICH"), AgencyFactory(code="000.00.02.H53")


def _row(code, **overrides):
    values = {
        "ma_thu_tuc": code,
        "ten_thu_tuc": "Đăng ký khai tử",
        "ma_linh_vuc": "HOTICH",
        "muc_do": 2,
        "ma_co_quan_giai_quyet": "000.00.02.H53",
        "thoi_han": "3",
        "don_vi_thoi_han": "working_days",
        "ket_qua": "Trích lục khai tử",
        "cap_thuc_hien": "commune",
        "cach_thuc_nop": "desk,post",
        "cach_thuc_nhan": "desk,post",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def _import(rows, *, dry_run):
    dataset = tablib.Dataset(*rows, headers=HEADERS)
    return ProcedureVersionResource().import_data(dataset, dry_run=dry_run, raise_errors=False)


def test_valid_rows_import_as_drafts(references):
    result = _import([_row("1.000656"), _row("1.000419", ten_thu_tuc="Đăng ký kết hôn")], dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert set(ProcedureVersion.objects.values_list("procedure__code", "status")) == {
        ("1.000656", "draft"),
        ("1.000419", "draft"),
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ma_co_quan_giai_quyet": "000.00.99.H53"}, "Không tìm thấy cơ quan có mã “000.00.99.H53”."),
        ({"thoi_han": "0"}, "Thời hạn giải quyết phải lớn hơn 0"),
        ({"cach_thuc_nop": "fax"}, "Phương thức chỉ nhận các giá trị"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_the_row(references, bad, message):
    result = _import([_row("1.000656"), _row("1.000419", **bad)], dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    reported = [row for row in result.invalid_rows] + [row for row in result.rows if row.errors]
    assert reported, "the bad row must be reported"
    text = " ".join(
        [" ".join(str(e) for errs in r.error_dict.values() for e in errs) for r in result.invalid_rows]
        + [str(err.error) for r in result.rows for err in r.errors]
    )
    assert message in text
    assert not ProcedureVersion.objects.exists()
    assert not Procedure.objects.exists()


def test_import_of_a_published_procedure_creates_a_new_draft(references):
    from onestop_tayninh.catalog.services import procedure_version_publish
    from tests.factories import make_publishable

    published = procedure_version_publish(
        version=make_publishable(ProcedureVersionFactory(complete=True, level=2, competent_agency=references[1]))
    )
    _import([_row(published.procedure.code, ten_thu_tuc="Tên mới")], dry_run=False)
    published.refresh_from_db()
    assert published.name == "Đăng ký khai sinh" and published.status == "published"
    draft = published.procedure.versions.get(status="draft")
    assert draft.name == "Tên mới" and draft.number == published.number + 1


def test_export_writes_xlsx_with_vietnamese_columns(references):
    ProcedureVersionFactory(name="Đăng ký khai sinh")
    data = ProcedureVersionResource().export()
    xlsx = data.export("xlsx")
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in sheet[1]][:2] == ["ma_thu_tuc", "ten_thu_tuc"]
    assert sheet["B2"].value == "Đăng ký khai sinh"
