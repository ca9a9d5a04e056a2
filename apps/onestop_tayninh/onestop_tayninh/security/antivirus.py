"""Virus scanning with clamd over its UNIX socket (INSTREAM), written with the standard library.

Protocol (clamd(8)): send b"zINSTREAM\\0", then chunks each prefixed with its length as a
4-byte big-endian integer, then a zero-length chunk; clamd answers one NUL-terminated line:
"stream: OK", "stream: <Signature> FOUND" or "<message> ERROR".
Anything other than a clear OK or FOUND raises ScannerUnavailable: callers fail closed.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK_SIZE = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or gave no usable answer; the file must be refused."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""

    @property
    def clean(self) -> bool:
        return not self.infected


def _connect(path: str, timeout: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError as exc:
        sock.close()
        raise ScannerUnavailable(f"cannot connect to clamd at {path}: {exc}") from exc
    return sock


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_reply(reply: str) -> ScanResult:
    if reply == "stream: OK":
        return ScanResult(infected=False)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult(infected=True, signature=reply[len("stream: ") : -len(" FOUND")])
    raise ScannerUnavailable(f"unexpected clamd reply: {reply!r}")


def scan_bytes(data: bytes, *, socket_path: str | None = None, timeout: float | None = None) -> ScanResult:
    """Scan `data` with clamd; raises ScannerUnavailable if clamd is down or answers an error."""
    path = str(socket_path or settings.CLAMD_SOCKET)
    sock = _connect(path, timeout or settings.CLAMD_TIMEOUT)
    try:
        sock.sendall(b"zINSTREAM\0")
        view = memoryview(data)
        for start in range(0, len(view), CHUNK_SIZE):
            chunk = view[start : start + CHUNK_SIZE]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = _read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd connection failed: {exc}") from exc
    finally:
        sock.close()
    return parse_reply(reply)


def ping(*, socket_path: str | None = None) -> bool:
    try:
        sock = _connect(str(socket_path or settings.CLAMD_SOCKET), 2.0)
    except ScannerUnavailable:
        return False
    try:
        sock.sendall(b"zPING\0")
        return _read_reply(sock) == "PONG"
    except OSError:
        return False
    finally:
        sock.close()
