"""The receipt page records, per component, the paper actually handed in (Form 01 prints it)."""

import re

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile

from onestop_tayninh.dossiers.models import Dossier

from .conftest import PDF_BYTES
from .test_receipt_page import URL, _post, _query, officer_client  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _scan(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, "application/pdf")


def test_the_page_offers_the_procedures_numbers_to_correct(officer_client, world):  # noqa: F811
    page = officer_client.get(URL + _query(world)).content.decode()
    for requirement in world["version"].documents.all():
        originals = re.search(rf'<input[^>]*name="originals_{requirement.pk}"[^>]*>', page).group(0)
        certified = re.search(rf'<input[^>]*name="certified_{requirement.pk}"[^>]*>', page).group(0)
        assert f'value="{requirement.originals}"' in originals and f'value="{requirement.copies}"' in certified
    assert "Bản chính" in page and "Bản sao chứng thực" in page and "Bản chụp" in page


def test_the_counts_entered_are_kept_with_each_file(officer_client, world):  # noqa: F811
    first, second = world["version"].documents.all()
    counts = {
        f"originals_{first.pk}": "0",
        f"certified_{first.pk}": "2",
        f"photocopies_{first.pk}": "1",
        f"originals_{second.pk}": "1",
        f"certified_{second.pk}": "0",
        f"photocopies_{second.pk}": "0",
    }
    response = _post(officer_client, world, "accept", **counts)
    assert response.status_code == 302
    documents = {d.requirement_id: d for d in Dossier.objects.get().documents.all()}
    assert (documents[first.pk].originals, documents[first.pk].certified_copies, documents[first.pk].photocopies) == (
        0,
        2,
        1,
    )
    assert (documents[second.pk].originals, documents[second.pk].certified_copies) == (1, 0)


def test_counts_left_out_mean_the_procedures_numbers(officer_client, world):  # noqa: F811
    assert _post(officer_client, world, "accept").status_code == 302
    for document in Dossier.objects.get().documents.select_related("requirement"):
        assert (document.originals, document.certified_copies) == (
            document.requirement.originals,
            document.requirement.copies,
        )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("0", "0", "0"), "Hãy ghi số bản chính, bản sao chứng thực hoặc bản chụp đã nhận (ít nhất một bản)."),
        (("-1", "0", "1"), "Số bản không được âm."),
        (("1", "x", "0"), "Hãy nhập số bản bằng chữ số."),
    ],
)
def test_a_component_handed_in_without_paper_is_refused_and_nothing_started(officer_client, world, values, message):  # noqa: F811
    first = world["version"].documents.first()
    counts = dict(
        zip((f"originals_{first.pk}", f"certified_{first.pk}", f"photocopies_{first.pk}"), values, strict=True)
    )
    response = _post(officer_client, world, "accept", **counts)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_check_page_records_the_counts_of_a_component_added_there(officer_client, world):  # noqa: F811
    first, second = world["version"].documents.all()
    _post(officer_client, world, "accept", files=False, **{f"document_{first.pk}": _scan()})
    dossier = Dossier.objects.get()
    page = officer_client.get(f"/desk/dossiers/dossier/{dossier.pk}/check/").content.decode()
    assert f'name="photocopies_{second.pk}"' in page
    officer_client.post(
        f"/desk/dossiers/dossier/{dossier.pk}/check/",
        {
            "decision": "accept",
            f"document_{second.pk}": _scan("gcs.pdf"),
            f"originals_{second.pk}": "0",
            f"certified_{second.pk}": "0",
            f"photocopies_{second.pk}": "2",
        },
    )
    document = dossier.documents.get(requirement=second)
    assert (document.originals, document.certified_copies, document.photocopies) == (0, 0, 2)
