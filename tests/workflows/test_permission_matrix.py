"""Every role × every action × own / other agency → allowed or denied, in the services, the desk and downloads."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.selectors import available_transitions
from tests.signing_support import draft_pdf

from ..factories import OfficialFactory
from .conftest import local, pdf, receive, user
from .test_paths import act

pytestmark = pytest.mark.django_db

ROLES = [
    "receiving_officer",
    "handling_officer",
    "agency_head",
    "records_clerk",
    "province_coordinator",
    "system_admin",
]
OTHER_AGENCY = "000.00.04.H53"  # Sở Xây dựng: never holds these dossiers

# Path to the transition's source state, and the roles that may take it at the agency holding the dossier.
MATRIX = {
    "chuyen-xu-ly": ([], {"receiving_officer"}),
    "rut-tai-mot-cua": ([], {"receiving_officer"}),
    "phan-cong": (["chuyen-xu-ly"], {"agency_head"}),
    "trinh-duyet": (["chuyen-xu-ly", "phan-cong"], {"handling_officer"}),
    "yeu-cau-bo-sung": (["chuyen-xu-ly", "phan-cong"], {"handling_officer", "agency_head"}),
    "de-xuat-tu-choi": (["chuyen-xu-ly", "phan-cong"], {"handling_officer"}),
    "da-bo-sung": (["chuyen-xu-ly", "phan-cong", "yeu-cau-bo-sung"], {"receiving_officer", "handling_officer"}),
    "rut-khi-bo-sung": (["chuyen-xu-ly", "phan-cong", "yeu-cau-bo-sung"], {"receiving_officer"}),
    "rut-khi-cho-phan-cong": (["chuyen-xu-ly"], {"agency_head"}),
    "rut-khi-tham-dinh": (["chuyen-xu-ly", "phan-cong"], {"handling_officer", "agency_head"}),
    "phe-duyet": (["chuyen-xu-ly", "phan-cong", "trinh-duyet"], {"agency_head"}),
    "tra-lai": (["chuyen-xu-ly", "phan-cong", "trinh-duyet"], {"agency_head"}),
    "phat-hanh": (["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet"], {"records_clerk"}),
    "tra-ket-qua": (["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet", "phat-hanh"], {"receiving_officer"}),
    "duyet-tu-choi": (["chuyen-xu-ly", "phan-cong", "de-xuat-tu-choi"], {"agency_head"}),
    "tra-lai-tu-choi": (["chuyen-xu-ly", "phan-cong", "de-xuat-tu-choi"], {"agency_head"}),
    "phat-hanh-tu-choi": (["chuyen-xu-ly", "phan-cong", "de-xuat-tu-choi", "duyet-tu-choi"], {"records_clerk"}),
    "tra-van-ban-tu-choi": (
        ["chuyen-xu-ly", "phan-cong", "de-xuat-tu-choi", "duyet-tu-choi", "phat-hanh-tu-choi"],
        {"receiving_officer"},
    ),
}

SETUP = {
    "chuyen-xu-ly": ("tiepnhan.tinh", {}),
    "phan-cong": ("lanhdao.tuphap", {"assignee": "chuyenvien.tuphap"}),
    "trinh-duyet": ("chuyenvien.tuphap", {}),
    "yeu-cau-bo-sung": ("chuyenvien.tuphap", {}),
    "phe-duyet": ("lanhdao.tuphap", {}),
    "phat-hanh": ("vanthu.tuphap", {}),
    "de-xuat-tu-choi": ("chuyenvien.tuphap", {}),
    "duyet-tu-choi": ("lanhdao.tuphap", {}),
    "phat-hanh-tu-choi": ("vanthu.tuphap", {}),
}


def _bring(world, path):
    dossier = receive(world)
    for hour, code in enumerate(path, start=9):
        username, extra = SETUP[code]
        extra = {k: user(v) for k, v in extra.items()}
        if code == "trinh-duyet":
            extra["result_file"] = draft_pdf()
        dossier = act(dossier, username, code, local(2027, 3, 1, hour, 0), comment="Ý kiến.", **extra)
    return dossier


def _actor(role, place, dossier):
    if place == "other":
        return OfficialFactory(agency=Agency.objects.get(code=OTHER_AGENCY), roles=[role]).user
    if role == "handling_officer" and dossier.assigned_to_id:
        return dossier.assigned_to  # acting as handling officer needs the assignment
    return OfficialFactory(agency=dossier.current_agency, roles=[role]).user


def _try(dossier, actor, code) -> bool:
    extra = {"comment": "Ý kiến.", "result_file": pdf("kq.pdf"), "assignee": user("chuyenvien.tuphap")}
    try:
        with transaction.atomic():
            dossier_transition(dossier=dossier, actor=actor, transition=code, at=local(2027, 3, 2, 15, 0), **extra)
            transaction.set_rollback(True)
    except PermissionDenied:
        return False
    except ValidationError as exc:  # a condition, not a permission, refused it: report loudly
        raise AssertionError(f"{code}: {exc.messages}") from exc
    return True


@pytest.mark.parametrize("code", list(MATRIX))
def test_role_agency_matrix_for_every_action(world, signing_keys, code):
    signing_keys.issue("000.00.02.H53", "Sở Tư pháp tỉnh Tây Ninh")
    path, allowed_roles = MATRIX[code]
    dossier = _bring(world, path)
    for role in ROLES:
        for place in ("own", "other"):
            actor = _actor(role, place, dossier)
            expected = place == "own" and role in allowed_roles
            offered = code in {t.code for t in available_transitions(dossier=dossier, user=actor)}
            assert offered == expected, (code, role, place, "button")
            assert _try(dossier, actor, code) == expected, (code, role, place, "service")


# Who may open the dossier page and download its files once it has been at the centre and Sở Tư pháp.
VIEW_MATRIX = [
    ("receiving_officer", "000.01.01.H53", True),  # the receiving centre
    ("handling_officer", "000.00.02.H53", True),  # the competent agency
    ("agency_head", "000.00.02.H53", True),
    ("agency_head", OTHER_AGENCY, False),
    ("handling_officer", OTHER_AGENCY, False),
    ("receiving_officer", "000.00.31.H53", False),  # another desk (UBND huyện Tân Biên)
    ("province_coordinator", "000.00.01.H53", True),  # Văn phòng UBND tỉnh: the whole province
    ("province_coordinator", "000.00.31.H53", False),  # a district coordinator sees only the district
    ("system_admin", OTHER_AGENCY, False),  # separation of duties: configures, reads no dossier
]


@pytest.mark.parametrize(("role", "agency", "expected"), VIEW_MATRIX)
def test_desk_page_and_file_downloads_follow_the_row_level_rule(client, world, role, agency, expected):
    dossier = _bring(world, ["chuyen-xu-ly", "phan-cong"])
    official = OfficialFactory(agency=Agency.objects.get(code=agency), roles=[role])
    client.force_login(official.user)
    status = 200 if expected else 404
    assert client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").status_code == status
    document = dossier.documents.first()
    assert client.get(f"/desk/dossiers/dossier/document/{document.pk}/").status_code == status
    listed = client.get("/desk/dossiers/dossier/").content.decode()
    assert (dossier.code in listed) == expected
