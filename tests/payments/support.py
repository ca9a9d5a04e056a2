"""Shared pieces of the payments tests: the VNPay stand-in (scripts/fake_vnpay.py) over real HTTP,
settings pointing at it, a citizen's level-4 dossier with its order, and the payer's browser at the
stand-in's payment page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from django.utils import timezone

from onestop_tayninh.payments.constants import OrderStatus
from onestop_tayninh.payments.models import PaymentOrder
from onestop_tayninh.payments.services import payment_start
from tests.dossiers.test_online_first import submit_online

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fake_vnpay.py"
TMN_CODE = "ONESTOP1"
SECRET = "bi-mat-vnpay-kiem-thu"
RETURN_URL = "http://testserver/thanh-toan/ket-qua/vnpay/"


def start_gateway(
    directory: Path,
    *,
    ipn_url: str = "",
    tmn_code: str = TMN_CODE,
    secret: str = SECRET,
    retry_delays: str = "0.2,0.5,1",
) -> tuple[subprocess.Popen, str]:
    """The stand-in on a free port; without `ipn_url` it sends no IPN (the test delivers it)."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--port",
            "0",
            "--tmn-code",
            tmn_code,
            "--secret",
            secret,
            "--ipn-url",
            ipn_url,
            "--dir",
            str(directory),
            "--ipn-retry-delays",
            retry_delays,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()  # "fake VNPay on http://127.0.0.1:<port>"
    assert line.startswith("fake VNPay on http://127.0.0.1:"), line
    return process, line.rsplit(" ", 1)[-1]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    process, address = start_gateway(tmp_path_factory.mktemp("vnpay"))
    try:
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


def point_at(settings, address: str) -> None:
    settings.ONESTOP_PAYMENT_PROVIDERS = ["vnpay", "counter"]
    settings.ONESTOP_VNPAY_TMN_CODE = TMN_CODE
    settings.ONESTOP_VNPAY_SECRET = SECRET
    settings.ONESTOP_VNPAY_PAY_URL = f"{address}/paymentv2/vpcpay.html"
    settings.ONESTOP_VNPAY_API_URL = f"{address}/merchant_webapi/api/transaction"


@pytest.fixture
def vnpay(settings, gateway):
    point_at(settings, gateway)
    return gateway


@pytest.fixture
def light_order(db, message_templates):
    """An open 8.000 đ order on a citizen's online dossier at a desk of its own: the payment tests that
    need no province (the `order` fixture's demo world costs seconds a test)."""
    from onestop_tayninh.payments.services import LineSpec, order_open
    from tests.factories import CitizenFactory, DossierFactory, receiving_world

    world = receiving_world()
    citizen = CitizenFactory(user__full_name="Trần Văn Bé").user
    dossier = DossierFactory(
        procedure_version=world["version"],
        receiving_desk=world["desk"],
        applicant_account=citizen,
        channel="online",
        email="be@example.vn",
        phone="0912000111",
    )
    return order_open(
        dossier=dossier,
        agency=world["agency"],
        lines=[LineSpec(name="Lệ phí", kind="charge", unit_amount=8000)],
        reason="Phí, lệ phí khi nộp hồ sơ trực tuyến",
        requested_by=None,
        at=timezone.now(),
    )


@pytest.fixture
def order(online, message_templates):
    """A level-4 dossier submitted online by a citizen: its 8.000 đ order, open."""
    dossier = submit_online(online, at=timezone.now())
    order = PaymentOrder.objects.get(dossier=dossier)
    assert order.status == OrderStatus.OPEN and order.amount == 8000
    return order


def start(order: PaymentOrder, *, at=None):
    """The citizen presses "Thanh toán": the transaction and the stand-in's page address."""
    return payment_start(
        order=order,
        provider_code="vnpay",
        payer=order.dossier.applicant_account,
        client_ip="127.0.0.1",
        return_url=RETURN_URL,
        at=at or timezone.now(),
    )


def pay_at_gateway(url: str, *, action: str = "pay", ipn: str = "mat", bank: str = "NCB") -> dict[str, str]:
    """The payer's browser on the stand-in's page: open it, press pay (or cancel); the signed
    parameters the browser is sent back to our return page with. `ipn="mat"`: the stand-in sends
    no IPN (the test delivers the same signed parameters itself, or loses them)."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    answer = requests.post(
        urlsplit(url)._replace(query="").geturl(),
        data={**params, "action": action, "bank_code": bank, "ipn": ipn},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return {key: values[0] for key, values in parse_qs(back.query).items()}
