#!/usr/bin/env python3
"""A stand-in Zalo (Official Account API, OAuth and webhook sender) for development and tests, on HTTP.

    .venv/bin/python scripts/fake_zalo.py [--host 127.0.0.1] [--port 1029] [--app-id dev-zalo-app]
        [--oa-id dev-oa] [--oa-secret dev-oa-secret] [--app-secret dev-app-secret]
        [--webhook-url http://127.0.0.1:8000/zalo/webhook/] [--initial-refresh-token TOKEN]
        [--access-token-lifetime 90000] [--refresh-delay 0]

It imports nothing from the project, so the project's client and webhook are checked against a
second implementation of the same facts (docs DOMAIN.md §10):

    POST /v3.0/oa/message/cs   header access_token; JSON {"recipient": {"user_id"}, "message": {"text"}};
                               {"error": 0, "message": "Success", "data": {"message_id", "user_id"}},
                               an unknown or expired token {"error": -216, "message": "Access token is invalid"}
    POST /v4/oa/access_token   header secret_key; form refresh_token, app_id, grant_type=refresh_token;
                               {"access_token", "refresh_token", "expires_in": "<seconds>"}; a refresh
                               token works ONCE: spent or unknown, Zalo's OAuth error JSON (-14014)
    GET  /messages             every message sent through the OA (JSON list, oldest first)
    POST /_send?user_id=&text= the stand-in citizen sends a text: a signed user_send_text event is
                               POSTed to --webhook-url, as Zalo does; answers what the webhook said
    POST /_follow?user_id=     the same for a follow event
    POST /_seed                a fresh token pair (JSON), as an administrator's authorisation gives
    POST /_expire              every access token issued so far expires now
    GET  /_state               how many refreshes were made, and which refresh tokens are spent

The signature is `X-ZEvent-Signature: mac=<sha256 hex of app_id + body + timestamp + OA secret>`.
Error codes marked [check] are our best reading of Zalo's documents, not confirmed live. A
phone-sized chat page for a person playing the citizen is the next slice (issue #20, point 9).
State lives in memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
INVALID_TOKEN = {"error": -216, "message": "Access token is invalid"}
INVALID_PARAMS = {"error": -201, "message": "Parameters are invalid"}  # [check]


def oauth_error(code: int, name: str, description: str) -> dict[str, object]:
    return {"error": code, "error_name": name, "error_reason": name, "error_description": description}


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
    ) -> None:
        self.app_id = app_id
        self.oa_id = oa_id
        self.oa_secret = oa_secret
        self.app_secret = app_secret
        self.webhook_url = webhook_url
        self.access_lifetime = access_lifetime
        self.refresh_delay = refresh_delay
        self.lock = threading.Lock()
        self.access_tokens: dict[str, float] = {}  # token → expires (time.time())
        self.refresh_tokens: dict[str, bool] = {}  # token → spent
        self.messages: list[dict[str, object]] = []
        self.refreshes = 0

    def pair(self) -> dict[str, str]:
        """A new access token and a new refresh token (callers hold the lock)."""
        access, refresh = "AT-" + secrets.token_urlsafe(24), "RT-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = time.time() + self.access_lifetime
        self.refresh_tokens[refresh] = False
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(self.access_lifetime)}

    def send(self, access_token: str, body: object) -> dict[str, object]:
        with self.lock:
            expires = self.access_tokens.get(access_token)
            if expires is None or expires <= time.time():
                return INVALID_TOKEN
            if not isinstance(body, dict):
                return INVALID_PARAMS
            recipient, message = body.get("recipient"), body.get("message")
            if not isinstance(recipient, dict) or not isinstance(message, dict):
                return INVALID_PARAMS
            user_id, text = str(recipient.get("user_id") or ""), message.get("text")
            if not user_id or not isinstance(text, str) or not text:
                return INVALID_PARAMS
            message_id = secrets.token_hex(16)
            self.messages.append({"message_id": message_id, "user_id": user_id, "text": text, "at": time.time()})
            return {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user_id}}

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

    def event(self, event_name: str, user_id: str, text: str = "") -> dict[str, object]:
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
        if event_name == "follow":
            event["source"] = "oa_profile"
            event["follower"] = {"id": user_id}
        else:
            event["message"] = {"msg_id": secrets.token_hex(16), "text": text}
        return event

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


def make_handler(zalo: Zalo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read their own output
            return

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/messages":
                with zalo.lock:
                    return self._json(200, list(zalo.messages))
            if path == "/_state":
                with zalo.lock:
                    return self._json(200, {"refreshes": zalo.refreshes, "refresh_tokens": dict(zalo.refresh_tokens)})
            return self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
            raw = self._body()
            if url.path == SEND_PATH:
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                return self._json(200, zalo.send(self.headers.get("access_token", ""), body))
            if url.path == REFRESH_PATH:
                form = {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
                return self._json(200, zalo.refresh(self.headers.get("secret_key", ""), form))
            if url.path in ("/_send", "/_follow"):
                user_id = query.get("user_id", "")
                if not user_id:
                    return self._json(400, {"error": "user_id is required"})
                if url.path == "/_send":
                    event = zalo.event("user_send_text", user_id, query.get("text", ""))
                else:
                    event = zalo.event("follow", user_id)
                return self._json(200, zalo.deliver(event))
            if url.path == "/_seed":
                with zalo.lock:
                    return self._json(200, zalo.pair())
            if url.path == "/_expire":
                with zalo.lock:
                    zalo.access_tokens = {token: 0.0 for token in zalo.access_tokens}
                return self._json(200, {"expired": len(zalo.access_tokens)})
            return self._json(404, {"error": "not found"})

    return Handler


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
    args = parser.parse_args(argv)
    zalo = Zalo(
        app_id=args.app_id,
        oa_id=args.oa_id,
        oa_secret=args.oa_secret,
        app_secret=args.app_secret,
        webhook_url=args.webhook_url,
        access_lifetime=args.access_token_lifetime,
        refresh_delay=args.refresh_delay,
    )
    if args.initial_refresh_token:
        zalo.refresh_tokens[args.initial_refresh_token] = False
    server = ThreadingHTTPServer((args.host, args.port), make_handler(zalo))
    server.daemon_threads = True
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
