"""The receipt carries, beside the Circular 01/2023 QR code, the applicant's own link (issue 16, point 10):
scanned, it opens the dossier's page without an account (portal.applicant_views)."""

import pytest

from onestop_tayninh.dossiers.access import dossier_for_token
from onestop_tayninh.printing.form_contexts import render_form

from .conftest import local, receive_full

pytestmark = pytest.mark.django_db


def test_the_receipts_second_qr_code_is_the_applicants_signed_link(world, as_pdf):
    dossier = receive_full(world)
    doc = as_pdf(render_form(dossier=dossier, kind="receipt", at=local(2027, 3, 1, 8, 5)))
    assert doc.pages() == 1
    (link,) = doc.qr_links()
    assert link.startswith("http://127.0.0.1:8000/ho-so/")
    assert dossier_for_token(link.split("/ho-so/", 1)[1].rstrip("/")) == dossier
    assert f"Mã hồ sơ: {dossier.code}" in doc.qr()  # the Circular's code is still there, apart
    assert "không cần tài khoản" in doc.text()


def test_other_forms_carry_no_applicant_link(world, as_pdf):
    from onestop_tayninh.dossiers.actions import dossier_transition
    from tests.workflows.conftest import user

    dossier = receive_full(world)
    dossier_transition(dossier=dossier, actor=user("tiepnhan.tinh"), transition="chuyen-xu-ly", at=local(2027, 3, 1, 9))
    doc = as_pdf(render_form(dossier=dossier, kind="control_sheet", at=local(2027, 3, 1, 10, 0)))
    assert doc.qr_links() == []
