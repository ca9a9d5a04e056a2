"""E-forms that catch mistakes: dates, whole numbers, closed lists, clean names, the official declaration."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from django.core.exceptions import ValidationError
from django.utils import timezone

from onestop_tayninh.catalog.closed_lists import ETHNIC_GROUPS, NATIONALITIES
from onestop_tayninh.catalog.eforms import build_eform, strip_invisible
from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.directory.models import AdministrativeUnit
from onestop_tayninh.directory.selectors import residence_units
from tests.workflows import conftest as workflows

world = workflows.world  # the demo province fixture, used by name

REPO = Path(__file__).resolve().parents[2]


def field(key, field_type, **kwargs) -> EFormField:
    return EFormField(key=key, label=kwargs.pop("label", key), field_type=field_type, **kwargs)


def check(definitions, data):
    form = build_eform(definitions)({f"f-{k}": v for k, v in data.items()}, prefix="f")
    return form.is_valid(), form


def test_a_birth_date_in_the_future_is_refused_and_today_is_accepted():
    birth = field("ngay_sinh", "date", required=True, rules={"not_future": True})
    today = timezone.localdate()

    ok, form = check([birth], {"ngay_sinh": (today + dt.timedelta(days=1)).isoformat()})
    assert not ok and form.errors["ngay_sinh"] == ["Ngày không được sau ngày hôm nay."]
    assert form.fields["ngay_sinh"].widget.attrs["max"] == today.isoformat()
    assert check([birth], {"ngay_sinh": today.isoformat()})[0]
    ok, form = check([birth], {"ngay_sinh": "2025-02-30"})
    assert not ok and "Ngày không hợp lệ" in form.errors["ngay_sinh"][0]


def test_a_year_of_birth_is_a_whole_number_no_later_than_this_year():
    year = field("nam_sinh_me", "year")
    this_year = timezone.localdate().year

    assert check([year], {"nam_sinh_me": "1990"})[0]
    ok, form = check([year], {"nam_sinh_me": str(this_year + 1)})
    assert not ok and form.errors["nam_sinh_me"] == ["Năm không được sau năm nay."]
    assert not check([year], {"nam_sinh_me": "1990.5"})[0]
    assert not check([year], {"nam_sinh_me": "1850"})[0]


@pytest.mark.parametrize(
    ("typed", "valid", "message"),
    [
        ("2", True, None),
        ("1", True, None),
        ("", True, None),  # optional: no copies asked for
        ("1.5", False, "Hãy nhập một số nguyên, ví dụ 2."),
        ("2,0", False, "Hãy nhập một số nguyên, ví dụ 2."),
        ("0", False, None),
        ("-3", False, None),
        ("11", False, None),
    ],
)
def test_copies_are_a_whole_number_of_at_least_one(typed, valid, message):
    copies = field("so_ban_sao", "integer", rules={"min": 1, "max": 10})

    ok, form = check([copies], {"so_ban_sao": typed})

    assert ok is valid
    if message:
        assert form.errors["so_ban_sao"] == [message]
    if ok and typed:
        assert form.cleaned_data["so_ban_sao"] == int(typed)


def test_values_outside_a_closed_list_are_refused():
    definitions = [
        field("dan_toc", "ethnicity", required=True),
        field("quoc_tich", "nationality", required=True),
        field("gioi_tinh", "choice", required=True, choices="Nam\nNữ"),
    ]

    ok, form = check(definitions, {"dan_toc": "Kinh ", "quoc_tich": "Việt Nam", "gioi_tinh": "Nữ"})
    assert ok, form.errors
    ok, form = check(definitions, {"dan_toc": "Việt", "quoc_tich": "Vietnam", "gioi_tinh": "Khác"})
    assert not ok
    assert form.errors["dan_toc"] == ["“Việt” không có trong danh mục; hãy chọn một giá trị trong danh sách."]
    assert set(form.errors) == {"dan_toc", "quoc_tich", "gioi_tinh"}


def test_a_commune_outside_the_province_list_is_refused(world):
    inside = residence_units(timezone.localdate()).order_by("name").first()
    assert inside is not None
    outside = AdministrativeUnit.objects.create(code="99999", name="Phường Ngoài Tỉnh", tier="commune")
    definitions = [field("noi_dang_ky", "admin_unit", required=True)]

    assert (
        check(definitions, {"noi_dang_ky": inside.name})[0]
        or check(definitions, {"noi_dang_ky": f"{inside.name} — {inside.parent.name}"})[0]
    )
    ok, form = check(definitions, {"noi_dang_ky": outside.name})
    # A unit that is not a commune of the province in force today is not among the choices.
    assert not ok and "không có trong danh mục" in form.errors["noi_dang_ky"][0]


def test_the_closed_lists_are_the_54_ethnic_groups_and_the_iso_countries():
    codes = [code for code, _name in ETHNIC_GROUPS]
    names = [name for _code, name in ETHNIC_GROUPS]
    assert len(ETHNIC_GROUPS) == 54 and len(set(names)) == 54
    assert codes == [f"{n:02d}" for n in range(1, 55)]
    assert (
        ETHNIC_GROUPS[0] == ("01", "Kinh") and ("05", "Khơ-me") in ETHNIC_GROUPS and ETHNIC_GROUPS[-1] == ("54", "Ơ Đu")
    )
    countries = dict(NATIONALITIES)
    assert NATIONALITIES[0] == ("VN", "Việt Nam") and len(countries) == 249
    assert countries["KH"] == "Campuchia" and countries["LA"] == "Lào" and countries["US"] == "Hoa Kỳ"


@pytest.mark.parametrize(
    "typed",
    [
        "Nguyễn\u200b Văn An",  # zero-width space
        "Nguyễn Văn\u200d An",  # zero-width joiner
        "\ufeffNguyễn Văn An",  # byte order mark
        "Nguyễn \u202eVăn\u202c An",  # right-to-left override, pop
        "Nguyễn \u2067Văn\u2069 An",  # right-to-left isolate
        "Nguyễn\u00ad Văn An",  # soft hyphen
        "Nguye\u0302\u0303n  Văn An",  # decomposed diacritics, a double space
    ],
)
def test_invisible_and_direction_changing_characters_are_stripped_from_names(typed):
    definitions = [field("ho_ten_tre", "person_name", required=True), field("noi_sinh", "address")]

    ok, form = check(definitions, {"ho_ten_tre": typed, "noi_sinh": "Bệnh viện\u200b Đa khoa\u202e tỉnh"})

    assert ok, form.errors
    assert form.cleaned_data["ho_ten_tre"] == "Nguyễn Văn An"
    assert form.cleaned_data["noi_sinh"] == "Bệnh viện Đa khoa tỉnh"


def test_a_name_with_digits_or_symbols_is_refused_but_ethnic_minority_names_pass():
    name = [field("ho_ten", "person_name", required=True)]

    ok, form = check(name, {"ho_ten": "Nguyễn Văn 4n"})
    assert not ok and "chỉ gồm chữ cái" in form.errors["ho_ten"][0]
    assert not check(name, {"ho_ten": "<script>"})[0]
    for good in ("H'Hen Niê", "Ksor Y-Phăng", "Lò Thị Ơn", "Đinh Thị Ánh"):
        assert check(name, {"ho_ten": good})[0], good


def test_strip_invisible_keeps_line_breaks_only_where_asked():
    assert strip_invisible("Ấp 3,\u200b\nxã Tân Lập", multiline=True) == "Ấp 3,\nxã Tân Lập"
    assert strip_invisible("Ấp 3,\n xã Tân Lập") == "Ấp 3, xã Tân Lập"


# The official birth registration declaration (Mẫu TP/HT-2020-KS.1, Thông tư 04/2020/TT-BTP): its fields
# for the declarant, the child and both parents, with the types that check them.
OFFICIAL_BIRTH_FIELDS = {
    "nguoi_yeu_cau_ho_ten": "person_name",
    "nguoi_yeu_cau_noi_cu_tru": "address",
    "cccd_nguoi_yeu_cau": "cccd",
    "nguoi_yeu_cau_ngay_cap": "date",
    "nguoi_yeu_cau_noi_cap": "text",
    "quan_he": "choice",
    "ho_ten_tre": "person_name",
    "ngay_sinh": "date",
    "gioi_tinh": "choice",
    "dan_toc": "ethnicity",
    "quoc_tich": "nationality",
    "noi_sinh": "address",
    "que_quan": "text",
    "ho_ten_me": "person_name",
    "nam_sinh_me": "year",
    "dan_toc_me": "ethnicity",
    "quoc_tich_me": "nationality",
    "noi_cu_tru_me": "address",
    "ho_ten_cha": "person_name",
    "nam_sinh_cha": "year",
    "dan_toc_cha": "ethnicity",
    "quoc_tich_cha": "nationality",
    "noi_cu_tru_cha": "address",
    "so_ban_sao": "integer",
}


@pytest.mark.parametrize("site", ["tayninh", "tayninh-2025"])
def test_both_sites_birth_registration_carries_the_official_declaration(site):
    rows = yaml.safe_load((REPO / "sites" / site / "procedures.yaml").read_text(encoding="utf-8"))
    birth = next(row for row in rows if row["code"] == "1.001193")
    fields = {item["key"]: item for item in birth["eform"]}

    assert {key: fields[key]["type"] for key in OFFICIAL_BIRTH_FIELDS} == OFFICIAL_BIRTH_FIELDS
    assert {fields[key]["section"] for key in OFFICIAL_BIRTH_FIELDS} == {
        "Người yêu cầu",
        "Người được khai sinh",
        "Người mẹ",
        "Người cha",
        "Đề nghị cấp bản sao",
    }
    assert fields["ngay_sinh"]["rules"] == {"not_future": True}
    assert fields["so_ban_sao"]["rules"] == {"min": 1, "max": 10}
    assert fields["nguoi_yeu_cau_ho_ten"]["prefill"] == "account:full_name"
    assert fields["cccd_nguoi_yeu_cau"]["prefill"] == "account:cccd"
    assert fields["nguoi_yeu_cau_ngay_cap"]["prefill"] == "vault:cccd:issue_date"
    declaration = next(d for d in birth["documents"] if "TP/HT-2020-KS.1" in d["name"])
    assert declaration["from_eform"] is True
    for item in birth["eform"]:  # every definition passes the catalogue's own validation
        definition = EFormField(
            key=item["key"],
            label=item["label"],
            field_type=item["type"],
            required=item.get("required", False),
            choices="\n".join(item.get("choices", [])),
            rules=item.get("rules", {}),
            section=item.get("section", ""),
            prefill=item.get("prefill", ""),
        )
        definition.full_clean(exclude=["version"])


def test_the_catalogue_refuses_a_bad_prefill_source_or_rule():
    definition = field("x", "text", prefill="account:password")
    with pytest.raises(ValidationError) as error:
        definition.full_clean(exclude=["version"])
    assert "Nguồn điền sẵn không hợp lệ" in str(error.value)
    definition = field("x", "text", rules={"not_future": True})
    with pytest.raises(ValidationError, match="not_future"):
        definition.full_clean(exclude=["version"])
