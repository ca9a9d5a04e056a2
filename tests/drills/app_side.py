"""The drills' work inside the cluster's own database, run as `python -m tests.drills.app_side setup|check`
with the cluster's environment (var/cluster/env), not the test run's: the drill's test process never
opens the cluster's database itself, as the cluster test does not either.

    setup  the connected system the load speaks as (an ApiClient made through services, a fresh
           token), the procedure it hands dossiers in for, a webhook subscriber pointing at the
           drill's receiver, and the outboxes' high-water marks; prints JSON.
    check  reads JSON {"marks", "sent": {key: [document sha256, ...]}, "accepted": [key, ...]} on
           stdin and prints what the database holds for them (see `check`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
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
    from oauth2_provider.models import AccessToken

    from django.utils import timezone

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
    # The token endpoint is not what a drill exercises: a token is written as the endpoint would.
    token = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        application=client.application,
        token=token,
        expires=timezone.now() + dt.timedelta(hours=2),
        scope=" ".join(client.scopes),
    )
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
    return {"token": token, "procedure": version.procedure.code, "requirement": requirement, "marks": _marks()}


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


def main() -> None:
    import django

    django.setup()
    command = sys.argv[1]
    if command == "setup":
        result = setup(sys.argv[2])
    elif command == "check":
        given = json.load(sys.stdin)
        result = check(given["marks"], given["sent"], given["accepted"])
    else:
        raise SystemExit(f"unknown command {command}")
    print("DRILL-JSON " + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
