"""The citizens' side of a drill's load, beside the connected system handing dossiers in (harness.Stream):

- `Payer`: the drill's citizen paying its open orders online, one after another, as the portal and
  VNPay do it: "Thanh toán" on the order's pay page (POST /thanh-toan/<order>/, provider vnpay:
  payments.services.payment_start, answered with a redirect to the gateway's signed page), then
  "pay" on the VNPay stand-in's page, which sends the signed IPN to the cluster's IPN address through
  nginx (retrying until answered 00 or 02, as VNPay does): at once for every other payment, 2 s after
  the payer is sent back for the rest, so that IPNs also arrive while the payer itself is held up by
  the failure. Once an IPN has been answered the stand-in sends it once more: a replayed webhook,
  which must change nothing.
- `LookUps`: anonymous visitors looking up the stream's accepted dossiers on the public look-up
  (POST /tra-cuu/ with the code and the six digits printed on the receipt), each from a loopback
  address of its own (127.a.b.c: nginx writes the peer's address in X-Forwarded-For, which
  security.net.client_ip reads), so the per-address rate limit is not what is measured. The view
  reads from the MariaDB replica (core.dbrouting) and counts each visit in Redis (security.ratelimit).

Both behave as careful clients: a call that got no answer or a 5xx is sent again after a second
(the payer) or counted and left (a visitor does not insist).
"""

from __future__ import annotations

import http.client
import json
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.drills.harness import NGINX_PORT, VNPAY_PORT, Stream

HOST = "127.0.0.1"


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset, timeout)
    headers: dict[str, str]
    body: bytes


def call(
    port: int,
    method: str,
    path: str,
    *,
    fields: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    source: str | None = None,
) -> Answer:
    """One HTTP call, a form body if `fields`, from the loopback address `source` if given."""
    body = urlencode(fields).encode() if fields is not None else None
    headers = {"Host": f"{HOST}:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    connection = http.client.HTTPConnection(HOST, port, timeout=60, source_address=(source, 0) if source else None)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return Answer(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    except (OSError, http.client.HTTPException):
        return Answer(0, {}, b"")
    finally:
        connection.close()


def csrf_secret() -> str:
    # 32 characters: Django accepts a CSRF cookie's secret unmasked in the form as well.
    return secrets.token_hex(16)


# --- paying online -----------------------------------------------------------------------------------


@dataclass
class Payment:
    reference: str
    txn_ref: str = ""
    amount: int = 0  # đồng, as the gateway's signed page asks
    #: When the stand-in sends the IPN: "ngay" (before sending the payer back) or "sau" (2 s after).
    ipn: str = "ngay"
    #: The stand-in took the money (its page answered with the redirect back to the portal).
    paid: bool = False
    #: The IPN was sent once more after it had been answered.
    replayed: bool = False


@dataclass
class Payer:
    session: str
    orders: list[str]
    cookie_names: dict[str, str]
    pause: float = 0.2
    grace: float = 120.0
    payments: list[Payment] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._deadline = float("inf")
        self._csrf = csrf_secret()
        self._thread = threading.Thread(target=self._work, daemon=True)

    def start(self) -> Payer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._deadline = time.monotonic() + self.grace
        self._thread.join(self.grace + 60)

    def _work(self) -> None:
        for number, reference in enumerate(self.orders):
            if self._stop.is_set():
                break
            payment = Payment(reference=reference, ipn="sau" if number % 2 else "ngay")
            self.payments.append(payment)
            self._pay(payment)
            self._replay_answered()
            time.sleep(self.pause)
        # The last IPNs may still be on their way (sent later, or retried by the stand-in).
        while any(p.paid and not p.replayed for p in self.payments) and time.monotonic() < self._deadline:
            time.sleep(1.0)
            self._replay_answered()

    def _retrying(self) -> bool:
        time.sleep(1.0)
        return time.monotonic() < self._deadline

    def _start(self, payment: Payment) -> dict[str, str] | None:
        """ "Thanh toán" on the portal: the gateway's signed parameters, or None if refused."""
        cookies = {self.cookie_names["session"]: self.session, self.cookie_names["csrf"]: self._csrf}
        fields = {"csrfmiddlewaretoken": self._csrf, "provider": "vnpay"}
        while True:
            answer = call(NGINX_PORT, "POST", f"/thanh-toan/{payment.reference}/", fields=fields, cookies=cookies)
            self.statuses[f"start {answer.status}"] += 1
            location = answer.headers.get("location", "")
            if answer.status == 302 and urlsplit(location).port == VNPAY_PORT:
                return dict(parse_qsl(urlsplit(location).query))
            # Another 3xx (the login page) or a 4xx: refused, not to be sent again as it is.
            if 300 <= answer.status < 500 or not self._retrying():
                return None

    def _pay(self, payment: Payment) -> None:
        params = self._start(payment)
        if params is None:
            return
        payment.txn_ref, payment.amount = params["vnp_TxnRef"], int(params["vnp_Amount"]) // 100
        # The gateway's page: "pay"; the IPN is sent as `payment.ipn` says, retried until answered.
        fields = {**params, "action": "pay", "ipn": payment.ipn}
        answer = call(VNPAY_PORT, "POST", "/paymentv2/vpcpay.html", fields=fields)
        self.statuses[f"gateway {answer.status}"] += 1
        payment.paid = answer.status == 302

    def _replay_answered(self) -> None:
        """The stand-in sends again each IPN the cluster has answered 00 or 02 and that was not replayed yet."""
        log = call(VNPAY_PORT, "GET", "/ipn-log")
        if log.status != 200:
            return
        answered = {
            e["txn_ref"] for e in json.loads(log.body) if e["http_status"] == 200 and e["rsp_code"] in ("00", "02")
        }
        for payment in self.payments:
            if payment.paid and not payment.replayed and payment.txn_ref in answered:
                replay = call(VNPAY_PORT, "POST", "/_control/resend-ipn?" + urlencode({"vnp_TxnRef": payment.txn_ref}))
                self.statuses[f"replay {replay.status}"] += 1
                payment.replayed = replay.status == 200

    def replayed(self) -> int:
        return sum(p.replayed for p in self.payments)

    def paid(self) -> list[dict[str, Any]]:
        return [{"reference": p.reference, "txn_ref": p.txn_ref, "amount": p.amount} for p in self.payments if p.paid]


# --- the public look-up ------------------------------------------------------------------------------


class LookUps:
    """Anonymous look-ups of the stream's accepted dossiers, without pause, each from a new address.

    `secret_of(code)` gives the six digits of the receipt (dossiers.selectors.lookup_secret with the
    cluster's key). A code is looked up once it has been accepted for SETTLED seconds (the replica may
    lag behind by a second or so) and at most TIMES times (the page allows ten look-ups of one code an
    hour, whatever the address).
    """

    SETTLED = 3.0
    TIMES = 2

    def __init__(self, stream: Stream, secret_of, csrf_cookie: str, pause: float = 0.2) -> None:
        self.stream = stream
        self.secret_of = secret_of
        self.csrf_cookie = csrf_cookie
        self.pause = pause
        self.answers: Counter[str] = Counter()
        self.looked_up: Counter[str] = Counter()
        self._addresses = self._address_generator()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, daemon=True)

    def start(self) -> LookUps:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(120)

    @staticmethod
    def _address_generator():
        # A /16 of the loopback network of its own for each run: 65,000 visitors before an address repeats.
        a, b = random.randrange(1, 255), random.randrange(0, 256)
        n = 0
        while True:
            yield f"127.{a}.{b}.{n % 254 + 1}"
            n += 1
            if n % 254 == 0:
                b = (b + 1) % 256

    def _next_code(self) -> str | None:
        settled = time.monotonic() - self.SETTLED
        with self.stream.lock:
            ready = [r.code for r in self.stream.requests if r.code and r.accepted_at and r.accepted_at < settled]
        candidates = [code for code in ready if self.looked_up[code] < self.TIMES]
        return min(candidates, key=lambda code: self.looked_up[code]) if candidates else None

    def _work(self) -> None:
        while not self._stop.is_set():
            code = self._next_code()
            if code is None:
                time.sleep(0.5)
                continue
            self.looked_up[code] += 1
            self.answers[self._look_up(code)] += 1
            time.sleep(self.pause)

    def _look_up(self, code: str) -> str:
        """One visit; what it counts as: answered, not found, refused (503 with Retry-After), limited (429),
        or failed (no answer, a 5xx other than that 503, any other status)."""
        token = csrf_secret()
        answer = call(
            NGINX_PORT,
            "POST",
            "/tra-cuu/",
            fields={"csrfmiddlewaretoken": token, "code": code, "secret": self.secret_of(code)},
            cookies={self.csrf_cookie: token},
            source=next(self._addresses),
        )
        if answer.status == 200:
            return "answered" if f"<h2>{code}</h2>".encode() in answer.body else "not found"
        if answer.status == 503 and answer.headers.get("retry-after"):
            return "refused"
        if answer.status == 429:
            return "limited"
        return f"failed {answer.status}"

    def figures(self) -> dict[str, int]:
        failed = sum(n for name, n in self.answers.items() if name.startswith("failed"))
        return {
            "sent": sum(self.answers.values()),
            "answered": self.answers["answered"],
            "refused": self.answers["refused"],
            "failed": failed,
            "not_found": self.answers["not found"],
            "limited": self.answers["limited"],
        }
