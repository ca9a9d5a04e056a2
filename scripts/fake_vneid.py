#!/usr/bin/env python3
"""A stand-in national e-ID (VNeID) for development and tests: an OpenID Connect provider on HTTP.

    .venv/bin/python scripts/fake_vneid.py [--host 127.0.0.1] [--port 1027]
        [--client-id onestop-dev] [--client-secret dev-secret]

The real VNeID's connection terms are not public; this speaks the standard authorisation-code flow
with PKCE so that the portal's provider (accounts/login/contrib/vneid) is exercised end to end:

    GET  /.well-known/openid-configuration   discovery document
    GET  /authorize?...                      a page where the tester types who logs in (CCCD, name,
                                             date of birth, phone) and agrees or cancels
    POST /authorize                          back to redirect_uri with ?code&state (or ?error)
    POST /token                              code + code_verifier + client credentials -> tokens;
                                             the ID token is an RS256 JWT (iss, aud, sub, exp, nonce,
                                             cccd, name, birthdate, phone_number)
    GET  /jwks                               the public key of this run

Codes live in memory for two minutes and are used once. Nothing is stored on disk.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CODE_SECONDS = 120
PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>VNeID (bản thử) — Đăng nhập</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #f4f4f6; color: #1c1c22; }}
main {{ max-width: 440px; margin: 0 auto; padding: 24px 16px; }}
h1 {{ color: #b01e23; font-size: 22px; }}
label {{ display: block; font-weight: 600; margin: 14px 0 6px; }}
input {{ width: 100%; box-sizing: border-box; min-height: 44px; font-size: 16px; padding: 8px; }}
.note {{ background: #fff8e1; border: 1px solid #f0d98a; padding: 10px; border-radius: 6px; font-size: 14px; }}
button {{ min-height: 46px; font-size: 16px; margin-top: 18px; width: 100%; border-radius: 6px; border: 1px solid #888; }}
button.primary {{ background: #b01e23; color: #fff; border-color: #b01e23; }}
</style></head><body><main>
<h1>VNeID (bản thử)</h1>
<p class="note">Máy chủ định danh thử nghiệm của môi trường phát triển: nhập thông tin người đăng nhập.</p>
<form method="post" action="/authorize">
{hidden}
<label for="cccd">Số định danh cá nhân (CCCD)</label><input id="cccd" name="cccd" inputmode="numeric" required>
<label for="name">Họ và tên</label><input id="name" name="name" required>
<label for="birthdate">Ngày sinh</label><input id="birthdate" name="birthdate" type="date">
<label for="phone">Số điện thoại</label><input id="phone" name="phone_number" type="tel">
<button class="primary" type="submit" name="decision" value="allow">Đồng ý chia sẻ thông tin</button>
<button type="submit" name="decision" value="deny">Hủy</button>
</form></main></body></html>
"""
FORWARDED = ("client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope")


class Provider:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.lock = threading.Lock()

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "cccd", "name", "birthdate", "phone_number"],
        }

    def issue_code(self, params: dict[str, str], claims: dict[str, str]) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"params": params, "claims": claims, "expires": time.time() + CODE_SECONDS}
        return code

    def redeem(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict]:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != self.client_id or not secrets.compare_digest(secret, self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["expires"] < time.time():
            return 400, {"error": "invalid_grant"}
        params = grant["params"]
        if params.get("redirect_uri") != form.get("redirect_uri") or params.get("client_id") != client_id:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri or client mismatch"}
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if params.get("code_challenge") and digest != params["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": "vneid-" + hashlib.sha256(grant["claims"]["cccd"].encode()).hexdigest()[:16],
            "iat": now,
            "exp": now + 300,
            "nonce": params.get("nonce", ""),
            **{k: v for k, v in grant["claims"].items() if v},
        }
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


def make_handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # quiet: tests read their own output
            return

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _form(self) -> dict[str, str]:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.metadata())
            if url.path == "/jwks":
                return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            if url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                    return self._json(400, {"error": "invalid_request"})
                hidden = "\n".join(
                    f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
                    for name in FORWARDED
                )
                data = PAGE.format(hidden=hidden).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            return self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            form = self._form()
            if url.path == "/authorize":
                params = {name: form.get(name, "") for name in FORWARDED}
                if params["client_id"] != provider.client_id or not params["redirect_uri"]:
                    return self._json(400, {"error": "invalid_request"})
                back = params["redirect_uri"]
                if form.get("decision") != "allow":
                    return self._redirect(f"{back}?{urlencode({'error': 'access_denied', 'state': params['state']})}")
                claims = {
                    "cccd": form.get("cccd", "").strip(),
                    "name": form.get("name", "").strip(),
                    "birthdate": form.get("birthdate", "").strip(),
                    "phone_number": form.get("phone_number", "").strip(),
                }
                code = provider.issue_code(params, claims)
                return self._redirect(f"{back}?{urlencode({'code': code, 'state': params['state']})}")
            if url.path == "/token":
                basic = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
                    basic = (user, password)
                status, body = provider.redeem(form, basic)
                return self._json(status, body)
            return self._json(404, {"error": "not found"})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1027)
    parser.add_argument("--client-id", default="onestop-dev")
    parser.add_argument("--client-secret", default="dev-secret")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), None)  # type: ignore[arg-type]
    port = server.server_address[1]
    provider = Provider(issuer=f"http://{args.host}:{port}", client_id=args.client_id, client_secret=args.client_secret)
    server.RequestHandlerClass = make_handler(provider)
    print(f"fake VNeID on http://{args.host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
