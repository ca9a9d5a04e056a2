"""Failure drills (issue #23): `make drills`, or `.venv/bin/pytest -p no:xdist -m drills tests/drills`.

Each drill takes the cluster lock, brings the cluster up (scripts/cluster.sh, with the drills' short
leases), runs its load and its failure, checks, brings the cluster down and lets go of the lock, so
another user of the cluster (the rolling deploy's tests) can run between two drills.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.drills.harness import NationalStandIn, WebhookReceiver, app_side, cluster, cluster_lock


@dataclass
class DrillCluster:
    token: str
    procedure: str
    requirement: int | None
    marks: dict[str, int]
    webhooks: WebhookReceiver
    national: NationalStandIn

    def setup_again(self) -> None:
        """New high-water marks (and token) for a second stream on the same cluster."""
        given: dict[str, Any] = app_side("setup", webhook_url())
        self.token, self.marks = given["token"], given["marks"]


def webhook_url() -> str:
    from tests.drills.harness import WEBHOOK_PORT

    return f"http://127.0.0.1:{WEBHOOK_PORT}/onestop"


@pytest.fixture
def drill_cluster():
    with cluster_lock():
        try:
            cluster("up")
            with WebhookReceiver() as webhooks, NationalStandIn() as national:
                given = app_side("setup", webhook_url())
                yield DrillCluster(
                    token=given["token"],
                    procedure=given["procedure"],
                    requirement=given["requirement"],
                    marks=given["marks"],
                    webhooks=webhooks,
                    national=national,
                )
        finally:
            cluster("down")
