"""The drills' work inside the cluster's own database, run as `python -m tests.drills.app_side setup|check`
with the cluster's environment (var/cluster/env), not the test run's: the drill's test process never
opens the cluster's database itself, as the cluster test does not either.

    setup  the connected system the load speaks as (an ApiClient made through services, a fresh
           token), the procedure it hands dossiers in for, a webhook subscriber pointing at the
           drill's receiver, the citizen who pays online (a logged-in session, dossiers submitted
           online with their orders open), and the outboxes' high-water marks; prints JSON.
    check  reads JSON {"marks", "sent": {key: [document sha256, ...]}, "accepted": [key, ...],
           "payments": [...], "ipns": [...]} on stdin and prints what the database holds for them
           (see `check` and `check_payments`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from collections import defaultdict
from typing import Any

NAME = "Diễn tập sự cố: phần mềm tiếp nhận"
#: Every drill dossier's applicant name carries its Idempotency-Key: a dossier made twice for one key
#: (a replay not recognised) shows as two dossiers with that name.
APPLICANT_PREFIX = "Diễn tập"


def applicant_name(key: str) -> str:
    return f"{APPLICANT_PREFIX} {key}"


#: The provincial centre's first site (tayninh-2025), as bench/api.py uses the seed's centre.
DESK = "ttphcc-tinh-cs1"
#: The drills' own procedure (bench.api.ensure_procedure): level 2 at Sở Tư pháp, received at DESK,
#: its one component optional, so a create may be accepted at once.
PROCEDURE = "9.990023"


def ensure_procedure():
    from bench.api import ensure_procedure as bench_procedure

    return bench_procedure(PROCEDURE, name="Tiếp nhận từ phần mềm chuyên ngành (diễn tập sự cố)", desk=DESK)


#: The procedure the drill's citizen pays for online: level 4 at the same desk, one charge of FEE đồng
#: owed at online submission. (Only a dossier with an applicant's account can be paid online, and only
#: the portal gives a dossier one: a dossier handed in through the API is paid at the counter.)
PAID_PROCEDURE = "9.990024"
FEE = 15_000
CITIZEN = "dien-tap-cong-dan"
#: Open orders the citizen has at the start of a drill, more than a drill's payer gets through.
OPEN_ORDERS = 120


def ensure_paid_procedure():
    from bench.api import ensure_procedure as bench_procedure

    return bench_procedure(
        PAID_PROCEDURE, name="Cấp giấy xác nhận trực tuyến có lệ phí (diễn tập sự cố)", desk=DESK, online_fee=FEE
    )


def _citizen():
    """The drill's citizen account, as registration leaves one (the login is not what a drill exercises)."""
    from onestop_tayninh.accounts.models import CitizenProfile, User

    user, created = User.objects.get_or_create(
        username=CITIZEN,
        defaults={"kind": "citizen", "is_staff": False, "full_name": "Diễn Tập Công Dân", "phone": "0909000023"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    CitizenProfile.objects.get_or_create(
        user=user,
        defaults={"applicant_kind": "individual", "cccd": "072099000023", "address": "Phường 3, thành phố Tây Ninh"},
    )
    return user


def _open_orders(citizen, desk, at) -> list[str]:
    """The citizen's open orders for the paid procedure, topped up to OPEN_ORDERS by submitting online
    (dossiers.services.dossier_submit_online: the order is opened by payments' subscriber, as on the portal)."""
    from onestop_tayninh.dossiers.services import dossier_submit_online
    from onestop_tayninh.payments.constants import OrderStatus
    from onestop_tayninh.payments.models import PaymentOrder

    version = ensure_paid_procedure()

    def open_ones():
        return PaymentOrder.objects.filter(
            dossier__applicant_account=citizen, dossier__procedure_version=version, status=OrderStatus.OPEN
        )

    for _n in range(OPEN_ORDERS - open_ones().count()):
        dossier_submit_online(
            citizen=citizen,
            procedure_version=version,
            desk=desk,
            at=at,
            files=[],
            form_data={},
            phone=citizen.phone,
            email="dien.tap@example.vn",
            address="Phường 3, thành phố Tây Ninh",
        )
    return list(open_ones().order_by("pk").values_list("reference", flat=True))


def _marks() -> dict[str, int]:
    from django.db.models import Max

    from onestop_tayninh.core.models import Task
    from onestop_tayninh.national.models import SyncMessage
    from onestop_tayninh.notifications.models import Message
    from onestop_tayninh.webhooks.models import Delivery

    return {
        name: model.objects.aggregate(top=Max("pk"))["top"] or 0
        for name, model in (("tasks", Task), ("messages", Message), ("national", SyncMessage), ("webhooks", Delivery))
    }


def setup(webhook_url: str) -> dict[str, Any]:

    from django.conf import settings
    from django.utils import timezone

    from bench.api import access_token
    from bench.portal import session_cookie
    from onestop_tayninh.api.constants import Scope
    from onestop_tayninh.api.models import ApiClient
    from onestop_tayninh.api.services import api_client_create
    from onestop_tayninh.catalog.models import DocumentRequirement
    from onestop_tayninh.directory.models import ReceptionDesk, Role
    from onestop_tayninh.dossiers.constants import EventAction
    from onestop_tayninh.webhooks.models import Subscriber
    from onestop_tayninh.webhooks.services import subscriber_create

    version = ensure_procedure()
    desk = ReceptionDesk.objects.get(code=DESK)
    client = ApiClient.objects.filter(name=NAME).first()
    if client is None:
        client = api_client_create(
            name=NAME,
            agency=desk.agency,
            roles=Role.objects.filter(code="receiving_officer"),
            desks=[desk],
            scopes=list(Scope.values),
            rate_per_minute=1_000_000,  # the drills measure failures, not the client's limit
        ).client
    token = access_token(client)
    if not Subscriber.objects.filter(name=NAME).exists():
        subscriber_create(
            name=NAME,
            url=webhook_url,
            event_kinds=[EventAction.ACCEPTED],
            agencies=[desk.agency],
            at=timezone.now(),
        )
    requirement = (
        DocumentRequirement.objects.filter(version=version).order_by("position").values_list("pk", flat=True).first()
    )
    citizen = _citizen()
    return {
        "token": token,
        "procedure": version.procedure.code,
        "requirement": requirement,
        "orders": _open_orders(citizen, desk, timezone.now()),
        "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
        "session": session_cookie(citizen),
        "marks": _marks(),
    }


def _sha256(field) -> str | None:
    try:
        with field.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (OSError, ValueError):  # a missing or unreadable file is what the check reports
        return None


def check(marks: dict[str, int], sent: dict[str, list[str]], accepted: list[str]) -> dict[str, Any]:
    """What the database holds for the keys the load sent:

    - `lost`: keys answered 201 with no dossier; `duplicated`: keys with more than one dossier;
      `half_made`: drill dossiers without an Idempotency-Key row or without a code (a create not
      answered 201 must have left nothing, or everything, behind: a retry then replays it);
    - `documents_bad`: accepted dossiers whose documents differ from what was uploaded (names, count,
      SHA-256 of the stored file); `receipts_bad`: dossiers without exactly one receipt (Form 01);
    - `codes_bad`: per agency and day touched, codes not exactly 1..N of the counter, or repeated;
    - `outbox`: rows written since the marks, by status; `pending` sums the ones not yet final.
    """
    from django.db.models import Count

    from onestop_tayninh.api.models import IdempotencyKey
    from onestop_tayninh.core.models import Task
    from onestop_tayninh.dossiers.models import Dossier, DossierCodeCounter
    from onestop_tayninh.national.models import SyncMessage
    from onestop_tayninh.notifications.models import Message
    from onestop_tayninh.printing.constants import DocumentKind
    from onestop_tayninh.printing.models import GeneratedDocument
    from onestop_tayninh.webhooks.models import Delivery

    names = {applicant_name(key): key for key in sent}
    dossiers = list(Dossier.objects.filter(full_name__in=list(names)).prefetch_related("documents").order_by("pk"))
    by_key: dict[str, list[Any]] = defaultdict(list)
    for dossier in dossiers:
        by_key[names[dossier.full_name]].append(dossier)
    keyed = set(
        IdempotencyKey.objects.filter(key__in=list(sent), client__name=NAME).values_list("dossier_id", flat=True)
    )
    lost = sorted(key for key in accepted if not by_key.get(key))
    duplicated = sorted(key for key, found in by_key.items() if len(found) > 1)
    half_made = sorted(d.pk for d in dossiers if d.pk not in keyed or not d.code)
    accepted_keys = set(accepted)
    # Keys never answered 201 whose dossier exists: the client gave up before the replay; not lost,
    # not half-made (the dossier is whole), counted so the table can say so.
    unanswered_made = sorted(key for key in by_key if key not in accepted_keys)

    receipts = dict(
        GeneratedDocument.objects.filter(dossier__in=dossiers, kind=DocumentKind.RECEIPT)
        .values("dossier")
        .annotate(n=Count("pk"))
        .values_list("dossier", "n")
    )
    receipts_bad: list[Any] = []
    documents_bad: list[Any] = []
    for key, found in by_key.items():
        for dossier in found:
            if receipts.get(dossier.pk, 0) != 1:
                receipts_bad.append([key, dossier.pk, receipts.get(dossier.pk, 0)])
            stored = sorted(_sha256(document.file) or "missing" for document in dossier.documents.all())
            if key in accepted_keys and stored != sorted(sent[key]):
                documents_bad.append([key, dossier.pk, stored, sorted(sent[key])])

    codes_bad: list[Any] = []
    prefixes = {d.code.rsplit("-", 1)[0] for d in dossiers if d.code}
    for prefix in sorted(prefixes):
        agency_code, day = prefix.rsplit("-", 1)
        numbers = sorted(
            int(code.rsplit("-", 1)[1])
            for code in Dossier.objects.filter(code__startswith=prefix + "-").values_list("code", flat=True)
            if re.fullmatch(r"\d{4}", code.rsplit("-", 1)[1])
        )
        counter = DossierCodeCounter.objects.filter(
            agency__code=agency_code, day=dt.datetime.strptime(day, "%y%m%d").date()
        ).first()
        last = counter.last_number if counter else 0
        if numbers != list(range(1, last + 1)):
            repeated = sorted({n for n in numbers if numbers.count(n) > 1})
            missing = sorted(set(range(1, last + 1)) - set(numbers))
            codes_bad.append({"prefix": prefix, "counter": last, "repeated": repeated, "missing": missing[:20]})

    final = {"tasks": {"done", "failed"}, "messages": {"sent", "failed"}, "national": {"accepted", "rejected"}}
    final["webhooks"] = {"delivered", "failed"}
    outbox: dict[str, dict[str, int]] = {}
    pending = 0
    for name, model in (("tasks", Task), ("messages", Message), ("national", SyncMessage), ("webhooks", Delivery)):
        statuses = dict(
            model.objects.filter(pk__gt=marks[name]).values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        outbox[name] = statuses
        pending += sum(n for status, n in statuses.items() if status not in final[name])
    return {
        "dossiers": len(dossiers),
        "lost": lost,
        "duplicated": duplicated,
        "half_made": half_made,
        "unanswered_made": unanswered_made,
        "receipts_bad": receipts_bad,
        "documents_bad": documents_bad,
        "codes_bad": codes_bad,
        "codes_checked": sorted(prefixes),
        "outbox": outbox,
        "pending": pending,
        # Tasks run more than once: taken over after a worker died with them (its lease ran out).
        "tasks_retaken": Task.objects.filter(pk__gt=marks["tasks"], attempts__gt=1).count(),
        "webhook_ids": [
            str(u) for u in Delivery.objects.filter(pk__gt=marks["webhooks"]).values_list("uuid", flat=True)
        ],
        "national_ids": [
            str(u) for u in SyncMessage.objects.filter(pk__gt=marks["national"]).values_list("message_id", flat=True)
        ],
        "sms_keys": [m.idempotency_key for m in Message.objects.filter(pk__gt=marks["messages"], channel="sms")],
    }


def check_payments(payments: list[dict[str, Any]], ipns: list[dict[str, Any]]) -> dict[str, Any]:
    """What the database holds for the payments the drill's citizen made at the VNPay stand-in
    (`payments`: {reference, txn_ref, amount} of each one the gateway took money for) and every
    IPN the stand-in sent (`ipns`: its /ipn-log, replays included):

    - `recorded`: payments whose order is paid by that transaction, with one receipt of the amount
      paid and one "payment received" event, the dossier owing nothing more;
    - `duplicated`: payments recorded more than once (receipts, events, successful transactions of
      one order, or two IPNs of one transaction both answered 00 "recorded");
    - `unconfirmed`: payments the gateway took that no IPN got answered 00 or 02 for by the end;
    - `half_made`: anything recorded in part, on any of the citizen's orders (paid without receipt
      or event, a successful transaction on an order still open, a receipt of another amount...);
    - `answered`: every IPN answer by RspCode (or HTTP status when there was no JSON answer).
    """
    from collections import Counter

    from django.db.models import Count

    from onestop_tayninh.dossiers.constants import EventAction
    from onestop_tayninh.dossiers.models import DossierEvent
    from onestop_tayninh.payments.constants import OrderStatus, TransactionStatus
    from onestop_tayninh.payments.models import PaymentOrder, PaymentTransaction, Receipt

    recorded_answers = Counter(i["txn_ref"] for i in ipns if i.get("http_status") == 200 and i.get("rsp_code") == "00")
    confirmed = {i["txn_ref"] for i in ipns if i.get("http_status") == 200 and i.get("rsp_code") in ("00", "02")}
    answered = Counter(str(i.get("rsp_code") or i.get("http_status") or i.get("error", "?")[:40]) for i in ipns)

    orders = list(PaymentOrder.objects.filter(dossier__applicant_account__username=CITIZEN).select_related("dossier"))
    receipts = dict(
        Receipt.objects.filter(order__in=orders).values("order").annotate(n=Count("pk")).values_list("order", "n")
    )
    receipt_amounts = dict(Receipt.objects.filter(order__in=orders).values_list("order", "amount"))
    succeeded = dict(
        PaymentTransaction.objects.filter(order__in=orders, status=TransactionStatus.SUCCEEDED)
        .values("order")
        .annotate(n=Count("pk"))
        .values_list("order", "n")
    )
    events = Counter(
        payload.get("order")
        for payload in DossierEvent.objects.filter(
            dossier__in=[o.dossier_id for o in orders], action=EventAction.PAYMENT_RECEIVED
        ).values_list("data", flat=True)
    )
    half_made: list[Any] = []
    for order in orders:
        paid = order.status == OrderStatus.PAID
        whole = (
            paid == bool(order.paid_transaction_id)
            and receipts.get(order.pk, 0) == (1 if paid else 0)
            and events[order.reference] == (1 if paid else 0)
            and succeeded.get(order.pk, 0) == (1 if paid else 0)
            and (not paid or (receipt_amounts.get(order.pk) == order.amount and order.dossier.fees_due == 0))
        )
        if not whole:
            half_made.append(
                [
                    order.reference,
                    order.status,
                    receipts.get(order.pk, 0),
                    events[order.reference],
                    succeeded.get(order.pk, 0),
                ]
            )

    by_ref = {o.reference: o for o in orders}
    transactions = {
        t.txn_ref: t for t in PaymentTransaction.objects.filter(txn_ref__in=[p["txn_ref"] for p in payments])
    }
    recorded, duplicated, unconfirmed, amount_bad = [], [], [], []
    for payment in payments:
        order, txn = by_ref.get(payment["reference"]), transactions.get(payment["txn_ref"])
        if payment["txn_ref"] not in confirmed:
            unconfirmed.append(payment["txn_ref"])
        if order is None or txn is None:
            continue
        if txn.amount != payment["amount"] or order.amount != payment["amount"]:
            amount_bad.append([payment["txn_ref"], payment["amount"], txn.amount, order.amount])
        if (
            receipts.get(order.pk, 0) > 1
            or events[order.reference] > 1
            or succeeded.get(order.pk, 0) > 1
            or recorded_answers[payment["txn_ref"]] > 1
        ):
            duplicated.append(payment["txn_ref"])
        elif order.status == OrderStatus.PAID and order.paid_transaction_id == txn.pk and receipts.get(order.pk) == 1:
            recorded.append(payment["txn_ref"])
    return {
        "sent": len(payments),
        "recorded": len(recorded),
        "duplicated": duplicated,
        "unconfirmed": unconfirmed,
        "amount_bad": amount_bad,
        "half_made": half_made,
        "answered": dict(answered),
    }


def main() -> None:
    import django

    django.setup()
    command = sys.argv[1]
    if command == "setup":
        result = setup(sys.argv[2])
    elif command == "check":
        given = json.load(sys.stdin)
        result = check(given["marks"], given["sent"], given["accepted"])
        result["payments"] = check_payments(given["payments"], given["ipns"])
    else:
        raise SystemExit(f"unknown command {command}")
    print("DRILL-JSON " + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
