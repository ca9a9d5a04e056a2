"""Production's nginx site and the cluster's nginx template proxy the same way (config/nginx/)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import socketserver
import struct
import subprocess
import threading
from collections import Counter

import pytest

from tests.support import REPO, wait_until

PRODUCTION = REPO / "config" / "nginx" / "onestop_tayninh.conf"
CLUSTER = REPO / "config" / "nginx" / "cluster.conf.in"
SCRIPT = REPO / "scripts" / "cluster.sh"


def directives(text: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def block(text: str, opening: str) -> list[str]:
    """The directives of the last block that starts with `opening` (nested blocks included), in order:
    production's first "location / {" is the plain-HTTP redirect."""
    lines = directives(text)
    start = len(lines) - 1 - lines[::-1].index(opening)
    depth, body = 0, []
    for line in lines[start:]:
        depth += line.count("{") - line.count("}")
        body.append(line)
        if depth == 0:
            return body[1:-1]
    raise AssertionError(f"{opening} is not closed")


def test_the_proxy_settings_are_the_same_in_production_and_in_the_cluster():
    production, cluster = PRODUCTION.read_text(), CLUSTER.read_text()
    assert block(production, "location / {") == block(cluster, "location / {")
    assert block(production, "location /static/ {")[1:] == block(cluster, "location /static/ {")[1:]
    assert "proxy_next_upstream error;" in block(production, "location / {")


def test_the_upstream_servers_have_the_same_failure_limits():
    (production_limits,) = re.findall(r"server 127\.0\.0\.1:8001 (.*);", PRODUCTION.read_text())
    cluster_limits = re.findall(r'server \$HOST:\$port (.*);"', SCRIPT.read_text())
    assert cluster_limits == [production_limits]
    assert len(block(PRODUCTION.read_text(), "upstream onestop_web {")) == 1
    assert block(CLUSTER.read_text(), "upstream onestop_web {") == ["@UPSTREAM_SERVERS@"]


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (scripts/setup.sh installs it)")
def test_the_rendered_cluster_config_is_valid_nginx(tmp_path):
    values = {
        "NGINX_DIR": str(tmp_path),
        "RUN_DIR": str(tmp_path),
        "LOG_DIR": str(tmp_path),
        "VAR_DIR": str(tmp_path),
        "USER_LINE": "",
        "LISTEN": "127.0.0.1:8109",
        "UPSTREAM_SERVERS": "server 127.0.0.1:8101;\nserver 127.0.0.1:8102;",
    }
    text = CLUSTER.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    assert "@" not in re.sub(r"#.*", "", text)
    (tmp_path / "nginx.conf").write_text(text)
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


class _Node(socketserver.ThreadingTCPServer):
    """A gunicorn node on a free port: answers 200, or (`dies`) reads the request and resets the
    connection without answering, as a node killed under a request does. Counts requests by path."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, dies: bool) -> None:
        self.dies = dies
        self.paths: Counter[str] = Counter()
        super().__init__(("127.0.0.1", 0), _NodeHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _NodeHandler(socketserver.StreamRequestHandler):
    server: _Node

    def handle(self) -> None:
        request_line = self.rfile.readline().decode()
        headers = {}
        while (line := self.rfile.readline().decode().strip()) != "":
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        self.rfile.read(int(headers.get("content-length", 0)))
        self.server.paths[request_line.split()[1]] += 1
        if self.server.dies:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (scripts/setup.sh installs it)")
def test_a_look_up_whose_node_died_is_answered_by_the_other_node(tmp_path):
    """The public look-up (POST /tra-cuu/) only reads (and counts the visit), so nginx passes one
    lost with its node to the other node instead of answering 502, which the failure drill "kill -9
    web node" saw; any other POST still is not passed on, since its node may have acted on it."""
    dead, alive = _Node(dies=True), _Node(dies=False)
    port = _free_port()
    values = {
        "NGINX_DIR": str(tmp_path),
        "RUN_DIR": str(tmp_path),
        "LOG_DIR": str(tmp_path),
        "VAR_DIR": str(tmp_path),
        "USER_LINE": "user root;" if os.geteuid() == 0 else "",
        "LISTEN": f"127.0.0.1:{port}",
        # Never left out (max_fails=0): requests alternate, so the dead node gets its share throughout.
        "UPSTREAM_SERVERS": f"server 127.0.0.1:{dead.port} max_fails=0;\nserver 127.0.0.1:{alive.port} max_fails=0;",
    }
    text = CLUSTER.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    (tmp_path / "nginx.conf").write_text(text)
    nginx = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
    try:
        assert wait_until(lambda: _post(port, "/healthz") is not None, timeout=10)

        look_ups = [_post(port, "/tra-cuu/") for _ in range(4)]
        others = [_post(port, "/api/v1/dossiers/") for _ in range(4)]
    finally:
        nginx.terminate()
        nginx.wait(10)
        dead.shutdown()
        alive.shutdown()
    assert dead.paths["/tra-cuu/"] >= 1
    assert look_ups == [200] * 4
    assert 502 in others


def _post(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=b"code=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()
