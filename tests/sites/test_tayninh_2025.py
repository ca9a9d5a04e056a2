"""The default site, Tây Ninh since 1 July 2025: two tiers, 96 communes and wards, every one served.

The whole site (directory, catalogue, workflows, calendar, demo officials and demo dossiers) is
loaded once for the module at a fixed "now", the way `make run` loads it, and rolled back after.
"""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from onestop_tayninh import demo_dossiers as demo
from onestop_tayninh.catalog.constants import CompetentBasis, CompetentKind
from onestop_tayninh.catalog.models import DocumentRequirement, ProcedureVersion
from onestop_tayninh.core.site_config import SECTIONS, SiteContext, load_site, read_yaml, site_directory
from onestop_tayninh.directory.constants import AgencyKind, DeskKind, Tier
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, ReceptionDesk
from onestop_tayninh.dossiers.constants import FormsVersion
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import competent_agency_for
from onestop_tayninh.workflows.models import Workflow
from tests.core.test_load_site import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SITE = "tayninh-2025"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=VN)  # a Wednesday morning
FILES = Path(settings.SITES_DIR) / SITE
DEMO_COMMUNE_DESKS = ["ttphcc-phuong-long-an", "ttphcc-phuong-tan-ninh", "ttphcc-xa-tan-bien", "ttphcc-xa-duc-hoa"]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole site with its demo dossiers, as `make run` loads it, rolled back after the module."""
    media = tmp_path_factory.mktemp("site-2025-files")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        context = load_site(SITE, only={name for name, _ in SECTIONS} - {"demo_dossiers.yaml"})
        directory = site_directory(SITE)
        made = demo.load_demo_dossiers(
            read_yaml(directory / "demo_dossiers.yaml"),
            context=SiteContext(name=SITE, directory=directory, demo=True),
            now=NOW,
        )
        yield {"context": context, "made": made, "media": media}
        transaction.set_rollback(True)


@pytest.fixture
def site(loaded, settings):
    settings.MEDIA_ROOT = loaded["media"]
    return loaded


def current_communes():
    return AdministrativeUnit.objects.filter(tier=Tier.COMMUNE, valid_to__isnull=True)


# --- the directory ---------------------------------------------------------------------------------


def test_the_site_loads_every_file_without_error(site):
    counts = site["context"].counts
    for name in ["units.yaml", "agencies.yaml", "desks.yaml", "holidays.yaml", "officials.yaml", "procedures.yaml"]:
        assert counts.get(name), name
    assert site["made"] >= 50


def test_loading_the_site_again_changes_nothing(site):
    """`make run` loads the site on every start: twice more, every domain table stays the same."""
    first = snapshot()
    dossiers = list(Dossier.objects.order_by("pk").values_list("pk", "code", "state_id", "current_agency_id"))
    call_command("load_site", SITE, verbosity=0)
    assert snapshot() == first
    call_command("load_site", SITE, verbosity=0)
    assert snapshot() == first
    assert list(Dossier.objects.order_by("pk").values_list("pk", "code", "state_id", "current_agency_id")) == dossiers


def test_96_current_communes_and_wards_directly_under_the_merged_province(site):
    province = AdministrativeUnit.objects.get(code="80")
    assert province.tier == Tier.PROVINCE and province.valid_to is None
    communes = current_communes()
    assert communes.count() == 96
    assert communes.filter(kind="Xã").count() == 82
    assert communes.filter(kind="Phường").count() == 14
    assert set(communes.values_list("parent__code", flat=True)) == {"80"}
    assert not AdministrativeUnit.objects.filter(tier=Tier.DISTRICT).exists()
    for code, name, kind in communes.values_list("code", "name", "kind"):
        assert re.fullmatch(r"\d{5}", code), code
        assert name.startswith(f"{kind} "), name
    assert communes.get(code="27694").name == "Phường Long An"  # the provincial seat
    assert communes.get(code="25459").name == "Phường Tân Ninh"


def test_every_commune_has_its_peoples_committee_and_a_desk_of_its_own(site):
    for unit in current_communes():
        committees = Agency.objects.filter(unit=unit, kind=AgencyKind.PEOPLE_COMMITTEE)
        assert committees.count() == 1, unit
        committee = committees.get()
        assert committee.name == f"Ủy ban nhân dân {unit.kind.lower()} {unit.name.split(' ', 1)[1]}"
        assert re.fullmatch(r"000\.\d{2}\.40\.H53", committee.code), committee.code
        desks = ReceptionDesk.objects.filter(unit=unit, kind=DeskKind.COMMUNE_DESK, is_active=True)
        assert desks.count() == 1, unit
        assert desks.get().agency == committee


def test_the_provincial_centre_works_at_two_sites_and_the_departments_are_the_2025_ones(site):
    centre = Agency.objects.get(code="000.01.01.H53")
    assert centre.kind == AgencyKind.SERVICE_CENTRE
    assert set(ReceptionDesk.objects.filter(kind=DeskKind.PROVINCE_CENTRE).values_list("agency__code", flat=True)) == {
        centre.code
    }
    assert ReceptionDesk.objects.filter(kind=DeskKind.PROVINCE_CENTRE).count() == 2
    names = set(Agency.objects.filter(kind=AgencyKind.DEPARTMENT).values_list("name", flat=True))
    assert "Sở Nông nghiệp và Môi trường tỉnh Tây Ninh" in names
    for gone in ["Sở Kế hoạch và Đầu tư", "Sở Giao thông vận tải", "Sở Lao động - Thương binh và Xã hội"]:
        assert not any(gone in name for name in names), gone
    assert not Agency.objects.filter(name__contains="huyện").exists()


# --- the catalogue ----------------------------------------------------------------------------------


def published():
    return list(
        ProcedureVersion.objects.published().filter(tracked_only=False).select_related("procedure", "competent_agency")
    )


def test_no_procedure_is_left_at_the_district_tier(site):
    versions = list(ProcedureVersion.objects.all())
    assert len({v.procedure_id for v in versions}) >= 25
    for version in versions:
        assert "district" not in version.tiers, version.procedure.code
        assert not version.receiving_desks.filter(kind=DeskKind.DISTRICT_DESK).exists()


@pytest.mark.parametrize("desk_code", ["ttphcc-xa-tan-bien", "ttphcc-phuong-long-an", "ttphcc-xa-an-luc-long"])
def test_every_procedure_resolves_a_competent_body_for_a_dossier_received_at_a_commune_desk(site, desk_code):
    """The applicant lives (and the parcel lies) in Phường Tân Ninh, whatever desk received the dossier:
    a commune procedure goes to that ward's committee, certification to the desk's own committee."""
    desk = ReceptionDesk.objects.get(code=desk_code)
    desk_committee = Agency.objects.get(unit=desk.unit, kind=AgencyKind.PEOPLE_COMMITTEE)
    home = AdministrativeUnit.objects.get(name="Phường Tân Ninh")
    home_committee = Agency.objects.get(unit=home, kind=AgencyKind.PEOPLE_COMMITTEE)
    province_committee = Agency.objects.get(code="000.00.00.H53")
    for version in published():
        assert version.receipt_anywhere, version.procedure.code
        dossier = Dossier(
            procedure_version=version,
            receiving_desk=desk,
            receiving_agency=desk.agency,
            applicant_unit=home,
            object_unit=home,
        )
        competent = competent_agency_for(dossier)
        assert competent is not None, version.procedure.code
        assert competent != province_committee, version.procedure.code
        if version.competent_kind != CompetentKind.APPLICANT_UNIT_COMMITTEE:
            assert competent == version.competent_agency and competent.unit.code == "80", version.procedure.code
        elif version.competent_basis == CompetentBasis.RECEIVING_DESK:
            assert competent == desk_committee, version.procedure.code
        else:
            assert version.tiers == ["commune"] and version.competent_tier == "commune", version.procedure.code
            assert competent == home_committee, version.procedure.code


def test_commune_tier_procedures_are_received_at_every_commune_centre(site):
    commune_desks = set(ReceptionDesk.objects.filter(kind=DeskKind.COMMUNE_DESK).values_list("pk", flat=True))
    assert len(commune_desks) == 96
    for version in published():
        at = set(version.receiving_desks.values_list("pk", flat=True))
        assert at, version.procedure.code
        if version.competent_kind == CompetentKind.APPLICANT_UNIT_COMMITTEE:
            assert commune_desks <= at, version.procedure.code


def test_social_assistance_is_decided_in_the_commune_since_july_2025(site):
    version = ProcedureVersion.objects.published().get(procedure__code="1.001776")
    assert version.competent_kind == CompetentKind.APPLICANT_UNIT_COMMITTEE
    assert version.tiers == ["commune"]
    assert "Chủ tịch UBND cấp xã" in version.result_name


def test_land_procedures_follow_the_land_workflow(site):
    land = Workflow.objects.get(code="lien-thong-dat-dai")
    assert set(land.procedures.values_list("code", flat=True)) == {"1.012753", "1.013831"}


# --- demo officials and demo dossiers ---------------------------------------------------------------


def test_demo_officials_log_in_to_the_desk(site, client):
    rows = read_yaml(FILES / "officials.yaml")
    assert len(rows) >= 20
    for row in rows:
        client.logout()
        assert client.login(username=row["username"], password=settings.DEMO_PASSWORD), row["username"]
        page = client.get("/desk/")
        assert page.status_code == 200, row["username"]
        assert Agency.objects.get(code=row["agency"]).name in page.content.decode(), row["username"]


def test_each_demo_commune_has_the_three_roles_a_commune_dossier_needs(site):
    for code in DEMO_COMMUNE_DESKS:
        desk = ReceptionDesk.objects.get(code=code)
        roles = set(desk.agency.officials.values_list("user__groups__role__code", flat=True))
        assert {"receiving_officer", "handling_officer", "agency_head"} <= roles, code
        assert desk.officials.filter(user__groups__role__code="receiving_officer").exists(), code


def test_demo_dossiers_exist_at_the_provincial_centre_and_the_demo_communes(site):
    for code in [*DEMO_COMMUNE_DESKS, "ttphcc-tinh-cs1"]:
        assert Dossier.objects.filter(receiving_desk__code=code).count() >= 10, code
    received = Dossier.objects.exclude(code__isnull=True)
    assert received.count() >= 40
    for dossier in received.select_related("receiving_desk__agency"):
        assert dossier.code.startswith(dossier.receiving_desk.agency.code + "-"), dossier.code
        assert dossier.forms_version == FormsVersion.CIRCULAR_03_2025, dossier.code


def test_demo_commune_dossiers_go_to_the_applicants_committee_never_to_a_district_or_the_province(site):
    moved = Dossier.objects.filter(
        receiving_desk__code__in=DEMO_COMMUNE_DESKS,
        procedure_version__competent_kind=CompetentKind.APPLICANT_UNIT_COMMITTEE,
    ).exclude(current_agency=None)
    assert moved.exclude(state__kind="at_desk").exists()
    from_elsewhere = 0
    for dossier in moved.select_related("receiving_desk", "current_agency", "procedure_version"):
        if dossier.state.kind == "at_desk":
            continue
        if dossier.procedure_version.competent_basis == CompetentBasis.RECEIVING_DESK:
            home = dossier.receiving_desk.unit_id
        else:
            home = dossier.applicant_unit_id
            from_elsewhere += home != dossier.receiving_desk.unit_id
        assert dossier.current_agency.unit_id == home, dossier.code
        assert dossier.current_agency.kind == AgencyKind.PEOPLE_COMMITTEE, dossier.code
    # Receipt regardless of boundary: some applicants handed in at another commune's centre.
    assert from_elsewhere


def test_demo_addresses_are_two_tier(site):
    addresses = list(Dossier.objects.exclude(address="").values_list("address", flat=True))
    assert addresses
    for address in addresses:
        assert address.endswith(", tỉnh Tây Ninh"), address
        assert not re.search(r"(huyện|thị xã|thị trấn|thành phố) ", address, re.IGNORECASE), address


# --- the catalogue as the law has it --------------------------------------------------------------


def current(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.published().get(procedure__code=code)


@pytest.mark.parametrize(
    ("code", "decided_by"),
    [
        # Luật Xây dựng Điều 103: the committee where the house is built, not where its owner lives.
        ("1.009994", "UBND cấp xã nơi xây dựng công trình"),
        # Luật Hộ tịch Điều 32: the deceased's last residence, not the declarant's.
        ("1.000656", "UBND cấp xã nơi cư trú cuối cùng của người chết"),
        ("1.001612", "UBND cấp xã nơi đặt trụ sở hộ kinh doanh"),
        ("2.000720", "UBND cấp xã nơi đặt trụ sở hộ kinh doanh"),
        ("2.000620", "UBND cấp xã nơi đặt điểm bán lẻ rượu"),
        ("1.001029", "UBND cấp xã nơi có địa điểm kinh doanh karaoke"),
        ("1.012753", "UBND cấp xã nơi có thửa đất"),
        ("1.001193", "UBND cấp xã nơi người nộp cư trú"),
        ("2.000815", "UBND nơi tiếp nhận hồ sơ"),
    ],
)
def test_each_procedure_is_decided_where_its_law_says(site, code, decided_by):
    assert current(code).competent_description == decided_by


@pytest.mark.parametrize(
    ("code", "amount", "unit"),
    [
        ("1.009994", 15, "days"),  # Luật Xây dựng Điều 102: 15 ngày
        ("1.009974", 20, "days"),  # 20 ngày
        ("2.000488", 10, "days"),  # Luật Lý lịch tư pháp Điều 48: không quá 10 ngày
        ("2.000806", 15, "days"),  # Luật Hộ tịch Điều 38: 15 ngày
        ("1.004873", 3, "working_days"),  # Nghị định 123/2015: 03 ngày làm việc
        ("1.001612", 3, "working_days"),
    ],
)
def test_processing_times_are_counted_as_the_law_words_them(site, code, amount, unit):
    version = current(code)
    assert (version.processing_amount, version.processing_unit) == (amount, unit)


def test_legal_bases_name_the_laws_in_force(site):
    birth = current("1.001193").legal_basis
    for law in ["Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP", "Nghị định số 120/2025/NĐ-CP"]:
        assert law in birth, law
    assert "Nghị định số 120/2025/NĐ-CP" in current("1.000656").legal_basis
    permit = current("1.009994")
    assert "Nghị định số 175/2024/NĐ-CP" in permit.legal_basis and "Nghị định số 140/2025/NĐ-CP" in permit.legal_basis
    assert "Nghị định số 15/2021/NĐ-CP ngày" not in permit.legal_basis
    assert "Nghị định số 168/2025/NĐ-CP" in current("2.001610").legal_basis
    assert current("2.000620").name == "Cấp Giấy phép bán lẻ rượu"
    marriage_fee = current("1.000894").fees.get()
    assert "Điều 11 Luật Hộ tịch" in marriage_fee.note


def test_every_form_is_offered_in_word_too(site):
    forms = DocumentRequirement.objects.filter(version__status="published", is_form=True).exclude(template="")
    assert forms.count() >= 20
    for form in forms:
        assert form.template_docx.name.endswith(".docx"), form.name
    with current("1.009994").documents.get(is_form=True).template_docx.open("rb") as handle:
        text = [paragraph.text for paragraph in Document(handle).paragraphs]
    assert "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG" in text and "Mẫu đơn theo Nghị định 175/2024/NĐ-CP" in text


def test_a_database_loaded_with_the_old_catalogue_gets_the_corrections_when_the_site_is_loaded_again(site):
    """`make demo-data` on a deployed database: the corrected row is published as a new version, the old one
    retired (its dossiers keep it); the rows that did not change stay as they are, and a second load is a no-op."""
    before = current("1.009994")
    # The catalogue as an older load left it: the permit asked where its owner lives, in working days.
    ProcedureVersion.objects.filter(pk=before.pk).update(
        competent_basis=CompetentBasis.RESIDENCE,
        competent_place="",
        processing_unit="working_days",
        source_checksum="an-older-row",
    )
    untouched = {v.procedure_id: v.pk for v in ProcedureVersion.objects.published().exclude(pk=before.pk)}

    load_site(SITE, only={"procedures.yaml"})

    after = current("1.009994")
    assert after.pk != before.pk and after.number == before.number + 1
    assert after.competent_description == "UBND cấp xã nơi xây dựng công trình"
    assert after.processing_unit == "days"
    before.refresh_from_db()
    assert before.status == "retired"
    assert {v.procedure_id: v.pk for v in ProcedureVersion.objects.published().exclude(pk=after.pk)} == untouched

    versions = ProcedureVersion.objects.count()
    load_site(SITE, only={"procedures.yaml"})
    assert ProcedureVersion.objects.count() == versions


def test_reloading_the_site_leaves_an_officials_draft_alone_and_says_so(site):
    """A corrected row arrives while an official is editing the procedure's draft in the desk: the draft
    stays theirs (not overwritten, not published) and the load names the procedure."""
    from onestop_tayninh.catalog.services import procedure_version_new_draft

    published = current("1.009994")
    draft = procedure_version_new_draft(procedure=published.procedure)
    assert draft.source_checksum == ""  # a person's draft, not a site row
    ProcedureVersion.objects.filter(pk=draft.pk).update(name="Cấp giấy phép xây dựng (đang sửa)")
    ProcedureVersion.objects.filter(pk=published.pk).update(source_checksum="a-row-of-an-older-release")

    context = load_site(SITE, only={"procedures.yaml"})

    draft.refresh_from_db()
    assert draft.status == "draft" and draft.name == "Cấp giấy phép xây dựng (đang sửa)"
    assert current("1.009994").pk == published.pk
    assert context.notes == [
        "Thủ tục 1.009994: đang có bản nháp do cán bộ soạn trên bàn làm việc; giữ nguyên bản nháp, "
        "thay đổi trong tệp site chưa được áp dụng."
    ]
