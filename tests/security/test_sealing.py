"""Secrets sealed at rest: the OA's tokens are not in the database in clear, and survive a key rotation."""

import pytest

from django.db import connection
from django.utils import timezone

from onestop_tayninh.security.sealing import PREFIX, SealBroken, seal, unseal
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo.models import OaToken


def test_a_sealed_value_opens_and_reads_nothing_in_clear():
    sealed = seal("AT-bi-mat-cua-oa")
    assert sealed.startswith(PREFIX) and "AT-bi-mat" not in sealed
    assert unseal(sealed) == "AT-bi-mat-cua-oa"
    assert seal("") == "" and unseal("") == ""
    assert unseal("gia-tri-cu-chua-ma-hoa") == "gia-tri-cu-chua-ma-hoa"


def test_a_rotated_secret_key_still_opens_old_values_and_a_lost_one_says_so(settings):
    sealed = seal("RT-truoc-khi-doi-khoa")
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "khoa-moi-" + "x" * 50, [old]
    assert unseal(sealed) == "RT-truoc-khi-doi-khoa"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SealBroken, match="khóa bí mật của hệ thống đã đổi"):
        unseal(sealed)


@pytest.mark.django_db
def test_the_oa_tokens_are_stored_sealed(settings):
    settings.ONESTOP_ZALO_APP_ID = "4321012345678901"
    zalo_client.token_store(
        access_token="AT-rat-bi-mat", refresh_token="RT-rat-bi-mat", access_expires_at=None, at=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token_sealed, refresh_token_sealed FROM zalo_oatoken")
        (row,) = cursor.fetchall()
    assert all(value.startswith(PREFIX) and "rat-bi-mat" not in value for value in row)
    token = OaToken.objects.get()
    assert (token.access_token, token.refresh_token) == ("AT-rat-bi-mat", "RT-rat-bi-mat")
