"""Every write of the api app: connecting a system, and the dossier a system hands in.

The dossier services themselves are the engine's (dossiers.services, dossiers.actions): the API
calls them as the desk does, acting as the client's technical account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from oauth2_provider.models import Application

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.constants import AccountKind
from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.selectors import published_version
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, Official, ReceptionDesk, Role
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import ReceiptDecision
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_decide, dossier_start

from .constants import IDEMPOTENCY_KEY_MAX, Scope
from .models import ApiClient, IdempotencyKey


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    #: The client secret in clear: shown once, stored only hashed.
    secret: str


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown:
        raise ValidationError({"scopes": _("Phạm vi không tồn tại: %(names)s.") % {"names": ", ".join(unknown)}})
    return scopes


@transaction.atomic
def api_client_create(
    *,
    name: str,
    agency: Agency,
    roles: Iterable[Role],
    scopes: Iterable[str],
    desks: Iterable[ReceptionDesk] = (),
    rate_per_minute: int | None = None,
    contact: str = "",
) -> NewClient:
    """Connect a system: its OAuth2 application (client credentials), its technical account at `agency`
    with `roles` (their scope fixes what it reaches, core.rowlevel) and `desks`, and its scopes."""
    name = (name or "").strip()
    scopes = _check_scopes(scopes)
    desks = list(desks)
    if any(desk.agency_id != agency.pk for desk in desks):
        raise ValidationError({"desks": _("Bộ phận tiếp nhận phải thuộc cơ quan của hệ thống kết nối.")})
    username = f"api-{secrets.token_hex(6)}"
    user = User(username=username, full_name=name[:150], kind=AccountKind.OFFICIAL, is_staff=False)
    # A technical account never logs in: no usable password, not staff (the desk refuses it).
    user.set_unusable_password()
    user.save()
    user.groups.set([role.group for role in roles])
    official = Official(user=user, agency=agency, position=_("Hệ thống kết nối"))
    official.full_clean()
    official.save()
    official.desks.set(desks)
    secret = secrets.token_urlsafe(32)
    application = Application(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=True,
    )
    application.save()
    client = ApiClient(
        name=name, application=application, user=user, scopes=scopes, rate_per_minute=rate_per_minute, contact=contact
    )
    client.full_clean()
    client.save()
    return NewClient(client=client, secret=secret)


@transaction.atomic
def api_client_secret_rotate(*, client: ApiClient) -> str:
    """A new client secret (the old one stops at once); tokens already issued run to their expiry."""
    secret = secrets.token_urlsafe(32)
    application = client.application
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    return secret


# --- dossiers handed in by a client -----------------------------------------------------------


@dataclass(frozen=True)
class Created:
    dossier: Dossier
    #: True when the call replayed an earlier one (same Idempotency-Key): nothing new was made.
    replayed: bool


def request_fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _unit(code: str, field: str) -> AdministrativeUnit | None:
    if not code:
        return None
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError({field: _("Không có đơn vị hành chính mã “%(code)s”.") % {"code": code}})
    return unit


def _desk(user: User, desk_id: int | None) -> ReceptionDesk:
    desks = ReceptionDesk.objects.filter(officials__user=user)
    if desk_id is not None:
        desk = desks.filter(pk=desk_id).first()
        if desk is None:
            raise PermissionDenied(_("Hệ thống kết nối không làm việc tại bộ phận tiếp nhận này."))
        return desk
    found = list(desks[:2])
    if not found:
        raise PermissionDenied(
            _("Hệ thống kết nối không làm việc tại bộ phận tiếp nhận nào nên không tiếp nhận được hồ sơ.")
        )
    if len(found) > 1:
        raise ValidationError({"desk": _("Hãy chọn bộ phận tiếp nhận (desk).")})
    return found[0]


def _replayed(client: ApiClient, key: str, fingerprint: str) -> Created:
    kept = IdempotencyKey.objects.select_related("dossier").get(client=client, key=key)
    if kept.fingerprint != fingerprint:
        raise ValidationError(
            {"Idempotency-Key": _("Khóa chống trùng này đã dùng cho một yêu cầu khác; hãy dùng khóa mới.")}
        )
    return Created(dossier=kept.dossier, replayed=True)


# InnoDB's "deadlock, try restarting transaction" and "lock wait timeout": the whole transaction was
# rolled back, so it is simply run again.
RETRIED_ERRORS = (1213, 1205)
ATTEMPTS = 4


def api_dossier_create(
    *, client: ApiClient, data: dict[str, Any], at: dt.datetime, idempotency_key: str = "", fingerprint: str = ""
) -> Created:
    """A dossier handed in from a sector's own software: the desk's intake (dossier_start), and with
    `decision` "accept" its receipt at once (the code issued by the same counter as the desk's).

    With an Idempotency-Key, the key is written in the same transaction as the dossier: a replay, even
    one arriving while the first is still running, waits on the key's unique index and answers the
    dossier the first one made.
    """
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {"Idempotency-Key": _("Khóa chống trùng dài tối đa %(n)s ký tự.") % {"n": IDEMPOTENCY_KEY_MAX}}
        )
    if key and IdempotencyKey.objects.filter(client=client, key=key).exists():
        return _replayed(client, key, fingerprint)
    user = client.user
    version = published_version(data["procedure_code"])
    if version is None:
        raise ValidationError(
            {"procedure_code": _("Không có thủ tục đang công bố mã “%(code)s”.") % {"code": data["procedure_code"]}}
        )
    fields = dict(data["applicant"])
    applicant = Applicant(
        kind=fields.pop("kind"),
        unit=_unit(fields.pop("unit", ""), "applicant.unit"),
        return_method=data["return_method"],
        return_address=data["return_address"],
        **fields,
    )
    desk = _desk(user, data.get("desk"))
    object_unit = _unit(data.get("object_unit", ""), "object_unit")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _create(
                client=client,
                data=data,
                at=at,
                key=key,
                fingerprint=fingerprint,
                desk=desk,
                version=version,
                applicant=applicant,
                object_unit=object_unit,
            )
        except OperationalError as exc:
            # Intakes at one desk at the same instant meet on the inbox tallies' new rows (dossiers.tallies'
            # INSERT … ON DUPLICATE KEY UPDATE), where InnoDB may pick one of them as a deadlock victim.
            if exc.args[0] not in RETRIED_ERRORS or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _create(
    *,
    client: ApiClient,
    data: dict[str, Any],
    at: dt.datetime,
    key: str,
    fingerprint: str,
    desk: ReceptionDesk,
    version: Any,
    applicant: Applicant,
    object_unit: AdministrativeUnit | None,
) -> Created:
    user = client.user
    try:
        with transaction.atomic():
            dossier = dossier_start(
                desk=desk,
                officer=user,
                procedure_version=version,
                applicant=applicant,
                at=at,
                channel=data["channel"],
                form_data=data.get("form_data") or {},
                object_unit=object_unit,
            )
            if key:
                IdempotencyKey.objects.create(client=client, key=key, fingerprint=fingerprint, dossier=dossier)
            if data.get("decision") == ReceiptDecision.ACCEPT:
                dossier = dossier_decide(dossier=dossier, officer=user, decision=ReceiptDecision.ACCEPT, at=at)
    except IntegrityError:
        if key and IdempotencyKey.objects.filter(client=client, key=key).exists():
            return _replayed(client, key, fingerprint)
        raise
    return Created(dossier=dossier, replayed=False)
