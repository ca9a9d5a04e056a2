"""Identity after registration: the unverified account, verification through the login port (VNeID) or at
the desk, the squatted CCCD given back to its holder, the phone confirmed before submitting."""

import datetime as dt

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.accounts.login.base import Identity
from onestop_tayninh.accounts.models import CitizenProfile, User
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.security.models import AuditEvent
from tests.accounts.conftest import CCCD
from tests.accounts.test_login_providers import FakeProvider, drive
from tests.accounts.test_login_providers import provider as provider
from tests.factories import CitizenFactory, OfficialFactory

pytestmark = pytest.mark.django_db

DESK_URL = reverse("admin:accounts_citizenprofile_identity")


def owner_identity(cccd=CCCD, **overrides):
    values = {
        "subject": "sub-owner",
        "cccd": cccd,
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": dt.date(1990, 5, 17),
        "phone": "0933000111",
    }
    values.update(overrides)
    return Identity(**values)


@pytest.fixture
def officer(db):
    return OfficialFactory(roles=["receiving_officer"]).user


# --- verification through the login port --------------------------------------------------------


def test_a_registered_account_is_unverified_and_says_so(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Chưa xác minh" in html and "mang thẻ CCCD đến bộ phận một cửa" in html
    assert not citizen.citizen.identity_verified


def test_the_logged_in_citizen_verifies_through_the_provider(client, provider, citizen):
    client.force_login(citizen)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f"{reverse('accounts:provider_start', args=[FakeProvider.code])}?xac-minh=1" in html

    start = client.get(reverse("accounts:provider_start", args=[FakeProvider.code]), {"xac-minh": "1"})
    response = client.get(start.url)

    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.identity_verified and profile.identity_verified_via == "vneid"
    assert client.session["_auth_user_id"] == str(citizen.pk)  # still the same account
    event = AuditEvent.objects.get(action="citizen_identity_verified")
    assert event.actor_id == citizen.pk and event.data["via"] == "vneid"


def test_a_provider_vouching_for_another_cccd_verifies_nothing(client, provider, citizen, monkeypatch):
    monkeypatch.setattr(FakeProvider, "identity", owner_identity(cccd="072190007777"))
    client.force_login(citizen)
    start = client.get(reverse("accounts:provider_start", args=[FakeProvider.code]), {"xac-minh": "1"})
    response = client.get(start.url)
    assert response.status_code == 400
    assert "Số CCCD trên VNeID khác với số CCCD của tài khoản này" in response.content.decode()
    assert not CitizenProfile.objects.get(user=citizen).identity_verified
    assert AuditEvent.objects.filter(action="citizen_identity_mismatch").count() == 1


# --- the squatted CCCD -----------------------------------------------------------------------------


def test_the_holder_claims_a_squatted_cccd_through_vneid(client, provider, citizen, monkeypatch):
    squatter = citizen  # registered CCCD with a password, never verified
    monkeypatch.setattr(FakeProvider, "identity", owner_identity())
    assert drive(client).url == reverse("accounts:provider_claim")

    response = client.post(reverse("accounts:provider_claim"))

    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    owner = User.objects.get(citizen__cccd=CCCD)
    assert owner.pk != squatter.pk and client.session["_auth_user_id"] == str(owner.pk)
    assert owner.citizen.identity_verified and owner.citizen.identity_verified_via == "vneid"
    squatter.refresh_from_db()
    assert squatter.citizen.cccd is None and squatter.is_active  # keeps the account, loses the number
    told = Message.objects.get(template_key=MessageKey.CCCD_CLAIMED)
    assert told.user == squatter and told.channel == "sms" and told.address == squatter.phone
    assert told.context["cccd"] == CCCD
    claim = AuditEvent.objects.get(action="citizen_cccd_claimed")
    assert claim.data == {
        "cccd": CCCD,
        "via": "vneid",
        "from_account": squatter.username,
        "to_account": owner.username,
    }


def test_the_claim_page_expires_and_cannot_be_forged(client, citizen):
    response = client.post(reverse("accounts:provider_claim"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert CitizenProfile.objects.get(user=citizen).cccd == CCCD


def test_a_verified_cccd_cannot_be_claimed(citizen):
    CitizenProfile.objects.filter(user=citizen).update(
        identity_verified_at=timezone.now(), identity_verified_via="desk"
    )
    with pytest.raises(ValidationError, match="đã được xác minh cho một tài khoản"):
        services.citizen_cccd_claim(cccd=CCCD, identity=owner_identity(), provider="vneid", at=timezone.now())
    assert CitizenProfile.objects.get(user=citizen).cccd == CCCD


# --- at the desk -----------------------------------------------------------------------------------


def test_an_officer_verifies_at_the_desk_after_checking_the_card(client, officer, citizen):
    client.force_login(officer)
    page = client.get(DESK_URL, {"cccd": CCCD}).content.decode()
    assert "Nguyễn Thị Lan" in page and "Chưa xác minh" in page

    refused = client.post(DESK_URL, {"cccd": CCCD, "action": "verify"})
    assert "Hãy kiểm tra thẻ CCCD bản gốc" in refused.content.decode()
    assert not CitizenProfile.objects.get(user=citizen).identity_verified

    response = client.post(DESK_URL, {"cccd": CCCD, "action": "verify", "card_checked": "on"})
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.identity_verified and profile.identity_verified_via == "desk"
    assert profile.identity_verified_by == officer
    actions = list(AuditEvent.objects.filter(actor_id=officer.pk).values_list("action", flat=True))
    assert "desk_identity_lookup" in actions and "citizen_identity_verified" in actions


def test_the_desk_gives_a_squatted_cccd_back_to_the_card_holder(client, officer, citizen):
    client.force_login(officer)
    data = {
        "cccd": CCCD,
        "action": "claim",
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": "1990-05-17",
        "sex": "female",
        "phone": "0933000111",
        "card_checked": "on",
    }
    response = client.post(DESK_URL, data)

    assert response.status_code == 302
    owner = User.objects.get(citizen__cccd=CCCD)
    assert owner.pk != citizen.pk and owner.phone == "0933000111" and not owner.has_usable_password()
    assert owner.citizen.identity_verified_via == "desk" and owner.citizen.identity_verified_by == officer
    assert CitizenProfile.objects.get(user=citizen).cccd is None
    assert Message.objects.get(template_key=MessageKey.CCCD_CLAIMED).user == citizen
    assert AuditEvent.objects.get(action="citizen_cccd_claimed").actor_id == officer.pk


def test_a_desk_claim_with_a_contradicting_card_changes_nothing(client, officer, citizen):
    client.force_login(officer)
    data = {
        "cccd": CCCD,
        "action": "claim",
        "full_name": "Nguyễn Văn Nam",
        "date_of_birth": "1985-01-01",
        "sex": "male",
        "phone": "0933000111",
    }
    html = client.post(DESK_URL, data).content.decode()
    assert "Hãy kiểm tra thẻ CCCD bản gốc" in html
    assert "Chữ số thứ tư của số CCCD (1) ứng với giới tính nữ" in html
    assert "Chữ số thứ năm và thứ sáu của số CCCD (90)" in html
    assert CitizenProfile.objects.get(user=citizen).cccd == CCCD
    assert not AuditEvent.objects.filter(action="citizen_cccd_claimed").exists()


def test_only_a_receiving_officer_checks_identities(client, citizen):
    clerk = OfficialFactory(roles=["handling_officer"]).user
    client.force_login(clerk)
    assert client.get(DESK_URL, {"cccd": CCCD}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.citizen_identity_verify_at_desk(
            profile=citizen.citizen, officer=clerk, card_checked=True, at=timezone.now()
        )
    assert not AuditEvent.objects.filter(action="desk_identity_lookup").exists()


# --- the phone before submitting --------------------------------------------------------------------


def test_a_changed_phone_must_be_confirmed_again_by_sms(client):
    user = CitizenFactory().user
    assert user.citizen.phone_confirmed
    services.citizen_profile_update(
        user=user, phone="0977123456", email=user.email, address="", date_of_birth=None, at=timezone.now()
    )
    user.citizen.refresh_from_db()
    assert not user.citizen.phone_confirmed
    client.force_login(user)
    assert client.post(reverse("accounts:phone_code_send")).url == reverse("accounts:phone_confirm")
    sms = Message.objects.get(template_key=MessageKey.PHONE_CODE)
    assert sms.address == "0977123456" and sms.user == user
    response = client.post(reverse("accounts:phone_confirm"), {"code": sms.context["code"]})
    assert response.status_code == 302
    user.citizen.refresh_from_db()
    assert user.citizen.phone_confirmed


def test_the_profile_keeps_the_date_of_birth_in_line_with_the_cccd(citizen):
    with pytest.raises(ValidationError) as caught:
        services.citizen_profile_update(
            user=citizen,
            phone=citizen.phone,
            email=citizen.email,
            address="",
            date_of_birth=dt.date(2001, 1, 1),
            at=timezone.now(),
        )
    assert "ứng với người sinh trong các năm 1900–1999" in caught.value.message_dict["date_of_birth"][0]
    services.citizen_profile_update(
        user=citizen,
        phone=citizen.phone,
        email=citizen.email,
        address="",
        date_of_birth=dt.date(1990, 1, 2),
        at=timezone.now(),
    )
    assert CitizenProfile.objects.get(user=citizen).date_of_birth == dt.date(1990, 1, 2)
