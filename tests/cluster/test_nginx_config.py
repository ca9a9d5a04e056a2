"""Production's nginx site and the cluster's nginx template proxy the same way (config/nginx/)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.support import REPO

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
