"""The e-form fills itself from what the system knows, and replaces the paper declaration online."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.portal.declarations import declaration_context
from onestop_tayninh.portal.models import DraftFile
from onestop_tayninh.portal.services import DraftChanges, draft_problems, draft_start, draft_submit, draft_update
from onestop_tayninh.security.uploads import open_as
from onestop_tayninh.vault.constants import VaultSource
from onestop_tayninh.vault.models import VaultDocument
from tests.factories import DocumentTypeFactory, ProcedureVersionFactory, make_publishable

from ..workflows.conftest import local
from .conftest import pdf_unique

pytestmark = pytest.mark.django_db

DECLARATION = "Tờ khai đăng ký khai sinh (Mẫu TP/HT-2020-KS.1)"
FIELDS = [
    # key, label, type, section, prefill, rules
    ("nguoi_yeu_cau_ho_ten", "Họ, chữ đệm, tên người yêu cầu", "person_name", "Người yêu cầu", "account:full_name", {}),
    ("nguoi_yeu_cau_noi_cu_tru", "Nơi cư trú", "address", "Người yêu cầu", "account:address", {}),
    ("cccd_nguoi_yeu_cau", "Giấy tờ tùy thân: số CCCD", "cccd", "Người yêu cầu", "account:cccd", {}),
    ("nguoi_yeu_cau_ngay_sinh", "Ngày sinh người yêu cầu", "date", "Người yêu cầu", "account:date_of_birth", {}),
    ("nguoi_yeu_cau_ngay_cap", "Ngày cấp CCCD", "date", "Người yêu cầu", "vault:cccd:issue_date", {}),
    ("nguoi_yeu_cau_noi_cap", "Nơi cấp CCCD", "text", "Người yêu cầu", "vault:cccd:issuer", {}),
    ("dien_thoai", "Số điện thoại liên hệ", "phone", "Người yêu cầu", "account:phone", {}),
    ("ngay_sinh", "Ngày, tháng, năm sinh", "date", "Người được khai sinh", "", {"not_future": True}),
    ("dan_toc", "Dân tộc", "ethnicity", "Người được khai sinh", "", {}),
]


@pytest.fixture
def birth(world):
    """A level-4 birth registration whose declaration the e-form carries (rendered by the system online)."""
    version = ProcedureVersionFactory(
        complete=True, level=4, processing_amount=5, competent_agency=Agency.objects.get(code="000.00.02.H53")
    )
    make_publishable(version)
    version.receiving_desks.set([world["desk"]])
    version.documents.filter(is_form=True).update(name=DECLARATION, from_eform=True)
    version.form_fields.filter(key="ho_ten").update(label="Họ, chữ đệm, tên", section="Người được khai sinh")
    for position, (key, label, kind, section, prefill, rules) in enumerate(FIELDS, start=2):
        EFormField.objects.create(
            version=version,
            position=position,
            key=key,
            label=label,
            field_type=kind,
            section=section,
            prefill=prefill,
            rules=rules,
            required=key in ("ngay_sinh", "cccd_nguoi_yeu_cau"),
        )
    world["birth"] = procedure_version_publish(version=version)
    return world


def _vault_cccd(citizen, *, issue_date, issuer, created_at, valid_until=None, sha="a"):
    return VaultDocument.objects.create(
        owner=citizen,
        title="Căn cước công dân",
        document_type=DocumentTypeFactory(code="cccd"),
        source=VaultSource.SUBMITTED,
        file=f"vault/2027/03/{sha}.pdf",
        original_name="cccd.pdf",
        content_type="application/pdf",
        size=100,
        sha256=sha * 64,
        issuer=issuer,
        issue_date=issue_date,
        valid_until=valid_until,
        created_at=created_at,
    )


def test_a_new_draft_is_prefilled_from_the_account_and_the_vault(birth, citizen):
    profile = citizen.citizen
    profile.date_of_birth = dt.date(1995, 7, 14)
    profile.save()
    _vault_cccd(
        citizen, issue_date=dt.date(2016, 1, 5), issuer="Công an tỉnh", created_at=local(2026, 1, 1, 8, 0), sha="b"
    )
    _vault_cccd(
        citizen,
        issue_date=dt.date(2021, 4, 10),
        issuer="Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        created_at=local(2026, 6, 1, 8, 0),
        sha="c",
    )
    _vault_cccd(  # newer, but no longer valid: not used
        citizen,
        issue_date=dt.date(2026, 12, 1),
        issuer="Nơi cấp đã hết hạn",
        created_at=local(2027, 1, 1, 8, 0),
        valid_until=dt.date(2027, 2, 1),
        sha="d",
    )

    draft = draft_start(citizen=citizen, procedure_version=birth["birth"], at=local(2027, 3, 1, 8, 0))

    assert draft.form_data == {
        "nguoi_yeu_cau_ho_ten": citizen.full_name,
        "nguoi_yeu_cau_noi_cu_tru": profile.address,
        "cccd_nguoi_yeu_cau": profile.cccd,
        "nguoi_yeu_cau_ngay_sinh": "1995-07-14",
        "nguoi_yeu_cau_ngay_cap": "2021-04-10",
        "nguoi_yeu_cau_noi_cap": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "dien_thoai": citizen.phone,
    }


def _fill(birth, citizen, *, birth_date, at):
    version = birth["birth"]
    draft = draft_start(citizen=citizen, procedure_version=version, at=at)
    declaration = version.documents.get(from_eform=True)
    certificate = version.documents.get(from_eform=False)
    outcome = draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            form_data={**draft.form_data, "ho_ten": "Trần\u200b Văn Bé", "ngay_sinh": birth_date, "dan_toc": "Kinh"},
            contact={"phone": "0912000111", "email": "dan@example.vn", "return_method": "online"},
            desk_id=birth["desk"].pk,
            # A scan sent for the declaration anyway is not attached: the system writes that one.
            uploads=[(certificate, pdf_unique("chung-sinh.pdf")), (declaration, pdf_unique("to-khai-giay.pdf"))],
        ),
        at=at,
    )
    assert not outcome.file_errors
    return outcome.draft, declaration


def test_a_birth_date_in_the_future_stops_the_submission_and_renders_nothing(birth, citizen):
    at = local(2027, 3, 1, 9, 0)
    citizen.full_name = "Trần Thị Dân"  # the factory's numbered names are not names a person has
    citizen.save()
    draft, _declaration = _fill(birth, citizen, birth_date="2999-01-01", at=at)

    with pytest.raises(ValidationError) as refused:
        draft_submit(draft=draft, citizen=citizen, at=at)

    assert refused.value.messages == ["Người được khai sinh — Ngày, tháng, năm sinh: Ngày không được sau ngày hôm nay."]
    assert not Dossier.objects.exists()


def test_the_system_renders_the_declaration_and_attaches_it_as_its_component(birth, citizen):
    at = local(2027, 3, 1, 9, 0)
    citizen.full_name = "Trần Thị Dân"  # the factory's numbered names are not names a person has
    citizen.save()
    draft, declaration = _fill(birth, citizen, birth_date="2026-11-20", at=at)
    assert list(DraftFile.objects.filter(draft=draft).values_list("requirement", flat=True)) == [
        birth["birth"].documents.get(from_eform=False).pk
    ]
    field_errors, problems = draft_problems(draft)
    assert not field_errors and not any(DECLARATION in problem for problem in problems)

    dossier = draft_submit(draft=draft, citizen=citizen, at=at)

    rendered = dossier.documents.get(requirement=declaration)
    assert rendered.content_type == "application/pdf" and rendered.page_count == 1
    assert rendered.original_name.endswith(".pdf") and rendered.uploaded_by == citizen
    with default_storage.open(rendered.file.name) as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-") and len(data) == rendered.size
    assert open_as("pdf", data, name="to-khai.pdf").pages == 1
    assert dossier.form_data["ho_ten"] == "Trần Văn Bé"  # the zero-width space is gone
    assert dossier.documents.count() == 2


def test_the_declaration_shows_the_official_form_with_what_was_declared(birth, citizen):
    version = birth["birth"]
    values = {"ho_ten": "Trần Văn Bé", "ngay_sinh": dt.date(2027, 2, 20), "dan_toc": "Kinh", "dien_thoai": ""}

    context = declaration_context(
        requirement=version.documents.get(from_eform=True),
        definitions=list(version.form_fields.all()),
        values=values,
        citizen=citizen,
        desk=birth["desk"],
        at=local(2027, 3, 1, 9, 0),
    )
    html = render_to_string("portal/declaration_pdf.html", context)

    assert context["form_number"] == "Mẫu TP/HT-2020-KS.1" and context["title"] == "Tờ khai đăng ký khai sinh"
    assert [section["title"] for section in context["sections"]] == [
        "Người được khai sinh",
        "Người yêu cầu",
        "Người được khai sinh",
    ]
    assert ("Ngày, tháng, năm sinh", "20/02/2027") in context["sections"][-1]["rows"]
    assert "Trần Văn Bé" in html and "Kính gửi: " + birth["desk"].agency.name in html
    assert "Tôi cam đoan" in html and "ngày 01 tháng 03 năm 2027" in html
