"""The competent body follows where the dossier belongs (the applicant's residence, or the parcel), never
the desk it was handed in at; any desk of the province receives a procedure on the province's list
(Decree 118/2025), and the result comes back to that desk for the return."""

import pytest

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop_tayninh.catalog.constants import CompetentBasis, CompetentKind
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.catalog.site_loaders import _apply_competent
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, ReceptionDesk
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import competent_agency_for
from onestop_tayninh.dossiers.services import dossier_accept, dossier_document_add, dossier_start
from onestop_tayninh.portal.forms import DraftContactForm
from onestop_tayninh.portal.services import DraftChanges, draft_start, draft_submit, draft_update
from onestop_tayninh.printing.selectors import register_rows
from tests.factories import CitizenFactory, ProcedureVersionFactory, UnitFactory, make_publishable
from tests.signing_support import draft_pdf
from tests.workflows.conftest import local, pdf, user

pytestmark = pytest.mark.django_db

TAN_BIEN_DISTRICT, LONG_HOA_WARD, HOA_THANH_TOWN = "000.00.31.H53", "000.01.35.H53", "000.00.35.H53"
TAN_BIEN_TOWNSHIP = "000.01.31.H53"


def unit(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(name=name)


@pytest.fixture
def province(loaded_province):
    return {"long_hoa_desk": ReceptionDesk.objects.get(code="bpmc-hoathanh-longhoa")}


def procedure(*, tier: str, basis: str = CompetentBasis.RESIDENCE, anywhere=True, desks=()):
    # Built around an agency of the site, so that the factory makes no unit of its own.
    anyone = Agency.objects.get(code=HOA_THANH_TOWN)
    version = ProcedureVersionFactory(complete=True, level=2, processing_amount=10, competent_agency=anyone)
    make_publishable(version)
    version.competent_kind, version.competent_agency = CompetentKind.APPLICANT_UNIT_COMMITTEE, None
    version.competent_tier, version.competent_basis = tier, basis
    version.receipt_anywhere = anywhere
    version.save()
    version.receiving_desks.set(desks)
    return procedure_version_publish(version=version)


def start(desk, officer, version, *, residence=None, parcel=None, at=None):
    return dossier_start(
        desk=desk,
        officer=user(officer),
        procedure_version=version,
        applicant=Applicant(full_name="Nguyễn Văn Bình", cccd="072190001234", unit=residence),
        object_unit=parcel,
        at=at or local(2027, 3, 1, 8, 0),
    )


def accepted(dossier, officer, at):
    for requirement in dossier.procedure_version.documents.all():
        dossier_document_add(dossier=dossier, requirement=requirement, file=pdf(), officer=user(officer), at=at)
    return dossier_accept(dossier=dossier, officer=user(officer), at=at)


def act(dossier, username, transition, at, **kwargs):
    return dossier_transition(dossier=dossier, actor=user(username), transition=transition, at=at, **kwargs)


def test_a_district_procedure_received_at_a_commune_desk_of_another_district_goes_to_the_applicants_district(
    province, signing_keys
):
    """Social assistance (1.001776-like: the district chairman decides), handed in at the ward desk of
    Long Hoa (Hòa Thành) by a resident of Thị trấn Tân Biên: decided by UBND huyện Tân Biên, returned at
    Long Hoa."""
    version = procedure(tier=Tier.DISTRICT)
    desk = province["long_hoa_desk"]
    dossier = start(desk, "tiepnhan.longhoa", version, residence=unit("Thị trấn Tân Biên"))
    assert competent_agency_for(dossier).code == TAN_BIEN_DISTRICT
    dossier = accepted(dossier, "tiepnhan.longhoa", local(2027, 3, 1, 8, 0))
    assert dossier.receiving_desk == desk and dossier.applicant_unit == unit("Thị trấn Tân Biên")

    # The ward desk hands it over as it accepts it (docs/domain.md §5.4), to the applicant's district.
    assert dossier.current_agency.code == TAN_BIEN_DISTRICT
    handed = dossier.events.get(action="transition")
    assert (handed.actor.username, handed.from_agency.code) == ("tiepnhan.longhoa", LONG_HOA_WARD)
    # The district's officials see it and act on it; the committees of the desk's ward and town do not decide.
    assert Dossier.objects.visible_to(user("lanhdao.tanbien")).filter(pk=dossier.pk).exists()
    assert not Dossier.objects.visible_to(user("lanhdao.hoathanh")).filter(pk=dossier.pk).exists()
    dossier = act(
        dossier, "lanhdao.tanbien", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tanbien")
    )
    dossier = act(dossier, "chuyenvien.tanbien", "trinh-duyet", local(2027, 3, 2, 9, 0), result_file=draft_pdf())
    dossier = act(dossier, "lanhdao.tanbien", "phe-duyet", local(2027, 3, 3, 9, 0))
    signing_keys.issue(TAN_BIEN_DISTRICT, "Ủy ban nhân dân huyện Tân Biên")
    dossier = act(dossier, "vanthu.tanbien", "phat-hanh", local(2027, 3, 3, 10, 0))
    # Back to the desk that received it, for the return.
    assert dossier.current_agency.code == LONG_HOA_WARD
    dossier = act(dossier, "tiepnhan.longhoa", "tra-ket-qua", local(2027, 3, 4, 8, 30))
    assert dossier.closed_at is not None
    # The desk's register names the body that really decided.
    (row,) = register_rows(desk=desk, date_from=local(2027, 3, 1).date(), date_to=local(2027, 3, 1).date())
    assert row.lead_agency == "Ủy ban nhân dân huyện Tân Biên"


def test_a_commune_procedure_goes_to_the_committee_of_the_applicants_commune(province):
    version = procedure(tier=Tier.COMMUNE)
    dossier = start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=unit("Thị trấn Tân Biên"))
    assert competent_agency_for(dossier).code == TAN_BIEN_TOWNSHIP


def test_a_land_procedure_is_routed_by_the_parcels_unit_not_the_applicants(province):
    """The owner lives in Long Hoa; the parcel lies in Thị trấn Tân Biên: the district of the parcel decides."""
    version = procedure(tier=Tier.DISTRICT, basis=CompetentBasis.OBJECT)
    dossier = start(
        province["long_hoa_desk"],
        "tiepnhan.longhoa",
        version,
        residence=unit("Phường Long Hoa"),
        parcel=unit("Thị trấn Tân Biên"),
    )
    assert competent_agency_for(dossier).code == TAN_BIEN_DISTRICT
    dossier = accepted(dossier, "tiepnhan.longhoa", local(2027, 3, 1, 8, 0))  # handed over on receipt
    assert dossier.current_agency.code == TAN_BIEN_DISTRICT


def test_a_land_procedure_without_the_parcels_unit_is_refused_and_nothing_is_kept(province):
    version = procedure(tier=Tier.DISTRICT, basis=CompetentBasis.OBJECT)
    with pytest.raises(ValidationError) as refused:
        start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=unit("Phường Long Hoa"))
    assert refused.value.message_dict["object_unit"] == [
        "Hãy chọn xã, phường nơi có thửa đất, công trình: cơ quan giải quyết thủ tục này được xác định theo địa bàn đó."
    ]
    assert not Dossier.objects.exists()


def test_a_procedure_bound_to_another_place_names_that_place_at_the_desk_and_on_the_portal(client, province):
    """A death is registered where the deceased last lived, a house permit asked where it is built: the
    field, the refusal and the catalogue name that place, never "thửa đất, công trình"."""
    version = procedure(tier=Tier.COMMUNE, basis=CompetentBasis.OBJECT)
    version.competent_place = "nơi cư trú cuối cùng của người chết"
    version.save(update_fields=["competent_place"])
    assert version.competent_description == "UBND cấp xã nơi cư trú cuối cùng của người chết"
    with pytest.raises(ValidationError) as refused:
        start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=unit("Phường Long Hoa"))
    assert refused.value.message_dict["object_unit"] == [
        "Hãy chọn xã, phường nơi cư trú cuối cùng của người chết: cơ quan giải quyết thủ tục này được xác định "
        "theo địa bàn đó."
    ]
    client.force_login(user("tiepnhan.longhoa"))
    page = client.get(f"{RECEIVE_URL}?desk={province['long_hoa_desk'].pk}&procedure={version.pk}").content.decode()
    assert "Nơi cư trú cuối cùng của người chết (xã, phường)" in page
    assert "thửa đất" not in page
    # The residence field no longer claims to decide: the place of the object does.
    assert "Tổ chức: nơi đặt trụ sở. Cơ quan giải quyết" not in page
    assert "Cơ quan giải quyết được xác định theo nơi này, không theo nơi nộp." in page
    portal = DraftContactForm(version=version)
    assert portal.fields["object_unit"].label == "Nơi cư trú cuối cùng của người chết (xã, phường)"


def test_a_residence_bound_procedure_needs_the_applicants_unit(province):
    version = procedure(tier=Tier.DISTRICT)
    with pytest.raises(ValidationError, match="Hãy chọn xã, phường nơi người nộp cư trú"):
        start(province["long_hoa_desk"], "tiepnhan.longhoa", version)
    assert not Dossier.objects.exists()


def test_an_applicants_unit_outside_the_province_is_refused_with_nothing_changed(province):
    elsewhere = UnitFactory(code="79", name="Thành phố Hồ Chí Minh", tier=Tier.PROVINCE, parent=None)
    ward = UnitFactory(code="26734", name="Phường Bến Thành", tier=Tier.COMMUNE, parent=elsewhere)
    version = procedure(tier=Tier.DISTRICT)
    with pytest.raises(ValidationError) as refused:
        start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=ward)
    (message,) = refused.value.message_dict["applicant_unit"]
    assert "“Phường Bến Thành” không phải xã, phường hiện hành của Tỉnh Tây Ninh" in message
    assert not Dossier.objects.exists()


def test_a_merged_unit_no_longer_in_force_is_refused(province):
    township = unit("Thị trấn Tân Biên")
    township.valid_to = local(2026, 12, 31).date()
    township.save()
    version = procedure(tier=Tier.DISTRICT)
    with pytest.raises(ValidationError, match="không phải xã, phường hiện hành"):
        start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=township, at=local(2027, 3, 1, 8))


def test_a_procedure_off_the_provinces_list_is_received_only_at_its_own_desks(province):
    tan_bien = ReceptionDesk.objects.get(code="bpmc-tanbien")
    version = procedure(tier=Tier.DISTRICT, anywhere=False, desks=[tan_bien])
    with pytest.raises(ValidationError, match="không được tiếp nhận tại “Bộ phận Một cửa phường Long Hoa”"):
        start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=unit("Thị trấn Tân Biên"))
    assert start(tan_bien, "tiepnhan.tanbien", version, residence=unit("Thị trấn Tân Biên")).pk


def test_certification_is_decided_where_it_is_asked(province):
    version = procedure(tier="", basis=CompetentBasis.RECEIVING_DESK)
    dossier = start(province["long_hoa_desk"], "tiepnhan.longhoa", version, residence=unit("Thị trấn Tân Biên"))
    assert competent_agency_for(dossier).code == LONG_HOA_WARD


RECEIVE_URL = "/desk/dossiers/dossier/receive/"


def _receive_page_post(client, desk, version, **extra):
    data = {
        "channel": "desk",
        "applicant_kind": "individual",
        "full_name": "Trần Thị Mai",
        "cccd": "072190005555",
        "return_method": "desk",
        "decision": "accept",
        **extra,
    }
    for requirement in version.documents.all():
        data[f"document_{requirement.pk}"] = SimpleUploadedFile("scan.pdf", pdf().read(), "application/pdf")
    return client.post(f"{RECEIVE_URL}?desk={desk.pk}&procedure={version.pk}", data)


def test_the_desk_page_asks_for_the_applicants_commune_and_refuses_one_outside_the_province(client, province):
    elsewhere = UnitFactory(code="79", name="Thành phố Hồ Chí Minh", tier=Tier.PROVINCE, parent=None)
    ward = UnitFactory(code="26734", name="Phường Bến Thành", tier=Tier.COMMUNE, parent=elsewhere)
    version = procedure(tier=Tier.DISTRICT)
    desk = province["long_hoa_desk"]
    client.force_login(user("tiepnhan.longhoa"))

    page = client.get(f"{RECEIVE_URL}?desk={desk.pk}&procedure={version.pk}").content.decode()
    # Any desk of the province offers a procedure on the province's list; the communes are listed by district,
    # the desk's own ward chosen to begin with.
    assert "Nơi cư trú (xã, phường)" in page and "Thị trấn Tân Biên — Huyện Tân Biên" in page
    assert f'<option value="{unit("Phường Long Hoa").pk}" selected>' in page
    assert "Phường Bến Thành" not in page

    refused = _receive_page_post(client, desk, version, applicant_unit=ward.pk).content.decode()
    assert "Xã, phường này không thuộc danh mục đơn vị hành chính hiện hành của tỉnh" in refused
    assert not Dossier.objects.exists()

    response = _receive_page_post(client, desk, version, applicant_unit=unit("Thị trấn Tân Biên").pk)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.code and dossier.applicant_unit == unit("Thị trấn Tân Biên")
    assert competent_agency_for(dossier).code == TAN_BIEN_DISTRICT


def test_an_online_dossier_names_the_applicants_commune_and_goes_to_its_district(province):
    anyone = Agency.objects.get(code=HOA_THANH_TOWN)
    version = ProcedureVersionFactory(complete=True, level=4, processing_amount=5, competent_agency=anyone)
    make_publishable(version)
    version.competent_kind, version.competent_agency = CompetentKind.APPLICANT_UNIT_COMMITTEE, None
    version.competent_tier, version.receipt_anywhere = Tier.DISTRICT, True
    version.save()
    version.receiving_desks.set([])
    version = procedure_version_publish(version=version)
    citizen = CitizenFactory().user
    at = local(2027, 3, 1, 8, 0)
    draft = draft_start(citizen=citizen, procedure_version=version, at=at)
    uploads = [(requirement, pdf(f"{requirement.pk}.pdf")) for requirement in version.documents.all()]
    changes = DraftChanges(
        form_data={"ho_ten": "Trần Văn Bé"},
        contact={"phone": "0912000111", "return_method": "desk"},
        desk_id=province["long_hoa_desk"].pk,
        uploads=uploads,
    )
    draft = draft_update(draft=draft, citizen=citizen, changes=changes, at=at).draft
    with pytest.raises(ValidationError, match="Hãy chọn xã, phường nơi người nộp cư trú"):
        draft_submit(draft=draft, citizen=citizen, at=at)
    assert not Dossier.objects.exists()

    changes.uploads, changes.applicant_unit_id = [], unit("Thị trấn Tân Biên").pk
    draft = draft_update(draft=draft, citizen=citizen, changes=changes, at=at).draft
    dossier = draft_submit(draft=draft, citizen=citizen, at=at)
    assert dossier.receiving_desk == province["long_hoa_desk"]
    assert competent_agency_for(dossier).code == TAN_BIEN_DISTRICT


def test_the_catalogue_says_which_committee_decides(province):
    assert procedure(tier=Tier.DISTRICT).competent_description == "UBND cấp huyện nơi người nộp cư trú"
    parcel = procedure(tier=Tier.COMMUNE, basis=CompetentBasis.OBJECT)
    assert parcel.competent_description == "UBND cấp xã nơi có thửa đất, công trình"


@pytest.mark.parametrize(
    ("spec", "tiers", "expected"),
    [
        ({"committee": "district", "by": "residence"}, ["commune", "district"], ("district", "residence")),
        ({"committee": "commune", "by": "object"}, ["commune"], ("commune", "object")),
        (
            {"committee": "commune", "by": "object", "place": "nơi xây dựng công trình"},
            ["commune"],
            ("commune", "object"),
        ),
        ({"committee": "receiving"}, ["district", "commune"], ("", "desk")),
        ("applicant_unit_committee", ["commune"], ("commune", "residence")),
    ],
)
def test_the_site_file_states_the_competent_tier_and_basis(spec, tiers, expected):
    version = ProcedureVersion()
    _apply_competent(version, spec, tiers=tiers, label="thủ tục 1.001776")
    assert version.competent_kind == CompetentKind.APPLICANT_UNIT_COMMITTEE
    assert (version.competent_tier, version.competent_basis) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "applicant_unit_committee",
        {"committee": "ward"},
        {"committee": "district", "by": "desk"},
        {"committee": "district", "by": "residence", "place": "nơi xây dựng công trình"},
    ],
)
def test_an_unclear_competent_spec_is_refused_in_vietnamese(spec):
    with pytest.raises(ValidationError, match=r"thủ tục 1\.001776: "):
        _apply_competent(ProcedureVersion(), spec, tiers=["commune", "district"], label="thủ tục 1.001776")
