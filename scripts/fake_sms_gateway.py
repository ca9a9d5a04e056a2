#!/usr/bin/env python3
"""A fake SMS gateway for development and tests: stores every SMS as a JSON line, sends nothing.

    .venv/bin/python scripts/fake_sms_gateway.py [--host 127.0.0.1] [--port 1026] [--dir var/sms]

POST /sms with a JSON body {"to", "text", ...} and an Idempotency-Key header (required: 400
without it). The first request with a key is appended to messages.jsonl and answered 202; a
repeat of the key is answered 200 {"status": "duplicate"} and noted in duplicates.jsonl, like a
real gateway honouring idempotency. GET /count answers {"count": n}. --slow-first N waits N
seconds after storing the first SMS before answering, to let tests kill a sender mid-send.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Store:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.Lock()
        self.path = directory / "messages.jsonl"
        self.keys: set[str] = set()
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self.keys.add(json.loads(line)["idempotency_key"])

    def add(self, key: str, payload: dict) -> bool:
        """Store once per key; False for a repeat."""
        with self.lock:
            record = {"idempotency_key": key, "received_at": datetime.now(UTC).isoformat(), **payload}
            if key in self.keys:
                with open(self.directory / "duplicates.jsonl", "a", encoding="utf-8") as log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")
                return False
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.keys.add(key)
            return True


def make_handler(store: Store, slow_first: float):
    state = {"stored": 0}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/count":
                self._answer(200, {"count": len(store.keys)})
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/sms":
                return self._answer(404, {"error": "not found"})
            key = self.headers.get("Idempotency-Key", "").strip()
            try:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            except ValueError:
                return self._answer(400, {"error": "body is not JSON"})
            if not key:
                return self._answer(400, {"error": "Idempotency-Key header required"})
            if not payload.get("to") or not payload.get("text"):
                return self._answer(422, {"error": "to and text are required"})
            if not store.add(key, payload):
                return self._answer(200, {"status": "duplicate", "id": key})
            state["stored"] += 1
            print(f"[sms-gateway] {payload['to']}: {payload['text'][:60]}", flush=True)
            if state["stored"] == 1 and slow_first:
                time.sleep(slow_first)
            return self._answer(202, {"status": "accepted", "id": key})

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1026)
    parser.add_argument("--dir", default=str(Path(__file__).resolve().parent.parent / "var" / "sms"))
    parser.add_argument("--slow-first", type=float, default=0.0, help="seconds to wait after the first SMS")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Store(directory), args.slow_first))
    print(f"[sms-gateway] listening on http://{args.host}:{args.port}/sms, storing in {directory}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
