"""A citizen chatting with the OA in tests: signed events posted to the webhook as Zalo sends them,
each processed by the worker's job, the OA's answers read back from the stand-in Zalo; photos served
over HTTP from 127.0.0.1 (the stand-in's host, so the client may download them)."""

from __future__ import annotations

import io
import itertools
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

from onestop_tayninh.zalo import jobs, protocol
from onestop_tayninh.zalo.models import ZaloEvent
from tests.zalo.support import event, messages_to, post_event

_clock = itertools.count()


class FileServer:
    """Serves registered bytes at http://127.0.0.1:<port>/<token>/<name>, as Zalo's file servers do."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                data = files.get(self.path)
                if data is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url_for(self, data: bytes, name: str = "anh.jpg") -> str:
        path = f"/{uuid.uuid4().hex}/{name}"
        self.files[path] = data
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def photo(text: str = "Trang 1", *, size=(900, 1200), color=(245, 245, 240)) -> bytes:
    """A small JPEG "photo of a page"."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, size[0] - 40, size[1] - 40), outline=(20, 20, 20), width=4)
    draw.text((80, 80), text, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


class Chat:
    def __init__(self, client, zalo: str, user_id: str, files: FileServer) -> None:
        self.client, self.zalo, self.user_id, self.files = client, zalo, user_id, files

    def _timestamp(self) -> str:
        # Strictly increasing, so the order of the citizen's events is the order they were sent.
        return str(int(time.time() * 1000) + next(_clock))

    def post(self, kind: str, **changes) -> ZaloEvent:
        payload = event(kind, sender={"id": self.user_id}, **changes)
        payload["timestamp"] = self._timestamp()
        if "message" in payload and "message" not in changes:
            payload["message"] = {**payload["message"], "msg_id": uuid.uuid4().hex}
        response = post_event(self.client, payload)
        assert response.status_code == 200, response.content
        return ZaloEvent.objects.get(event_id=protocol.event_id(payload))

    def process(self, stored: ZaloEvent) -> ZaloEvent:
        jobs.event_process(event_id=stored.event_id)
        stored.refresh_from_db()
        return stored

    def follow(self) -> ZaloEvent:
        return self.process(self.post("follow"))

    def text(self, text: str, *, process: bool = True) -> ZaloEvent:
        stored = self.post("user_send_text", message={"msg_id": uuid.uuid4().hex, "text": text})
        return self.process(stored) if process else stored

    def photo(self, data: bytes, *, name: str = "anh.jpg", process: bool = True) -> ZaloEvent:
        url = self.files.url_for(data, name)
        attachment = {"type": "image", "payload": {"thumbnail": url, "url": url}}
        stored = self.post(
            "user_send_image", message={"msg_id": uuid.uuid4().hex, "text": "", "attachments": [attachment]}
        )
        return self.process(stored) if process else stored

    def replies(self) -> list[str]:
        return [message["text"] for message in messages_to(self.zalo, self.user_id)]

    def last(self) -> str:
        replies = self.replies()
        return replies[-1] if replies else ""
