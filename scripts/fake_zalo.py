#!/usr/bin/env python3
"""A stand-in Zalo (Official Account API, ZNS, OAuth and webhook sender) for development and tests, on HTTP.

    .venv/bin/python scripts/fake_zalo.py [--host 127.0.0.1] [--port 1029] [--app-id dev-zalo-app]
        [--oa-id dev-oa] [--oa-secret dev-oa-secret] [--app-secret dev-app-secret]
        [--webhook-url http://127.0.0.1:8000/zalo/webhook/] [--initial-refresh-token TOKEN]
        [--access-token-lifetime 90000] [--refresh-delay 0] [--interaction-window 604800]
        [--zns-template tb-ho-so=ma_ho_so,noi_dung ...] [--public-url http://127.0.0.1:1029]

It imports nothing from the project, so the project's client and webhook are checked against a
second implementation of the same facts (docs DOMAIN.md §10). Its home page (GET /) is a phone-sized
chat in which a person plays the citizen: follow the OA, type, send photos and files, press the
OA's buttons, read the OA's answers and the ZNS messages sent to the phone number they set.

The OA's API, as the system calls it:

    POST /v3.0/oa/message/cs   header access_token; JSON {"recipient": {"user_id"}, "message": M} where M is
                               {"text"}, {"text", "attachment": {"type": "template", "payload": {"buttons":
                               [{"title", "type", "payload"}] (at most 5)}}} or {"attachment": {"type":
                               "template", "payload": {"template_type": "media", "elements": [{"media_type":
                               "image", "url"}]}}}; {"error": 0, "message": "Success", "data": {"message_id",
                               "user_id"}}; an unknown or expired token {"error": -216, ...}; a user who
                               unfollowed {"error": -213, ...}; a user whose last event is older than
                               --interaction-window seconds {"error": -230, ...}. A user id the stand-in
                               never saw an event from is let through (tests send to made-up ids).
    POST /message/template     ZNS (the business API, ONESTOP_ZALO_ZNS_URL): header access_token; JSON
                               {"phone": "84…", "template_id", "template_data": {…}, "tracking_id"};
                               {"error": 0, "message": "Success", "data": {"msg_id", "sent_time", "quota":
                               {"dailyQuota", "remainingQuota"}}}; -1123 unknown template, -108 phone not
                               in 84 format, -1124 a required parameter missing (--zns-template ID=p1,p2)
    GET  /v3.0/oa/user/detail?data={"user_id": "…"}   header access_token; {"error": 0, "message": "Success",
                               "data": {"user_id", "display_name", "user_is_follower", "avatar", "shared_info":
                               {"phone"}}}; a user the stand-in does not know {"error": -213, ...}
    POST /v4/oa/access_token   header secret_key; form refresh_token, app_id, grant_type=refresh_token;
                               {"access_token", "refresh_token", "expires_in": "<seconds>"}; a refresh
                               token works ONCE: spent or unknown, Zalo's OAuth error JSON (-14014)
    GET  /attachments/<token>/<name>   the bytes of a photo or file the citizen sent (the events' url)

The citizen's side and the test controls (each /_send* answers what the webhook said:
{"delivered", "status" | "reason", "event"}):

    GET  /                     the chat page
    GET  /messages             every message the OA sent (consultation and ZNS), oldest first; each
                               {"message_id", "user_id", "from": "oa", "kind": "cs" | "zns", "text", "at",
                               "buttons", "image_url"} (ZNS: also "phone", "template_id", "template_data")
    GET  /messages?user_id=    one user's conversation: the above to them (ZNS to their phone) and what
                               they sent ("from": "user", "kind": text | image | file | follow | unfollow,
                               "url", "name", "size", "hidden" for a button's text the chat does not show)
    POST /_send?user_id=&text=[&hidden=1]   a signed user_send_text event POSTed to --webhook-url
    POST /_send_image?user_id=&name=        raw body = the photo: one user_send_image event
    POST /_send_file?user_id=&name=         raw body = the file: one user_send_file event
    POST /_follow?user_id=     a follow event;  POST /_unfollow?user_id=  an unfollow event
    POST /_phone?user_id=&phone=[&display_name=]   the user's phone (ZNS shown in their chat) and name
    POST /_age?user_id=&seconds=   the user's last interaction moves that far back in time
    POST /_fail?path=&times=N&mode=timeout|500|error[&seconds=30][&code=-32]   the next N calls to that
                               API path sleep `seconds` before answering normally (past the caller's
                               timeout), answer HTTP 500, or answer a Zalo error JSON; times=0 clears
    POST /_seed                a fresh token pair (JSON), as an administrator's authorisation gives
    POST /_expire              every access token issued so far expires now
    GET  /_state               refreshes made, refresh tokens spent, users, pending faults, ZNS quota

The signature is `X-ZEvent-Signature: mac=<sha256 hex of app_id + body + timestamp + OA secret>`.
Error codes and field shapes marked [check] are our best reading of Zalo's documents, not
confirmed live. State lives in memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import requests

SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
ZNS_PATH = "/message/template"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"
INVALID_TOKEN = {"error": -216, "message": "Access token is invalid"}
INVALID_PARAMS = {"error": -201, "message": "Parameters are invalid"}  # [check]
NOT_FOLLOWER = {"error": -213, "message": "User has not followed OA"}  # [check]
OUTSIDE_WINDOW = {"error": -230, "message": "User has not interacted with the OA in the last 7 days"}  # [check]
ZNS_TEMPLATE_NOT_FOUND = {"error": -1123, "message": "Template not found"}  # [check]
ZNS_BAD_PHONE = {"error": -108, "message": "Phone number is invalid"}  # [check]
ZNS_BAD_DATA = {"error": -1124, "message": "Template data is invalid"}  # [check]
ZNS_DAILY_QUOTA = 500
MAX_BUTTONS = 5  # Zalo's limit for a text with buttons [check]
PHONE_84 = re.compile(r"^84\d{9,10}$")
FAULT_MODES = ("timeout", "500", "error")
PAGE = Path(__file__).resolve().parent / "fake_zalo_chat.html"  # read at each visit: edits show on reload


def oauth_error(code: int, name: str, description: str) -> dict[str, object]:
    return {"error": code, "error_name": name, "error_reason": name, "error_description": description}


def zns_text(template_id: str, data: dict[str, object]) -> str:
    return f"{template_id}: " + "; ".join(f"{key}={value}" for key, value in data.items())


class Zalo:
    def __init__(
        self,
        *,
        app_id: str,
        oa_id: str,
        oa_secret: str,
        app_secret: str,
        webhook_url: str,
        access_lifetime: int,
        refresh_delay: float,
        interaction_window: float = 604800,
        zns_templates: dict[str, list[str]] | None = None,
        public_url: str = "",
    ) -> None:
        self.app_id = app_id
        self.oa_id = oa_id
        self.oa_secret = oa_secret
        self.app_secret = app_secret
        self.webhook_url = webhook_url
        self.access_lifetime = access_lifetime
        self.refresh_delay = refresh_delay
        self.interaction_window = interaction_window
        self.zns_templates = dict(zns_templates or {})
        self.public_url = public_url
        self.lock = threading.Lock()
        self.access_tokens: dict[str, float] = {}  # token → expires (time.time())
        self.refresh_tokens: dict[str, bool] = {}  # token → spent
        # Everything said, both ways: the OA's messages ("from": "oa") and the citizens' ("from": "user").
        self.messages: list[dict[str, object]] = []
        # user id → {"display_name", "phone", "follower" (None: never said), "interacted" (time or None)}
        self.users: dict[str, dict[str, object]] = {}
        self.uploads: dict[str, tuple[str, str, bytes]] = {}  # token → (name, content type, bytes)
        self.faults: dict[str, dict[str, object]] = {}  # API path → {"mode", "times", "seconds", "code"}
        self.zns_sent = 0
        self.refreshes = 0

    # --- tokens --------------------------------------------------------------------------------

    def pair(self) -> dict[str, str]:
        """A new access token and a new refresh token (callers hold the lock)."""
        access, refresh = "AT-" + secrets.token_urlsafe(24), "RT-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = time.time() + self.access_lifetime
        self.refresh_tokens[refresh] = False
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(self.access_lifetime)}

    def token_valid(self, access_token: str) -> bool:
        """Callers hold the lock."""
        expires = self.access_tokens.get(access_token)
        return expires is not None and expires > time.time()

    def refresh(self, secret_key: str, form: dict[str, str]) -> dict[str, object]:
        if secret_key != self.app_secret:
            return oauth_error(-14002, "Invalid secret key", "Khóa bí mật của ứng dụng không đúng.")  # [check]
        if form.get("app_id") != self.app_id or form.get("grant_type") != "refresh_token":
            return oauth_error(-14003, "Invalid parameters", "app_id hoặc grant_type không đúng.")  # [check]
        if self.refresh_delay:
            time.sleep(self.refresh_delay)  # widens the window in which two refreshes could race
        with self.lock:
            token = form.get("refresh_token", "")
            if self.refresh_tokens.get(token) is not False:
                return oauth_error(-14014, "Invalid refresh token", "Refresh token không hợp lệ hoặc đã dùng.")
            self.refresh_tokens[token] = True
            self.refreshes += 1
            return dict(self.pair())

    # --- the OA's API ----------------------------------------------------------------------------

    def send(self, access_token: str, body: object) -> dict[str, object]:
        with self.lock:
            if not self.token_valid(access_token):
                return INVALID_TOKEN
            if not isinstance(body, dict):
                return INVALID_PARAMS
            recipient, message = body.get("recipient"), body.get("message")
            if not isinstance(recipient, dict) or not isinstance(message, dict):
                return INVALID_PARAMS
            user_id = str(recipient.get("user_id") or "")
            content = self.message_content(message)
            if not user_id or content is None:
                return INVALID_PARAMS
            refusal = self.window_refusal(user_id)
            if refusal:
                return refusal
            message_id = secrets.token_hex(16)
            self.messages.append(
                {"message_id": message_id, "user_id": user_id, "from": "oa", "kind": "cs", "at": time.time()} | content
            )
            return {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user_id}}

    @staticmethod
    def message_content(message: dict[str, object]) -> dict[str, object] | None:
        """The text, buttons and image of a consultation message; None when it is malformed."""
        text = message.get("text")
        attachment = message.get("attachment")
        buttons: list[dict[str, object]] = []
        image_url = ""
        if attachment is not None:
            if not isinstance(attachment, dict) or attachment.get("type") != "template":
                return None
            payload = attachment.get("payload")
            if not isinstance(payload, dict):
                return None
            if payload.get("template_type") == "media":
                elements = payload.get("elements")
                if not isinstance(elements, list) or not elements or not isinstance(elements[0], dict):
                    return None
                if elements[0].get("media_type") != "image" or not elements[0].get("url"):
                    return None
                image_url = str(elements[0]["url"])
            else:
                raw = payload.get("buttons")
                if not isinstance(raw, list) or not 0 < len(raw) <= MAX_BUTTONS:
                    return None
                for button in raw:
                    if not isinstance(button, dict) or not button.get("title") or not button.get("type"):
                        return None
                    buttons.append(
                        {"title": str(button["title"]), "type": str(button["type"]), "payload": button.get("payload")}
                    )
        if image_url:
            if text is not None and not isinstance(text, str):
                return None
        elif not isinstance(text, str) or not text:
            return None
        return {"text": text or "", "buttons": buttons, "image_url": image_url, "attachment": attachment}

    def window_refusal(self, user_id: str) -> dict[str, object] | None:
        """Zalo answers consultation messages only to a follower who interacted lately (callers hold the lock)."""
        user = self.users.get(user_id)
        if user is None:
            return None
        if user["follower"] is False:
            return NOT_FOLLOWER
        interacted = user["interacted"]
        if isinstance(interacted, float) and time.time() - interacted > self.interaction_window:
            return OUTSIDE_WINDOW
        return None

    def zns(self, access_token: str, body: object) -> dict[str, object]:
        with self.lock:
            if not self.token_valid(access_token):
                return INVALID_TOKEN
            if not isinstance(body, dict):
                return INVALID_PARAMS
            phone, template_id = str(body.get("phone") or ""), str(body.get("template_id") or "")
            data = body.get("template_data")
            if not PHONE_84.match(phone):
                return ZNS_BAD_PHONE
            if template_id not in self.zns_templates:
                return ZNS_TEMPLATE_NOT_FOUND
            if not isinstance(data, dict) or any(
                data.get(param) in (None, "") for param in self.zns_templates[template_id]
            ):
                return ZNS_BAD_DATA
            self.zns_sent += 1
            msg_id, sent = secrets.token_hex(16), int(time.time() * 1000)
            user_id = next((uid for uid, user in self.users.items() if user["phone"] == phone), "")
            self.messages.append(
                {
                    "message_id": msg_id,
                    "user_id": user_id,
                    "from": "oa",
                    "kind": "zns",
                    "phone": phone,
                    "template_id": template_id,
                    "template_data": data,
                    "tracking_id": str(body.get("tracking_id") or ""),
                    "text": zns_text(template_id, data),
                    "buttons": [],
                    "image_url": "",
                    "at": time.time(),
                }
            )
            quota = {"dailyQuota": str(ZNS_DAILY_QUOTA), "remainingQuota": str(ZNS_DAILY_QUOTA - self.zns_sent)}
            return {
                "error": 0,
                "message": "Success",
                "data": {"msg_id": msg_id, "sent_time": str(sent), "quota": quota},
            }

    def user_detail(self, access_token: str, data: str) -> dict[str, object]:
        with self.lock:
            if not self.token_valid(access_token):
                return INVALID_TOKEN
            try:
                query = json.loads(data or "null")
            except ValueError:
                return INVALID_PARAMS
            if not isinstance(query, dict) or not query.get("user_id"):
                return INVALID_PARAMS
            user_id = str(query["user_id"])
            user = self.users.get(user_id)
            if user is None:
                return NOT_FOLLOWER
            shared = {"phone": user["phone"]} if user["phone"] else {}
            return {
                "error": 0,
                "message": "Success",
                "data": {
                    "user_id": user_id,
                    "display_name": user["display_name"] or user_id,
                    "user_is_follower": user["follower"] is True,
                    "avatar": "",
                    "shared_info": shared,
                },
            }

    # --- the citizen's side ----------------------------------------------------------------------

    def user(self, user_id: str) -> dict[str, object]:
        """The user's record, made on first sight (callers hold the lock)."""
        return self.users.setdefault(user_id, {"display_name": "", "phone": "", "follower": None, "interacted": None})

    def upload(self, name: str, content: bytes) -> tuple[str, str]:
        """Keep the bytes; their public URL and content type."""
        token = secrets.token_urlsafe(12)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        with self.lock:
            self.uploads[token] = (name, content_type, content)
        return f"{self.public_url}/attachments/{token}/{quote(name)}", content_type

    def event(self, event_name: str, user_id: str, text: str = "", **item: object) -> dict[str, object]:
        """A webhook event from the user, recorded in their conversation as it is made."""
        timestamp = str(int(time.time() * 1000))
        event: dict[str, object] = {
            "app_id": self.app_id,
            "oa_id": self.oa_id,
            "user_id_by_app": user_id,
            "event_name": event_name,
            "timestamp": timestamp,
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
        }
        msg_id = secrets.token_hex(16)
        if event_name in ("follow", "unfollow"):
            event["source"] = "oa_profile"
            event["follower"] = {"id": user_id}
            kind = event_name
        elif event_name == "user_send_image":
            attachment = {"type": "image", "payload": {"url": item["url"], "thumbnail": item["url"]}}
            event["message"] = {"msg_id": msg_id, "text": "", "attachments": [attachment]}
            kind = "image"
        elif event_name == "user_send_file":
            payload = {key: item[key] for key in ("url", "name", "size", "type", "checksum")}
            event["message"] = {"msg_id": msg_id, "text": "", "attachments": [{"type": "file", "payload": payload}]}
            kind = "file"
        else:
            event["message"] = {"msg_id": msg_id, "text": text}
            kind = "text"
        with self.lock:
            user = self.user(user_id)
            user["interacted"] = time.time()
            if kind in ("follow", "unfollow"):
                user["follower"] = kind == "follow"
            record = {"message_id": msg_id, "user_id": user_id, "from": "user", "kind": kind, "text": text}
            record |= {key: item[key] for key in ("url", "name", "size", "hidden") if key in item}
            self.messages.append(record | {"at": time.time()})
        return event

    def conversation(self, user_id: str | None) -> list[dict[str, object]]:
        """Everything the OA sent, or one user's conversation both ways (callers hold the lock)."""
        if user_id is None:
            return [m for m in self.messages if m["from"] == "oa"]
        phone = self.users.get(user_id, {}).get("phone")
        return [
            m
            for m in self.messages
            if (m["kind"] != "zns" and m["user_id"] == user_id)
            or (m["kind"] == "zns" and phone and m["phone"] == phone)
        ]

    def deliver(self, event: dict[str, object]) -> dict[str, object]:
        """POST a signed event to the webhook, as Zalo does."""
        if not self.webhook_url:
            return {"delivered": False, "reason": "no --webhook-url", "event": event}
        body = json.dumps(event, ensure_ascii=False).encode()
        mac = hashlib.sha256(
            self.app_id.encode() + body + str(event["timestamp"]).encode() + self.oa_secret.encode()
        ).hexdigest()
        try:
            answer = requests.post(
                self.webhook_url,
                data=body,
                headers={"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"},
                timeout=10,
            )
        except requests.RequestException as exc:
            return {"delivered": False, "reason": str(exc), "event": event}
        return {"delivered": answer.status_code == 200, "status": answer.status_code, "event": event}

    # --- faults ----------------------------------------------------------------------------------

    def fault(self, path: str) -> dict[str, object] | None:
        """The fault to play on this call of `path`, counting it down."""
        with self.lock:
            fault = self.faults.get(path)
            if not fault:
                return None
            fault["times"] = int(fault["times"]) - 1  # type: ignore[call-overload]
            if int(fault["times"]) <= 0:  # type: ignore[call-overload]
                del self.faults[path]
            return dict(fault)


def make_handler(zalo: Zalo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read their own output
            return

        def _send_bytes(self, status: int, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status: int, body: object) -> None:
            self._send_bytes(status, "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode())

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def _fault(self, path: str) -> bool:
            """Play an injected fault on this API call; True when it answered instead of the API."""
            fault = zalo.fault(path)
            if fault is None:
                return False
            if fault["mode"] == "timeout":
                time.sleep(float(fault["seconds"]))  # type: ignore[arg-type]
                return False  # then answers, as a slow Zalo would, long after the caller gave up
            if fault["mode"] == "500":
                self._send_bytes(500, "text/plain; charset=utf-8", b"Internal Server Error")
                return True
            self._json(200, {"error": int(fault["code"]), "message": "Service is temporarily unavailable"})  # type: ignore[call-overload]
            return True

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
            if url.path == "/":
                return self._send_bytes(200, "text/html; charset=utf-8", PAGE.read_bytes())
            if url.path == "/messages":
                with zalo.lock:
                    return self._json(200, zalo.conversation(query.get("user_id")))
            if url.path == USER_DETAIL_PATH:
                if self._fault(url.path):
                    return None
                return self._json(200, zalo.user_detail(self.headers.get("access_token", ""), query.get("data", "")))
            if url.path.startswith("/attachments/"):
                token = url.path.split("/")[2]
                with zalo.lock:
                    upload = zalo.uploads.get(token)
                if upload is None:
                    return self._json(404, {"error": "not found"})
                return self._send_bytes(200, upload[1], upload[2])
            if url.path == "/_state":
                with zalo.lock:
                    return self._json(
                        200,
                        {
                            "refreshes": zalo.refreshes,
                            "refresh_tokens": dict(zalo.refresh_tokens),
                            "users": {uid: dict(user) for uid, user in zalo.users.items()},
                            "faults": {path: dict(fault) for path, fault in zalo.faults.items()},
                            "zns_sent": zalo.zns_sent,
                        },
                    )
            return self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
            raw = self._body()
            if url.path in (SEND_PATH, ZNS_PATH, REFRESH_PATH) and self._fault(url.path):
                return None
            if url.path in (SEND_PATH, ZNS_PATH):
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                token = self.headers.get("access_token", "")
                return self._json(200, zalo.send(token, body) if url.path == SEND_PATH else zalo.zns(token, body))
            if url.path == REFRESH_PATH:
                form = {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
                return self._json(200, zalo.refresh(self.headers.get("secret_key", ""), form))
            user_id = query.get("user_id", "")
            if url.path in ("/_send", "/_follow", "/_unfollow", "/_send_image", "/_send_file", "/_phone", "/_age"):
                if not user_id:
                    return self._json(400, {"error": "user_id is required"})
            if url.path == "/_send":
                hidden = {"hidden": True} if query.get("hidden") in ("1", "true") else {}
                return self._json(
                    200, zalo.deliver(zalo.event("user_send_text", user_id, query.get("text", ""), **hidden))
                )
            if url.path in ("/_follow", "/_unfollow"):
                return self._json(200, zalo.deliver(zalo.event(url.path[2:], user_id)))
            if url.path in ("/_send_image", "/_send_file"):
                name = Path(unquote(query.get("name", "")) or "tep").name or "tep"
                link, content_type = zalo.upload(name, raw)
                if url.path == "/_send_image":
                    event = zalo.event("user_send_image", user_id, url=link, name=name, size=len(raw))
                else:
                    checksum = hashlib.md5(raw, usedforsecurity=False).hexdigest()  # Zalo's checksum [check]
                    kind = Path(name).suffix.lstrip(".").lower() or content_type  # e.g. "pdf" [check]
                    event = zalo.event(
                        "user_send_file", user_id, url=link, name=name, size=len(raw), type=kind, checksum=checksum
                    )
                return self._json(200, zalo.deliver(event))
            if url.path == "/_phone":
                with zalo.lock:
                    user = zalo.user(user_id)
                    user["phone"] = query.get("phone", "")
                    if "display_name" in query:
                        user["display_name"] = query["display_name"]
                    return self._json(200, {"user_id": user_id} | user)
            if url.path == "/_age":
                with zalo.lock:
                    user = zalo.user(user_id)
                    seconds = float(query.get("seconds") or 0)
                    user["interacted"] = (user["interacted"] or time.time()) - seconds  # type: ignore[operator]
                    return self._json(200, {"user_id": user_id} | user)
            if url.path == "/_fail":
                mode, path = query.get("mode", "error"), query.get("path", "")
                if mode not in FAULT_MODES or not path:
                    return self._json(400, {"error": f"path and mode ({', '.join(FAULT_MODES)}) are required"})
                times = int(query.get("times") or 1)
                fault = {
                    "mode": mode,
                    "times": times,
                    "seconds": float(query.get("seconds") or 30),
                    "code": int(query.get("code") or -32),  # [check]
                }
                with zalo.lock:
                    if times > 0:
                        zalo.faults[path] = fault
                    else:
                        zalo.faults.pop(path, None)
                    return self._json(200, {"faults": {p: dict(f) for p, f in zalo.faults.items()}})
            if url.path == "/_seed":
                with zalo.lock:
                    return self._json(200, zalo.pair())
            if url.path == "/_expire":
                with zalo.lock:
                    zalo.access_tokens = {token: 0.0 for token in zalo.access_tokens}
                return self._json(200, {"expired": len(zalo.access_tokens)})
            return self._json(404, {"error": "not found"})

    return Handler


def zns_template(value: str) -> tuple[str, list[str]]:
    """`ID=param1,param2` from the command line."""
    template_id, _, params = value.partition("=")
    if not template_id:
        raise argparse.ArgumentTypeError("expected ID=param1,param2")
    return template_id, [param for param in params.split(",") if param]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1029, help="0 takes any free port")
    parser.add_argument("--app-id", default="dev-zalo-app")
    parser.add_argument("--oa-id", default="dev-oa")
    parser.add_argument("--oa-secret", default="dev-oa-secret", help="the OA secret key that signs events")
    parser.add_argument("--app-secret", default="dev-app-secret", help="the app secret a refresh must carry")
    parser.add_argument("--webhook-url", default="", help="our webhook (none: events are not delivered)")
    parser.add_argument("--initial-refresh-token", default="", help="a refresh token valid at start")
    parser.add_argument("--access-token-lifetime", type=int, default=90000, help="seconds (Zalo: 25 hours)")
    parser.add_argument("--refresh-delay", type=float, default=0.0, help="seconds each refresh takes")
    parser.add_argument(
        "--interaction-window", type=float, default=604800, help="seconds after a user's last event (Zalo: 7 days)"
    )
    parser.add_argument(
        "--zns-template", type=zns_template, action="append", default=[], help="ID=param1,param2 (repeatable)"
    )
    parser.add_argument("--public-url", default="", help="this server's address in attachment URLs")
    args = parser.parse_args(argv)
    zalo = Zalo(
        app_id=args.app_id,
        oa_id=args.oa_id,
        oa_secret=args.oa_secret,
        app_secret=args.app_secret,
        webhook_url=args.webhook_url,
        access_lifetime=args.access_token_lifetime,
        refresh_delay=args.refresh_delay,
        interaction_window=args.interaction_window,
        zns_templates=dict(args.zns_template),
    )
    if args.initial_refresh_token:
        zalo.refresh_tokens[args.initial_refresh_token] = False
    server = ThreadingHTTPServer((args.host, args.port), make_handler(zalo))
    server.daemon_threads = True
    zalo.public_url = (args.public_url or f"http://{args.host}:{server.server_address[1]}").rstrip("/")
    print(f"fake Zalo on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
