#!/usr/bin/env python3
"""A local SMTP sink for development and tests: every message accepted is stored, nothing is relayed.

    .venv/bin/python scripts/smtp_sink.py [--host 127.0.0.1] [--port 1025] [--dir var/mail]

Each message becomes one .eml file under --dir, named after its Message-ID, so a message sent
twice with the same Message-ID (a retried send) is stored once; the repeat is answered 250 like
the first and noted in duplicates.log. Read the mail with any mail reader, or count it:
`ls var/mail/*.eml | wc -l`. --slow-first N waits N seconds after storing the first message
before answering, to let tests kill a sender mid-send.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import signal
import sys
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

HEADER_END = re.compile(rb"\r?\n\r?\n")
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def _message_id(data: bytes) -> str:
    """The Message-ID header, read from the header block only (no full MIME parse: cheap)."""
    end = HEADER_END.search(data)
    found = MESSAGE_ID.search(data[: end.start() if end else len(data)])
    return re.sub(rb"\s+", b" ", found.group(1)).strip().decode("ascii", "replace") if found else ""


class SinkHandler:
    def __init__(self, directory: Path, slow_first: float) -> None:
        self.directory = directory
        self.slow_first = slow_first
        self.stored = 0

    async def handle_DATA(self, server: SMTP, session, envelope) -> str:
        data: bytes = envelope.original_content or envelope.content
        message_id = _message_id(data)
        name = hashlib.sha256(message_id.encode()).hexdigest()[:32] if message_id else uuid.uuid4().hex
        final = self.directory / f"{name}.eml"
        temporary = self.directory / f".{name}.{uuid.uuid4().hex}.tmp"
        temporary.write_bytes(data)
        try:
            os.link(temporary, final)  # atomic: fails if this Message-ID was stored before
        except FileExistsError:
            with open(self.directory / "duplicates.log", "a", encoding="utf-8") as log:
                log.write(f"{message_id}\n")
        else:
            self.stored += 1
            print(f"[smtp-sink] {final.name} ← {envelope.mail_from} → {', '.join(envelope.rcpt_tos)}", flush=True)
            if self.stored == 1 and self.slow_first:
                await asyncio.sleep(self.slow_first)
        finally:
            temporary.unlink(missing_ok=True)
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default=str(Path(__file__).resolve().parent.parent / "var" / "mail"))
    parser.add_argument("--slow-first", type=float, default=0.0, help="seconds to wait after the first message")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(SinkHandler(directory, args.slow_first), hostname=args.host, port=args.port)
    controller.start()
    print(f"[smtp-sink] listening on {args.host}:{args.port}, storing in {directory}", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    sys.exit(main())
