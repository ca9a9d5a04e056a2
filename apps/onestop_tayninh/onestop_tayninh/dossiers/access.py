"""The applicant's link to their dossier without an account (docs/domain.md §5.9): signed, not guessable.

A counter applicant (walk-in or post) has no portal account. The receipt's QR code and the result
messages carry a link with a token signed with the site's secret (django.core.signing): whoever
holds the paper (or the message) may see the dossier's status, download its electronic result and
rate the handling once. The dossier code alone is printed and guessable, so it never opens anything
by itself; a typed look-up needs the code plus four digits of the applicant's CCCD or phone
(`selectors.public_lookup`).

A token names the dossier and the moment it was signed; it stops working after
`ONESTOP_APPLICANT_LINK_DAYS` days (long enough for the slowest procedure and a rating after it).
A kiosk token names a reception desk, for the rating tablet on its counter.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from .models import Dossier

APPLICANT_SALT = "onestop_tayninh.dossiers.applicant-link"
KIOSK_SALT = "onestop_tayninh.dossiers.desk-kiosk"
DAY_SECONDS = 24 * 3600


def applicant_token(dossier: Dossier) -> str:
    """The signed token of the applicant's link: the dossier id and the signing time, nothing personal."""
    return signing.TimestampSigner(salt=APPLICANT_SALT).sign(f"{dossier.pk}")


def dossier_for_token(token: str) -> Dossier | None:
    """The dossier a still-valid token names, or None (tampered, expired, or no such dossier).

    Only received dossiers (those with a code) are reachable: a dossier refused or sent back at the
    check has nothing to look up, download or rate.
    """
    max_age = int(settings.ONESTOP_APPLICANT_LINK_DAYS) * DAY_SECONDS
    try:
        value = signing.TimestampSigner(salt=APPLICANT_SALT).unsign(token or "", max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not value.isdigit():
        return None
    return (
        Dossier.objects.select_related("procedure_version", "state", "receiving_desk")
        .filter(pk=int(value), code__isnull=False)
        .first()
    )


def kiosk_token(desk_id: int) -> str:
    return signing.TimestampSigner(salt=KIOSK_SALT).sign(f"{desk_id}")


def desk_for_kiosk_token(token: str) -> int | None:
    """The desk id a kiosk token names while it is valid (`ONESTOP_KIOSK_TOKEN_DAYS`), else None."""
    max_age = int(settings.ONESTOP_KIOSK_TOKEN_DAYS) * DAY_SECONDS
    try:
        value = signing.TimestampSigner(salt=KIOSK_SALT).unsign(token or "", max_age=max_age)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


KIOSK_RATING_SALT = "onestop_tayninh.dossiers.kiosk-rating"
KIOSK_RATING_SECONDS = 15 * 60


def kiosk_rating_token(dossier: Dossier, desk_id: int) -> str:
    """The kiosk's rating form names its dossier with this, not with the applicant's link: it rates
    one dossier at one desk for a quarter of an hour, and opens no result (a code typed at the
    counter has no second factor)."""
    return signing.TimestampSigner(salt=KIOSK_RATING_SALT).sign(f"{dossier.pk}.{desk_id}")


def dossier_for_kiosk_rating(token: str, desk_id: int) -> Dossier | None:
    try:
        value = signing.TimestampSigner(salt=KIOSK_RATING_SALT).unsign(token or "", max_age=KIOSK_RATING_SECONDS)
    except signing.BadSignature:
        return None
    dossier_id, _dot, desk = value.partition(".")
    if not (dossier_id.isdigit() and desk == str(desk_id)):
        return None
    return Dossier.objects.select_related("procedure_version", "state").filter(pk=int(dossier_id)).first()
