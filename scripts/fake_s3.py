#!/usr/bin/env python3
"""A local S3 server for development, tests and drills: moto's S3 in server mode, in memory.

    .venv/bin/python scripts/fake_s3.py [--host 127.0.0.1] [--port 9100] [--bucket onestop-tayninh]

Speaks the S3 protocol over HTTP (path-style addressing) like the data centre's MinIO or Ceph, and
creates the bucket at start. Any access key and secret are accepted. Point the system at it with

    ONESTOP_S3_ENDPOINT_URL=http://127.0.0.1:9100 ONESTOP_S3_BUCKET=onestop-tayninh \\
    ONESTOP_S3_ACCESS_KEY=thu ONESTOP_S3_SECRET_KEY=thu make run

Everything stored is lost when it stops (Ctrl-C): stopping it is the drill of "the store is down";
starting it with --no-bucket is the drill of "the store refuses writes" (NoSuchBucket).
tests/security/test_object_storage.py runs the same server (ThreadedMotoServer) in a fixture.
"""

from __future__ import annotations

import argparse
import signal
import threading

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer


def client(endpoint: str):
    """A boto3 S3 client for the local server (any credentials; path-style addressing)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="thu",
        aws_secret_access_key="thu",
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--bucket", default="onestop-tayninh")
    parser.add_argument("--no-bucket", action="store_true", help="start without the bucket: every write is refused")
    args = parser.parse_args()

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    endpoint = f"http://{args.host}:{args.port}"
    if not args.no_bucket:
        client(endpoint).create_bucket(Bucket=args.bucket)
    print(f"S3 giả lập: {endpoint}, bucket {args.bucket if not args.no_bucket else '(chưa tạo)'}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
