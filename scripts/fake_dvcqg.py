#!/usr/bin/env python3
"""A local stand-in for the National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG).

    .venv/bin/python scripts/fake_dvcqg.py [--host 127.0.0.1] [--port 1030] [--client-id ID --secret S]

The protocol the system speaks (national/client.py; README "Đồng bộ Cổng Dịch vụ công quốc gia"):

POST /api/v1/hoso/dongbo   headers X-Client-Id, Authorization: Bearer <secret> (checked when given)
    {"messages": [{"message_id": "<uuid>", "seq": 3, "data": {"MaHoSo": ..., "MaTTHC": ..., ...}}]}
    → 200 {"results": [{"message_id", "status": "accepted" | "duplicate" | "rejected",
                        "error_code": "", "error": ""}]}
    A message id already accepted answers "duplicate" and is not stored again. A message without
    MaHoSo, MaTTHC or TrangThaiHoSo is rejected with E01; the rules set below reject others.
    401 for wrong credentials.
GET /api/v1/tthc/thaydoi?cursor=<n>&limit=<k>
    → {"items": [{"cursor": n+1, "MaTTHC", "TenTTHC", "ThoiHanGiaiQuyet", "TrinhTuThucHien",
                  "CanCuPhapLy", "NgayQuyetDinh": "YYYY-MM-DD"}], "next_cursor": <last cursor>}
    The National Database's procedure changes, by national code, after a cursor.

Control (tests and people, no credentials):
POST /_control/mode    {"mode": "accept" | "down" | "refuse" | "hang", "times": n, "hang_seconds": s}
    down: every request answers 503; refuse: the connection is closed without an answer; hang: the
    answer comes after hang_seconds (the message is still taken, as a slow real portal would).
    With "times", the mode lasts that many requests, then the stand-in accepts again.
POST /_control/reject  {"MaHoSo": "<code>" | "*", "error_code": "E05", "error": "<reason>", "times": 1}
    The next `times` messages of that dossier are rejected with that code and reason.
POST /_control/catalogue {"MaTTHC": ..., ...}   publishes a procedure change (it gets the next cursor).
GET  /_control/state   what was received: accepted messages in arrival order, deliveries per
    message id, order errors (a dossier's message arriving before or without its predecessor), the
    latest data per dossier code, requests answered.
POST /_control/reset   forgets everything (messages, rules, catalogue, mode).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

REQUIRED = ("MaHoSo", "MaTTHC", "TrangThaiHoSo")


class Portal:
    def __init__(self, client_id: str, secret: str) -> None:
        self.client_id = client_id
        self.secret = secret
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.mode = "accept"
        self.mode_times: int | None = None
        self.hang_seconds = 30.0
        self.rules: list[dict[str, Any]] = []
        self.accepted: dict[str, dict[str, Any]] = {}
        self.order: list[dict[str, Any]] = []
        self.deliveries: dict[str, int] = {}
        self.last_seq: dict[str, int] = {}
        self.order_errors: list[dict[str, Any]] = []
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.catalogue: list[dict[str, Any]] = []
        self.requests = 0

    def take_mode(self) -> tuple[str, float]:
        with self.lock:
            mode = self.mode
            if self.mode_times is not None:
                self.mode_times -= 1
                if self.mode_times <= 0:
                    self.mode, self.mode_times = "accept", None
            return mode, self.hang_seconds

    def _rule_for(self, code: str) -> dict[str, Any] | None:
        for rule in self.rules:
            if rule["MaHoSo"] in (code, "*") and rule["times"] > 0:
                rule["times"] -= 1
                return rule
        return None

    def receive(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results = []
        with self.lock:
            self.requests += 1
            for message in messages:
                message_id = str(message.get("message_id", ""))
                data = message.get("data") or {}
                code = str(data.get("MaHoSo", ""))
                self.deliveries[message_id] = self.deliveries.get(message_id, 0) + 1
                if message_id in self.accepted:
                    results.append({"message_id": message_id, "status": "duplicate", "error_code": "", "error": ""})
                    continue
                missing = [name for name in REQUIRED if data.get(name) in (None, "")]
                rule = None if missing else self._rule_for(code)
                if missing or rule is not None:
                    error_code = "E01" if missing else rule["error_code"]  # type: ignore[index]
                    error = f"Thiếu trường bắt buộc: {', '.join(missing)}." if missing else rule["error"]  # type: ignore[index]
                    results.append(
                        {"message_id": message_id, "status": "rejected", "error_code": error_code, "error": error}
                    )
                    continue
                seq = int(message.get("seq") or 0)
                last = self.last_seq.get(code)
                if (last is not None and seq != last + 1) or (last is None and seq != 1):
                    self.order_errors.append({"MaHoSo": code, "seq": seq, "after": last})
                self.last_seq[code] = max(seq, last or 0)
                record = {
                    "message_id": message_id,
                    "MaHoSo": code,
                    "seq": seq,
                    "TrangThaiHoSo": data.get("TrangThaiHoSo"),
                    "received_at": datetime.now(UTC).isoformat(),
                }
                self.accepted[message_id] = record
                self.order.append(record)
                self.dossiers[code] = data
                results.append({"message_id": message_id, "status": "accepted", "error_code": "", "error": ""})
        return results

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "mode": self.mode,
                "requests": self.requests,
                "accepted": list(self.order),
                "deliveries": dict(self.deliveries),
                "order_errors": list(self.order_errors),
                "dossiers": dict(self.dossiers),
                "catalogue": len(self.catalogue),
            }


def make_handler(portal: Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and make run read state instead
            return

        def _json(self, status: int, body: Any) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            try:
                self.wfile.write(raw)
            except OSError:
                pass  # the client gave up waiting (hang): what it asked for was served all the same

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _authorised(self) -> bool:
            if not portal.client_id and not portal.secret:
                return True
            return (
                self.headers.get("X-Client-Id") == portal.client_id
                and self.headers.get("Authorization") == f"Bearer {portal.secret}"
            )

        def _national(self) -> float | None:
            """Apply the mode to a national request: None when it was answered (or dropped) already, else
            the seconds to wait before answering (hang: the request is served, the answer comes late)."""
            mode, hang = portal.take_mode()
            if mode == "down":
                self._json(503, {"error": "Hệ thống đang bảo trì."})
                return None
            if mode == "refuse":
                self.close_connection = True
                self.connection.close()
                return None
            if not self._authorised():
                self._json(401, {"error": "Sai mã hệ thống hoặc khóa bí mật."})
                return None
            return hang if mode == "hang" else 0.0

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/_control/state":
                self._json(200, portal.state())
            elif url.path == "/api/v1/tthc/thaydoi":
                delay = self._national()
                if delay is None:
                    return
                time.sleep(delay)
                query = parse_qs(url.query)
                cursor = int((query.get("cursor") or ["0"])[0])
                limit = int((query.get("limit") or ["100"])[0])
                with portal.lock:
                    items = [item for item in portal.catalogue if item["cursor"] > cursor][:limit]
                self._json(200, {"items": items, "next_cursor": items[-1]["cursor"] if items else cursor})
            elif url.path == "/":
                state = portal.state()
                self._json(
                    200, {"mode": state["mode"], "accepted": len(state["accepted"]), "requests": state["requests"]}
                )
            else:
                self._json(404, {"error": "Không có địa chỉ này."})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            try:
                body = self._body()
            except ValueError:
                self._json(400, {"error": "Nội dung không phải JSON."})
                return
            if url.path == "/api/v1/hoso/dongbo":
                delay = self._national()
                if delay is None:
                    return
                messages = body.get("messages") if isinstance(body, dict) else None
                if not isinstance(messages, list):
                    self._json(400, {"error": "Thiếu danh sách messages."})
                    return
                results = portal.receive(messages)
                time.sleep(delay)
                self._json(200, {"results": results})
            elif url.path == "/_control/mode":
                with portal.lock:
                    portal.mode = body.get("mode", "accept")
                    portal.mode_times = body.get("times")
                    portal.hang_seconds = float(body.get("hang_seconds", portal.hang_seconds))
                self._json(200, {"mode": portal.mode})
            elif url.path == "/_control/reject":
                with portal.lock:
                    portal.rules.append(
                        {
                            "MaHoSo": body.get("MaHoSo", "*"),
                            "error_code": body.get("error_code", "E99"),
                            "error": body.get("error", "Dữ liệu không hợp lệ."),
                            "times": int(body.get("times", 1)),
                        }
                    )
                self._json(200, {"rules": len(portal.rules)})
            elif url.path == "/_control/catalogue":
                with portal.lock:
                    item = {**body, "cursor": len(portal.catalogue) + 1}
                    portal.catalogue.append(item)
                self._json(200, item)
            elif url.path == "/_control/reset":
                with portal.lock:
                    portal.reset()
                self._json(200, {"reset": True})
            else:
                self._json(404, {"error": "Không có địa chỉ này."})

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1030)
    parser.add_argument("--client-id", default="")
    parser.add_argument("--secret", default="")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Portal(args.client_id, args.secret)))
    server.daemon_threads = True
    print(f"fake DVCQG on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
