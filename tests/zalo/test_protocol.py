"""The wire protocol against digests computed by hand from the documented formula (DOMAIN.md §10)."""

import datetime as dt

import pytest

from onestop_tayninh.zalo import protocol

APP_ID = "4321012345678901"
BODY = b'{"app_id":"4321012345678901","event_name":"follow","timestamp":"1733900000000"}'
# sha256(app_id + body + timestamp + OA secret), computed once outside the code under test.
DIGEST = "053f34f7d42c8cf6f1854ca7b1d3dfe1972b39aef109820ca89f97e2533d6a37"


def test_signature_is_the_plain_sha256_of_app_id_body_timestamp_and_secret():
    assert protocol.signature(app_id=APP_ID, body=BODY, timestamp="1733900000000", oa_secret="khoa-bi-mat-oa") == DIGEST


@pytest.mark.parametrize(
    ("header", "valid"),
    [
        (f"mac={DIGEST}", True),
        (f"mac={DIGEST.upper()}", True),
        (f" mac={DIGEST} ", True),
        (DIGEST, False),
        (f"mac={DIGEST[:-1]}0", False),
        ("mac=", False),
        ("", False),
        (None, False),
    ],
)
def test_signature_header(header, valid):
    check = protocol.signature_valid(
        header=header, app_id=APP_ID, body=BODY, timestamp="1733900000000", oa_secret="khoa-bi-mat-oa"
    )
    assert check is valid


def test_a_changed_byte_or_another_secret_breaks_the_signature():
    kwargs = {"header": f"mac={DIGEST}", "app_id": APP_ID, "timestamp": "1733900000000"}
    assert not protocol.signature_valid(body=BODY.replace(b"follow", b"unfollow"), oa_secret="khoa-bi-mat-oa", **kwargs)
    assert not protocol.signature_valid(body=BODY, oa_secret="khoa-khac", **kwargs)


def test_event_id_is_the_msg_id_as_a_string_even_when_a_number():
    assert protocol.event_id({"message": {"msg_id": 1234567890123456789}}) == "1234567890123456789"
    assert protocol.event_id({"message": {"msg_id": "abc"}}) == "abc"


def test_event_without_a_message_is_identified_by_the_hash_of_app_event_time_and_sender():
    payload = {
        "app_id": APP_ID,
        "event_name": "follow",
        "timestamp": "1733900000000",
        "sender": {"id": 8765432109876543},
    }
    # sha256("4321012345678901|follow|1733900000000|8765432109876543"), computed by hand.
    assert protocol.event_id(payload) == "92247045d8373e7fe84ff11fe2f56e2ee0e0b14ca0c0635422b34b221db41e80"
    assert protocol.event_id({**payload, "timestamp": "1733900000001"}) != protocol.event_id(payload)


def test_timestamp_in_milliseconds_or_seconds():
    expected = dt.datetime(2024, 12, 11, 6, 53, 20, tzinfo=dt.UTC)
    assert protocol.timestamp_parse("1733900000000") == expected
    assert protocol.timestamp_parse("1733900000") == expected
    with pytest.raises(protocol.MalformedEvent):
        protocol.timestamp_parse("hôm qua")
