"""The link between a Zalo user and a citizen account, made and removed (docs/architecture.md §6.2).

A citizen proves the account is theirs in the chat with the SMS code sent to the account's phone
(conversation.py), or by typing in the chat a code the portal's account page shows them once
they are logged in (`portal_code_issue` / `portal_code_use`). One Zalo user links to one account;
an account may be linked from several Zalo users (a phone changed). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.cache import cache
from django.db import transaction

from onestop_tayninh.accounts.models import User
from onestop_tayninh.security.audit import audit_event

from .models import ZaloUser

#: How long a code shown on the portal may be typed in the chat.
PORTAL_CODE_MINUTES = 10


def _portal_key(code: str) -> str:
    return f"zalo:link_code:{code}"


def link(*, zalo_user: ZaloUser, citizen: User, at: dt.datetime, via: str) -> ZaloUser:
    zalo_user.citizen, zalo_user.linked_at = citizen, at
    zalo_user.save(update_fields=["citizen", "linked_at"])
    audit_event(
        action="zalo.linked",
        target=f"Zalo {zalo_user.user_id}",
        data={"zalo_user": zalo_user.user_id, "citizen": citizen.pk, "via": via},
        actor=citizen,
    )
    return zalo_user


def unlink(*, zalo_user: ZaloUser, at: dt.datetime, by: User | None) -> ZaloUser:
    citizen_id = zalo_user.citizen_id
    zalo_user.citizen, zalo_user.linked_at = None, None
    zalo_user.save(update_fields=["citizen", "linked_at"])
    audit_event(
        action="zalo.unlinked",
        target=f"Zalo {zalo_user.user_id}",
        data={"zalo_user": zalo_user.user_id, "citizen": citizen_id, "from": "portal" if by else "zalo"},
        actor=by,
    )
    return zalo_user


def portal_code_issue(*, citizen: User) -> str:
    """A six-digit code for the logged-in citizen to type in the chat as "LK-<code>"."""
    for _attempt in range(5):
        code = f"{secrets.randbelow(1_000_000):06d}"
        if cache.add(_portal_key(code), citizen.pk, timeout=PORTAL_CODE_MINUTES * 60):
            return code
    raise RuntimeError("no free link code")


def portal_code_use(*, code: str, zalo_user: ZaloUser, at: dt.datetime) -> User | None:
    """The account the code was issued to, now linked to `zalo_user`; None for an unknown or used code."""
    key = _portal_key(code)
    citizen_id = cache.get(key)
    if citizen_id is None:
        return None
    cache.delete(key)
    citizen = User.objects.filter(pk=citizen_id, is_active=True, citizen__isnull=False).first()
    if citizen is None:
        return None
    link(zalo_user=zalo_user, citizen=citizen, at=at, via="portal")
    return citizen


@transaction.atomic
def unlink_from_portal(*, citizen: User, zalo_user_pk: int, at: dt.datetime) -> bool:
    """The citizen removes a link from the portal's account page; False if it is not theirs."""
    zalo_user = ZaloUser.objects.select_for_update().filter(pk=zalo_user_pk, citizen=citizen).first()
    if zalo_user is None:
        return False
    unlink(zalo_user=zalo_user, at=at, by=citizen)
    return True
