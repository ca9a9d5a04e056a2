"""The stand-in Zalo's own protocol (scripts/fake_zalo.py), over real HTTP, with a webhook that only
listens: photos and files sent as signed events whose URLs serve the bytes, the OA's buttons and
images kept, the interaction window and unfollow refusals, ZNS, user detail, injected faults, and
the chat page driven in a phone-sized browser."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from onestop_tayninh.zalo import protocol
from tests.browser.conftest import PHONE
from tests.zalo import support
from tests.zalo.support import APP_ID, OA_SECRET, seed

WINDOW = 60  # seconds of the stand-in's interaction window in these tests
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2e9e4b30000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def capture():
    webhook = support.Capture()
    yield webhook
    webhook.close()


@pytest.fixture(scope="module")
def standin(capture):
    process, address = support.start_fake(
        webhook_url=capture.url,
        options=["--interaction-window", str(WINDOW), "--zns-template", "tb-ho-so=ma_ho_so,noi_dung"],
    )
    try:
        yield address
    finally:
        support.stop(process)


@pytest.fixture(scope="module")
def token(standin) -> str:
    return seed(standin)["access_token"]


def control(address: str, route: str, body: bytes | None = None, **params) -> dict:
    return requests.post(f"{address}{route}", params=params, data=body, timeout=10).json()


def send(address: str, token: str, user_id: str, message: dict) -> dict:
    return requests.post(
        f"{address}/v3.0/oa/message/cs",
        headers={"access_token": token},
        json={"recipient": {"user_id": user_id}, "message": message},
        timeout=10,
    ).json()


def zns(address: str, token: str, **body) -> dict:
    return requests.post(f"{address}/message/template", headers={"access_token": token}, json=body, timeout=10).json()


def conversation(address: str, user_id: str) -> list[dict]:
    return requests.get(f"{address}/messages", params={"user_id": user_id}, timeout=5).json()


def signed_as_zalo(headers: dict[str, str], body: bytes) -> bool:
    """The project's own check (zalo.protocol), as the webhook runs it."""
    return protocol.signature_valid(
        header=headers.get("X-ZEvent-Signature"),
        app_id=APP_ID,
        body=body,
        timestamp=str(json.loads(body)["timestamp"]),
        oa_secret=OA_SECRET,
    )


def test_a_photo_is_one_signed_event_whose_url_serves_the_same_bytes(standin, capture):
    answer = control(standin, "/_send_image", PNG, user_id="sa-1", name="giay-to.png")
    assert answer["delivered"] is True, answer
    headers, body = capture.wait_for(lambda e: e["event_name"] == "user_send_image" and e["sender"]["id"] == "sa-1")
    assert signed_as_zalo(headers, body)
    message = json.loads(body)["message"]
    assert message["text"] == "" and message["msg_id"]
    (attachment,) = message["attachments"]
    assert attachment["type"] == "image"
    assert attachment["payload"]["thumbnail"] == attachment["payload"]["url"]
    served = requests.get(attachment["payload"]["url"], timeout=5)
    assert served.status_code == 200
    assert served.content == PNG and served.headers["Content-Type"] == "image/png"
    (sent,) = conversation(standin, "sa-1")
    assert (sent["from"], sent["kind"], sent["url"]) == ("user", "image", attachment["payload"]["url"])


def test_a_file_is_a_user_send_file_event_with_its_name_size_type_and_checksum(standin, capture):
    content = "%PDF-1.4 Tờ khai đăng ký khai sinh".encode()
    assert control(standin, "/_send_file", content, user_id="sa-2", name="to-khai.pdf")["delivered"] is True
    headers, body = capture.wait_for(lambda e: e["event_name"] == "user_send_file" and e["sender"]["id"] == "sa-2")
    assert signed_as_zalo(headers, body)
    (attachment,) = json.loads(body)["message"]["attachments"]
    payload = attachment["payload"]
    assert attachment["type"] == "file"
    assert (payload["name"], payload["size"], payload["type"]) == ("to-khai.pdf", len(content), "pdf")
    assert payload["checksum"] == hashlib.md5(content, usedforsecurity=False).hexdigest()
    assert requests.get(payload["url"], timeout=5).content == content
    assert requests.get(f"{standin}/attachments/khong-co/x.pdf", timeout=5).status_code == 404


def test_the_oas_buttons_and_image_are_kept_for_the_chat(standin, token):
    control(standin, "/_follow", user_id="sa-3")
    buttons = [{"title": f"Mục {n}", "type": "oa.query.show", "payload": f"#muc-{n}"} for n in range(1, 6)]
    with_buttons = {"text": "Chọn một mục", "attachment": {"type": "template", "payload": {"buttons": buttons}}}
    assert send(standin, token, "sa-3", with_buttons)["error"] == 0
    image = {
        "type": "template",
        "payload": {"template_type": "media", "elements": [{"media_type": "image", "url": "http://anh/x.png"}]},
    }
    assert send(standin, token, "sa-3", {"attachment": image})["error"] == 0
    six = {"text": "Quá nhiều", "attachment": {"type": "template", "payload": {"buttons": [*buttons, buttons[0]]}}}
    assert send(standin, token, "sa-3", six) == {"error": -201, "message": "Parameters are invalid"}
    control(standin, "/_send", user_id="sa-3", text="#muc-2", hidden="1")
    follow, text, photo, hidden = conversation(standin, "sa-3")
    assert (follow["from"], follow["kind"]) == ("user", "follow")
    assert (text["from"], text["kind"], text["text"], text["buttons"]) == ("oa", "cs", "Chọn một mục", buttons)
    assert (photo["image_url"], photo["text"]) == ("http://anh/x.png", "")
    assert (hidden["from"], hidden["text"], hidden["hidden"]) == ("user", "#muc-2", True)
    # Without a user, the list holds only what the OA sent.
    everything = requests.get(f"{standin}/messages", timeout=5).json()
    assert {m["from"] for m in everything} == {"oa"}


def test_outside_the_interaction_window_consultation_is_refused_until_the_user_writes_again(standin, token):
    control(standin, "/_send", user_id="sa-4", text="khai sinh")
    assert send(standin, token, "sa-4", {"text": "Trả lời ngay"})["error"] == 0
    control(standin, "/_age", user_id="sa-4", seconds=WINDOW + 1)
    assert send(standin, token, "sa-4", {"text": "Quá muộn"}) == {
        "error": -230,
        "message": "User has not interacted with the OA in the last 7 days",
    }
    control(standin, "/_send", user_id="sa-4", text="Còn đó không?")
    assert send(standin, token, "sa-4", {"text": "Có ạ"})["error"] == 0


def test_after_unfollowing_consultation_is_refused(standin, token, capture):
    control(standin, "/_follow", user_id="sa-5")
    assert control(standin, "/_unfollow", user_id="sa-5")["delivered"] is True
    headers, body = capture.wait_for(lambda e: e["event_name"] == "unfollow" and e["sender"]["id"] == "sa-5")
    assert signed_as_zalo(headers, body) and json.loads(body)["follower"] == {"id": "sa-5"}
    assert send(standin, token, "sa-5", {"text": "Tạm biệt"}) == {"error": -213, "message": "User has not followed OA"}


def test_zns_is_sent_to_an_84_phone_with_a_known_template_and_its_parameters(standin, token):
    control(standin, "/_phone", user_id="sa-6", phone="84901234567")
    data = {"ma_ho_so": "000.00.01.H60-260101-0001", "noi_dung": "Hồ sơ đã có kết quả"}
    answer = zns(standin, token, phone="84901234567", template_id="tb-ho-so", template_data=data, tracking_id="t-1")
    assert answer["error"] == 0 and answer["message"] == "Success"
    assert answer["data"]["msg_id"] and answer["data"]["sent_time"].isdigit()
    assert answer["data"]["quota"]["dailyQuota"] == "500"
    (shown,) = [m for m in conversation(standin, "sa-6") if m["kind"] == "zns"]
    assert (shown["phone"], shown["template_id"], shown["template_data"]) == ("84901234567", "tb-ho-so", data)
    assert shown["text"] == "tb-ho-so: ma_ho_so=000.00.01.H60-260101-0001; noi_dung=Hồ sơ đã có kết quả"
    assert zns(standin, token, phone="84901234567", template_id="khong-co", template_data=data) == {
        "error": -1123,
        "message": "Template not found",
    }
    assert zns(standin, token, phone="0901234567", template_id="tb-ho-so", template_data=data)["error"] == -108
    missing = {"ma_ho_so": "000.00.01.H60-260101-0001"}
    assert zns(standin, token, phone="84901234567", template_id="tb-ho-so", template_data=missing)["error"] == -1124
    assert zns(standin, "AT-sai", phone="84901234567", template_id="tb-ho-so", template_data=data)["error"] == -216


def test_user_detail_says_name_follower_and_shared_phone(standin, token):
    control(standin, "/_phone", user_id="sa-7", phone="84912345678", display_name="Trần Thị Bình")
    control(standin, "/_follow", user_id="sa-7")

    def detail(user_id: str, access_token: str = token) -> dict:
        return requests.get(
            f"{standin}/v3.0/oa/user/detail",
            params={"data": json.dumps({"user_id": user_id})},
            headers={"access_token": access_token},
            timeout=5,
        ).json()

    assert detail("sa-7") == {
        "error": 0,
        "message": "Success",
        "data": {
            "user_id": "sa-7",
            "display_name": "Trần Thị Bình",
            "user_is_follower": True,
            "avatar": "",
            "shared_info": {"phone": "84912345678"},
        },
    }
    assert detail("chua-gap")["error"] == -213
    assert detail("sa-7", access_token="AT-sai")["error"] == -216


def test_injected_faults_play_the_given_number_of_times(standin, token):
    path = "/v3.0/oa/message/cs"
    control(standin, "/_fail", path=path, times=1, mode="500")
    control(standin, "/_fail", path="/message/template", times=2, mode="error", code=-32)
    assert requests.get(f"{standin}/_state", timeout=5).json()["faults"] == {
        path: {"mode": "500", "times": 1, "seconds": 30.0, "code": -32},
        "/message/template": {"mode": "error", "times": 2, "seconds": 30.0, "code": -32},
    }
    refused = requests.post(f"{standin}{path}", headers={"access_token": token}, json={}, timeout=5)
    assert refused.status_code == 500
    assert send(standin, token, "sa-8", {"text": "Lần sau được"})["error"] == 0
    data = {"ma_ho_so": "1", "noi_dung": "x"}
    for _ in range(2):
        assert zns(standin, token, phone="84901234567", template_id="tb-ho-so", template_data=data)["error"] == -32
    assert zns(standin, token, phone="84901234567", template_id="tb-ho-so", template_data=data)["error"] == 0
    control(standin, "/_fail", path=path, times=1, mode="timeout", seconds=1.5)
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{standin}{path}",
            headers={"access_token": token},
            json={"recipient": {"user_id": "sa-8"}, "message": {"text": "Chậm"}},
            timeout=0.5,
        )
    assert requests.get(f"{standin}/_state", timeout=5).json()["faults"] == {}
    assert send(standin, token, "sa-8", {"text": "Nhanh lại"})["error"] == 0


@pytest.mark.browser
def test_the_chat_page_sends_a_text_and_a_buttons_payload(browser, screenshot, standin, token, capture):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{standin}/")
        page.get_by_text("Bạn đang là").click()  # the user picker, folded under the header
        page.get_by_label("Mã người dùng Zalo").fill("sa-browser")
        page.get_by_label("Mã người dùng Zalo").press("Tab")
        page.get_by_role("button", name="Quan tâm OA").click()
        capture.wait_for(lambda e: e["event_name"] == "follow" and e["sender"]["id"] == "sa-browser")
        page.get_by_label("Tin nhắn").fill("khai sinh")
        page.get_by_role("button", name="Gửi", exact=True).click()
        page.locator(".row.user .bubble", has_text="khai sinh").wait_for()
        capture.wait_for(lambda e: e["event_name"] == "user_send_text" and e["message"]["text"] == "khai sinh")

        buttons = [
            {"title": "Đăng ký khai sinh", "type": "oa.query.show", "payload": "#thu-tuc-1"},
            {"title": "Xem trên Cổng", "type": "oa.open.url", "payload": {"url": "http://127.0.0.1:9/thu-tuc/1/"}},
        ]
        message = {
            "text": "Tìm thấy 1 thủ tục:\nĐăng ký khai sinh\nhttp://127.0.0.1:9/thu-tuc/1/",
            "attachment": {"type": "template", "payload": {"buttons": buttons}},
        }
        assert send(standin, token, "sa-browser", message)["error"] == 0
        page.get_by_role("button", name="Đăng ký khai sinh").click()
        headers, body = capture.wait_for(
            lambda e: e["event_name"] == "user_send_text" and e["message"]["text"] == "#thu-tuc-1"
        )
        assert signed_as_zalo(headers, body) and json.loads(body)["sender"]["id"] == "sa-browser"
        page.locator(".row.user .bubble", has_text="#thu-tuc-1").wait_for()
        link = page.get_by_role("link", name="http://127.0.0.1:9/thu-tuc/1/")
        assert link.get_attribute("target") == "_blank"
        screenshot(page, "zalo-standin-chat-phone")
    finally:
        context.close()
