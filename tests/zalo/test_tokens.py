"""The OA's tokens: an expired access token refreshed once, the single-use refresh token rotated,
a refused refresh leaving the stored pair as it was, two workers spending the refresh token once."""

import datetime as dt

import pytest
import requests

from django.utils import timezone

from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo.models import OaToken
from tests.support import at_once
from tests.zalo import support
from tests.zalo.support import APP_ID, APP_SECRET, messages_to, seed, state

fake = support.fake
zalo = support.zalo


def store(pair: dict, *, access_token: str | None = None, expires_at=None) -> OaToken:
    return zalo_client.token_store(
        access_token=pair["access_token"] if access_token is None else access_token,
        refresh_token=pair["refresh_token"],
        access_expires_at=expires_at,
        at=timezone.now(),
    )


def spend(address: str, refresh_token: str) -> dict:
    """Someone else spends the refresh token (a second copy of the system, a leaked token)."""
    return requests.post(
        f"{address}/v4/oa/access_token",
        headers={"secret_key": APP_SECRET},
        data={"refresh_token": refresh_token, "app_id": APP_ID, "grant_type": "refresh_token"},
        timeout=5,
    ).json()


@pytest.mark.django_db
def test_an_expired_access_token_is_refreshed_once_and_the_refresh_token_rotated(zalo):
    pair = seed(zalo)
    store(pair)
    requests.post(f"{zalo}/_expire", timeout=5)  # Zalo now answers -216 to the stored access token
    before = state(zalo)["refreshes"]
    assert zalo_client.send_text("token-2001", "Thử gửi").message_id
    after = state(zalo)
    assert after["refreshes"] == before + 1
    assert after["refresh_tokens"][pair["refresh_token"]] is True  # spent at Zalo
    row = OaToken.objects.get()
    assert row.refresh_token != pair["refresh_token"] and row.access_token != pair["access_token"]
    assert row.access_expires_at > timezone.now() + dt.timedelta(hours=24)
    assert [m["text"] for m in messages_to(zalo, "token-2001")] == ["Thử gửi"]
    # The next message goes with the new token: no refresh.
    zalo_client.send_text("token-2001", "Lần hai")
    assert state(zalo)["refreshes"] == before + 1


@pytest.mark.django_db
def test_an_access_token_about_to_expire_is_refreshed_before_sending(zalo):
    pair = seed(zalo)
    store(pair, expires_at=timezone.now() + dt.timedelta(minutes=1))
    before = state(zalo)["refreshes"]
    zalo_client.send_text("token-2002", "Trước khi hết hạn")
    assert state(zalo)["refreshes"] == before + 1
    assert OaToken.objects.get().refresh_token != pair["refresh_token"]


@pytest.mark.django_db
def test_a_spent_refresh_token_gives_a_clear_error_and_leaves_the_stored_pair(zalo):
    pair = seed(zalo)
    row = store(pair, access_token="AT-khong-con-hieu-luc")
    assert "access_token" in spend(zalo, pair["refresh_token"])
    with pytest.raises(zalo_client.ZaloTokenError, match="Zalo từ chối làm mới khóa truy cập \\(mã -14014\\)"):
        zalo_client.send_text("token-2003", "Không gửi được")
    unchanged = OaToken.objects.get()
    assert (unchanged.access_token, unchanged.refresh_token, unchanged.updated_at) == (
        "AT-khong-con-hieu-luc",
        pair["refresh_token"],
        row.updated_at,
    )
    assert messages_to(zalo, "token-2003") == []


@pytest.mark.django_db
def test_without_a_stored_token_sending_says_so(zalo):
    with pytest.raises(zalo_client.ZaloTokenError, match="Chưa có khóa truy cập Zalo OA"):
        zalo_client.send_text("token-2004", "Chưa có khóa")


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(zalo):
    pair = seed(zalo)
    store(pair, access_token="AT-het-han")
    before = state(zalo)["refreshes"]
    # Both found "AT-het-han" refused; each asks for a refresh, on its own connection. The
    # stand-in takes 0.2 s per refresh, so without the row lock both would spend the token.
    results = at_once(
        lambda: zalo_client.refresh_token(stale_access_token="AT-het-han"),
        lambda: zalo_client.refresh_token(stale_access_token="AT-het-han"),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] == results[1] == OaToken.objects.get().access_token
    assert state(zalo)["refreshes"] == before + 1
