"""Failure drills (issue #23): `make drills`, or `.venv/bin/pytest -p no:xdist -m drills tests/drills`.

Each drill takes the cluster lock, brings the cluster up (scripts/cluster.sh, with the drills' short
leases), runs its load and its failure, checks, brings the cluster down and lets go of the lock, so
another user of the cluster (the rolling deploy's tests) can run between two drills.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.drills.harness import (
    NationalStandIn,
    VNPayStandIn,
    WebhookReceiver,
    app_side,
    cluster,
    cluster_env,
    cluster_lock,
)


@dataclass
class DrillCluster:
    token: str
    procedure: str
    requirement: int | None
    marks: dict[str, int]
    #: The drill citizen's open orders (references), its session and the cookies' names.
    orders: list[str]
    session: str
    cookie_names: dict[str, str]
    #: The cluster's SECRET_KEY, which the look-up secrets printed on receipts are made with.
    secret_key: str
    webhooks: WebhookReceiver
    national: NationalStandIn
    vnpay: VNPayStandIn

    def setup_again(self) -> None:
        """New high-water marks, token and open orders for a second stream on the same cluster."""
        given: dict[str, Any] = app_side("setup", webhook_url())
        self.token, self.marks, self.orders = given["token"], given["marks"], given["orders"]

    def lookup_secret(self, code: str) -> str:
        """The six digits printed on a dossier's receipt, made with the cluster's key as the cluster does."""
        from onestop_tayninh.dossiers.selectors import lookup_secret

        return lookup_secret(code, key=self.secret_key)


def webhook_url() -> str:
    from tests.drills.harness import WEBHOOK_PORT

    return f"http://127.0.0.1:{WEBHOOK_PORT}/onestop"


@pytest.fixture
def drill_cluster(tmp_path):
    (tmp_path / "vnpay").mkdir()
    with cluster_lock():
        try:
            cluster("up")
            with (
                WebhookReceiver() as webhooks,
                NationalStandIn() as national,
                VNPayStandIn(tmp_path / "vnpay") as vnpay,
            ):
                given = app_side("setup", webhook_url())
                yield DrillCluster(
                    token=given["token"],
                    procedure=given["procedure"],
                    requirement=given["requirement"],
                    marks=given["marks"],
                    orders=given["orders"],
                    session=given["session"],
                    cookie_names=given["cookies"],
                    secret_key=cluster_env()["DJANGO_SECRET_KEY"],
                    webhooks=webhooks,
                    national=national,
                    vnpay=vnpay,
                )
        finally:
            cluster("down")
