"""Property-based: no input on the citizen's forms gives a server error, and a bad input changes nothing it should not."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.urls import reverse

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.portal.models import ServiceRating

from .conftest import filled_draft

pytestmark = pytest.mark.django_db

# Text as users (and attackers) type it: any Unicode except the NUL that no form field carries.
typed = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300)
FIXTURE_OK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def draft(online, citizen):
    return filled_draft(online, citizen)


@FIXTURE_OK
@given(
    name=typed,
    cccd=typed,
    phone=typed,
    email=typed,
    desk=typed,
    method=typed,
    action=st.sampled_from(["save", "submit", "remove-0", "remove-x", ""]) | typed,
)
def test_the_draft_page_never_fails(client, citizen, draft, name, cccd, phone, email, desk, method, action):
    client.force_login(citizen)
    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {
            "action": action,
            "f-ho_ten": name,
            "f-cccd_me": cccd,
            "phone": phone,
            "email": email,
            "receiving_desk": desk,
            "return_method": method,
        },
    )
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert draft.files.count() == 2  # no typed input removes a file unless its own button is pressed
    if response.status_code == 200:
        assert not Dossier.objects.filter(draft=draft).exists()


@FIXTURE_OK
@given(reason=typed, satisfied=typed, answer=typed, requirement=typed)
def test_the_dossier_page_forms_never_fail(client, citizen, online, reason, satisfied, answer, requirement):
    from onestop_tayninh.portal.services import draft_submit

    from ..workflows.conftest import local

    dossier = Dossier.objects.filter(applicant_account=citizen).first() or draft_submit(
        draft=filled_draft(online, citizen), citizen=citizen, at=local(2027, 3, 1, 9, 0)
    )
    client.force_login(citizen)
    posts = [
        ("portal:withdraw", {"reason": reason}),
        ("portal:rate", {"satisfied": satisfied, "q_time": answer, "comment": reason}),
        ("portal:supplement_upload", {"requirement": requirement}),
        ("portal:supplement_submit", {}),
    ]
    for name, data in posts:
        response = client.post(reverse(name, args=[dossier.pk]), data)
        assert response.status_code == 302, name
    assert not ServiceRating.objects.exists()  # never before a result
