"""The citizen's own dossiers: timeline, supplements online, withdrawal, results, rating, and ownership."""

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.services import (
    dossier_accept,
    dossier_request_completion,
    dossier_supplement_add,
    dossier_supplement_submit,
    dossier_withdraw,
)
from onestop_tayninh.portal.models import ServiceRating
from onestop_tayninh.portal.selectors import citizen_timeline
from onestop_tayninh.portal.services import dossier_rate, draft_submit
from onestop_tayninh.printing.models import GeneratedDocument
from onestop_tayninh.vault.constants import VaultSource
from onestop_tayninh.vault.models import VaultDocument
from tests.factories import OfficialFactory
from tests.signing_support import draft_pdf

from ..workflows.conftest import local, user
from ..workflows.test_paths import act
from .conftest import filled_draft, pdf_unique

pytestmark = pytest.mark.django_db

ANSWERS = {"time": "2", "visits": "2", "agencies": "2", "conduct": "1", "guidance": "2"}


def submitted(world, citizen):
    return draft_submit(draft=filled_draft(world, citizen), citizen=citizen, at=local(2027, 3, 1, 8, 30))


def received(world, citizen):
    return dossier_accept(dossier=submitted(world, citizen), officer=user("tiepnhan.tinh"), at=local(2027, 3, 1, 9, 0))


def at_appraisal(world, citizen):
    dossier = received(world, citizen)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 30))
    return act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))


def with_result(world, citizen):
    dossier = at_appraisal(world, citizen)
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "trinh-duyet",
        local(2027, 3, 2, 9, 0),
        result_file=draft_pdf(),
    )
    dossier = act(dossier, "lanhdao.tuphap", "phe-duyet", local(2027, 3, 2, 10, 0))
    return act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 2, 10, 30), result_electronic=True)


@pytest.fixture(autouse=True)
def _justice_keys(signing_keys):
    """Sở Tư pháp's certificate, for the records clerk's signature on the results."""
    signing_keys.issue("000.00.02.H53", "Sở Tư pháp tỉnh Tây Ninh")


def test_supplement_online_resumes_the_clock_and_keeps_every_version(online, citizen):
    dossier = at_appraisal(online, citizen)
    due = dossier.due_at
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "yeu-cau-bo-sung",
        local(2027, 3, 1, 14, 0),
        comment="Thiếu bản sao giấy chứng sinh.",
    )
    requirement = online["online"].documents.last()

    dossier_supplement_add(
        dossier=dossier,
        citizen=citizen,
        requirement=requirement,
        file=pdf_unique("bo-sung.pdf"),
        at=local(2027, 3, 2, 8, 0),
    )
    dossier = dossier_supplement_submit(dossier=dossier, citizen=citizen, at=local(2027, 3, 2, 9, 0))

    assert dossier.state.code == "tham-dinh"
    assert dossier.code == dossier.draft.dossier.code  # the code does not change
    assert dossier.due_at > due  # the paused working time is given back
    versions = dossier.documents.filter(requirement=requirement).order_by("supplement_round")
    assert [d.supplement_round for d in versions] == [0, 1]
    texts = [entry.text for entry in citizen_timeline(dossier)]
    assert "Cơ quan giải quyết yêu cầu bổ sung hồ sơ" in texts
    assert "Đã nhận giấy tờ bổ sung, tiếp tục giải quyết" in texts


def test_sending_a_supplement_without_a_file_is_refused(online, citizen):
    dossier = at_appraisal(online, citizen)
    dossier = act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 1, 14, 0), comment="Thiếu.")
    with pytest.raises(ValidationError, match="ít nhất một giấy tờ bổ sung"):
        dossier_supplement_submit(dossier=dossier, citizen=citizen, at=local(2027, 3, 2, 9, 0))


def test_form_02_before_receipt_is_answered_online_and_goes_back_to_the_desk(online, citizen):
    dossier = submitted(online, citizen)
    dossier = dossier_request_completion(
        dossier=dossier,
        officer=user("tiepnhan.tinh"),
        items=["Giấy chứng sinh bản rõ nét"],
        reason="Ảnh mờ.",
        at=local(2027, 3, 1, 9, 0),
    )
    dossier_supplement_add(
        dossier=dossier, citizen=citizen, requirement=None, file=pdf_unique("ro-net.pdf"), at=local(2027, 3, 1, 10, 0)
    )
    dossier = dossier_supplement_submit(dossier=dossier, citizen=citizen, at=local(2027, 3, 1, 10, 5))
    assert dossier.status == DossierStatus.TO_CHECK
    assert "Bạn đã nộp lại hồ sơ sau khi bổ sung" in [e.text for e in citizen_timeline(dossier)]


def test_withdrawal_before_receipt_and_during_appraisal_but_not_after_the_result(online, citizen):
    first = dossier_withdraw(
        dossier=submitted(online, citizen), citizen=citizen, reason="Nộp nhầm thủ tục.", at=local(2027, 3, 1, 9, 0)
    )
    assert first.status == DossierStatus.WITHDRAWN

    second = dossier_withdraw(
        dossier=at_appraisal(online, citizen), citizen=citizen, reason="Không còn nhu cầu.", at=local(2027, 3, 1, 11, 0)
    )
    assert second.state.kind == "withdrawn" and second.closed_at is not None

    decided = with_result(online, citizen)
    with pytest.raises(ValidationError, match="không thể rút"):
        dossier_withdraw(dossier=decided, citizen=citizen, reason="Muộn rồi.", at=local(2027, 3, 3, 9, 0))


def test_an_electronic_result_goes_to_the_vault_and_can_be_rated_once(client, online, citizen):
    dossier = with_result(online, citizen)
    assert VaultDocument.objects.filter(owner=citizen, source=VaultSource.RESULT, source_dossier=dossier).exists()
    client.force_login(citizen)
    download = client.get(reverse("portal:result", args=[dossier.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    dossier_rate(
        dossier=dossier, citizen=citizen, satisfied=True, answers=ANSWERS, comment="Nhanh.", at=local(2027, 3, 3, 9, 0)
    )
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied and rating.score == 9 and rating.answers["conduct"] == 1
    # The score is read on its scale: five indices of 2, 1 or 0 points.
    assert "Hài lòng · 9/10 điểm" in client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    # In the vault, the result is named as its download is, not by its random stored name.
    vault_html = client.get(reverse("portal:vault")).content.decode()
    assert f"ket-qua-{dossier.code}.pdf" in vault_html
    with pytest.raises(ValidationError, match="đã được đánh giá"):
        dossier_rate(
            dossier=dossier, citizen=citizen, satisfied=False, answers=ANSWERS, comment="", at=local(2027, 3, 3, 10, 0)
        )


def test_the_desk_reads_a_rating_on_its_scale(client, online, citizen):
    dossier = with_result(online, citizen)
    dossier_rate(dossier=dossier, citizen=citizen, satisfied=True, answers=ANSWERS, comment="", at=local(2027, 3, 3))
    rating = ServiceRating.objects.get(dossier=dossier)
    client.force_login(user("lanhdao.tuphap"))
    assert "9/10 điểm" in client.get("/desk/portal/servicerating/").content.decode()
    assert "9/10 điểm" in client.get(f"/desk/portal/servicerating/{rating.pk}/change/").content.decode()


def test_rating_before_the_result_or_with_missing_answers_is_refused(online, citizen):
    dossier = at_appraisal(online, citizen)
    with pytest.raises(ValidationError, match="sau khi có kết quả"):
        dossier_rate(
            dossier=dossier, citizen=citizen, satisfied=True, answers=ANSWERS, comment="", at=local(2027, 3, 3, 9, 0)
        )
    decided = with_result(online, citizen)
    with pytest.raises(ValidationError, match="Hãy trả lời"):
        dossier_rate(
            dossier=decided,
            citizen=citizen,
            satisfied=True,
            answers={"time": "2"},
            comment="",
            at=local(2027, 3, 3, 9, 0),
        )


def test_timeline_speaks_plain_vietnamese_not_internal_step_names(online, citizen):
    dossier = with_result(online, citizen)
    texts = " | ".join(f"{e.text} {e.detail}" for e in citizen_timeline(dossier))
    assert "Bạn đã nộp hồ sơ trực tuyến" in texts
    assert f"Hồ sơ đã được tiếp nhận, mã hồ sơ {dossier.code}" in texts
    assert "Hồ sơ đã chuyển đến Sở Tư pháp tỉnh Tây Ninh để giải quyết" in texts
    assert "Đã có kết quả giải quyết" in texts
    for internal in ("Chuyên viên thẩm định", "Chờ lãnh đạo", "phan-cong", "Phân công", "Đủ điều kiện."):
        assert internal not in texts


def test_the_dossier_page_shows_code_due_date_timeline_and_what_is_asked(client, online, citizen):
    dossier = at_appraisal(online, citizen)
    dossier = act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 1, 14, 0), comment="Thiếu bản sao.")
    client.force_login(citizen)
    page = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    assert dossier.code in page
    assert "Hẹn trả kết quả" in page and "08/03/2027" in page
    assert "Bạn cần bổ sung" in page and "Thiếu bản sao." in page
    assert "Cần bổ sung giấy tờ" in page
    listing = client.get(reverse("portal:my_dossiers")).content.decode()
    assert dossier.code in listing


# --- ownership: another citizen, or an official, reaches nothing by changing an id --------------


def _citizen_urls(dossier, draft):
    document = dossier.documents.first()
    return {
        "get": [
            reverse("portal:draft", args=[draft.pk]),
            reverse("portal:draft_file", args=[draft.pk, draft.files.first().pk]),
            reverse("portal:my_dossier", args=[dossier.pk]),
            reverse("portal:dossier_document", args=[dossier.pk, document.pk]),
            reverse("portal:result", args=[dossier.pk]),
            reverse(
                "portal:vault_download",
                args=[document.reused_from_id or dossier.applicant_account.vault_documents.first().pk],
            ),
        ]
        + [
            reverse("portal:generated_document", args=[dossier.pk, g.pk])
            for g in GeneratedDocument.objects.filter(dossier=dossier)
        ],
        "post": [
            reverse("portal:supplement_upload", args=[dossier.pk]),
            reverse("portal:supplement_submit", args=[dossier.pk]),
            reverse("portal:withdraw", args=[dossier.pk]),
            reverse("portal:rate", args=[dossier.pk]),
        ],
    }


# Officials of the very agency that holds the dossier too: they work on it in the desk, never as the citizen.
INTRUDERS = [
    "other_citizen",
    "receiving_officer",
    "handling_officer",
    "agency_head",
    "province_coordinator",
    "system_admin",
]


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_nobody_else_reaches_a_citizens_dossier_files_or_drafts(client, online, citizen, other_citizen, intruder):
    dossier = with_result(online, citizen)
    draft = filled_draft(online, citizen)  # a second, open draft of the same citizen
    GeneratedDocument.objects.create(
        dossier=dossier,
        kind="receipt",
        forms_version="2025",
        file="generated/x.pdf",
        created_at=local(2027, 3, 1, 9, 0),
        sha256="0" * 64,
    )
    urls = _citizen_urls(dossier, draft)
    justice = Agency.objects.get(code="000.00.02.H53")
    visitor = other_citizen if intruder == "other_citizen" else OfficialFactory(agency=justice, roles=[intruder]).user
    client.force_login(visitor)

    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert (
            client.post(
                url, {"reason": "x", "satisfied": "yes", **{f"q_{k}": v for k, v in ANSWERS.items()}}
            ).status_code
            == 404
        ), url
    dossier.refresh_from_db()
    assert dossier.state.kind == "approved"
    assert not ServiceRating.objects.exists()


def test_the_owner_reaches_every_one_of_those_pages(client, online, citizen, settings):
    dossier = with_result(online, citizen)
    draft = filled_draft(online, citizen)
    client.force_login(citizen)
    for url in _citizen_urls(dossier, draft)["get"]:
        assert client.get(url).status_code in (200, 302), url


def test_anonymous_visitors_are_sent_to_the_login_page_and_change_nothing(client, online, citizen):
    dossier = with_result(online, citizen)
    urls = _citizen_urls(dossier, filled_draft(online, citizen))
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
    for url in urls["post"]:
        assert client.post(url, {"reason": "x"}).status_code == 302, url
    dossier.refresh_from_db()
    assert dossier.state.kind == "approved"
