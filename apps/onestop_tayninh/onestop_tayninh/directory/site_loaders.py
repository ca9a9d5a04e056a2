"""Loaders for the directory files of a site (see core.site_config)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError

from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.core.upsert import upsert

from .constants import Tier
from .models import AdministrativeUnit, Agency, ReceptionDesk
from .services import official_upsert, roles_ensure


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _ref(model, code, *, label: str, what: str):
    if code in (None, ""):
        return None
    found = model.objects.filter(code=str(code)).first()
    if found is None:
        raise ValidationError(f"{label}: không tìm thấy {what} mã '{code}'.")
    return found


def _ensure_one_site(rows: list[dict], *, context: SiteContext) -> None:
    """Refuse to load a site into a database that holds another site's directory.

    Two sites of one province reuse unit codes for different units (tayninh-2025's 25486 "Xã Tân
    Biên" was "Thị trấn Tân Biên" in tayninh): loaded together, one would silently rename the
    other's units under its dossiers. A database whose current provinces are not this site's
    current provinces belongs to another site; each site has its own (README "Sites").
    """
    ours = {str(row["code"]) for row in rows if row.get("tier") == Tier.PROVINCE and not row.get("valid_to")}
    if not ours:
        return
    other = AdministrativeUnit.objects.filter(tier=Tier.PROVINCE, valid_to__isnull=True).exclude(code__in=ours).first()
    if other is not None:
        raise ValidationError(
            f"cơ sở dữ liệu này đang chứa danh mục của một site khác ({other.name}, mã {other.code}, đang có "
            f"hiệu lực), không phải của site '{context.name}'. Các site dùng trùng mã đơn vị hành chính, nên "
            "mỗi site phải có cơ sở dữ liệu riêng: đặt DB_NAME khác (make run SITE=... tự chọn cơ sở dữ liệu "
            "theo site, xem README “Sites”)."
        )


def load_units(rows: list[dict], *, context: SiteContext) -> int:
    _ensure_one_site(rows, context=context)
    for row in rows:
        label = f"đơn vị {row.get('code')}"
        upsert(
            AdministrativeUnit,
            {"code": str(row["code"])},
            {
                "name": row["name"],
                "tier": row["tier"],
                "kind": row.get("kind", ""),
                "parent": _ref(AdministrativeUnit, row.get("parent"), label=label, what="đơn vị cấp trên"),
                "valid_from": _date(row.get("valid_from")),
                "valid_to": _date(row.get("valid_to")),
            },
            label=label,
        )
    return len(rows)


def _desk_settings(model, row: dict, keys: tuple[str, ...]) -> dict[str, str]:
    """Settings an official edits in the desk: the site file gives a first value only, so loading
    the site again (every `make run`) never undoes what was edited."""
    given = {key: str(row[key] or "") for key in keys if key in row}
    current = model.objects.filter(code=str(row["code"])).values(*given).first() if given else None
    return {key: value for key, value in given.items() if not (current and current[key])}


def load_agencies(rows: list[dict], *, context: SiteContext) -> int:
    for row in rows:
        label = f"cơ quan {row.get('code')}"
        upsert(
            Agency,
            {"code": str(row["code"])},
            {
                "name": row["name"],
                "short_name": row.get("short_name", ""),
                "kind": row["kind"],
                "unit": _ref(AdministrativeUnit, row["unit"], label=label, what="đơn vị hành chính"),
                "parent": _ref(Agency, row.get("parent"), label=label, what="cơ quan cấp trên"),
                "is_active": row.get("is_active", True),
                **_desk_settings(Agency, row, ("place_name",)),
            },
            label=label,
        )
    return len(rows)


def load_desks(rows: list[dict], *, context: SiteContext) -> int:
    for row in rows:
        label = f"bộ phận {row.get('code')}"
        upsert(
            ReceptionDesk,
            {"code": row["code"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "agency": _ref(Agency, row["agency"], label=label, what="cơ quan"),
                "unit": _ref(AdministrativeUnit, row["unit"], label=label, what="đơn vị hành chính"),
                "address": row.get("address", ""),
                "phone": str(row.get("phone", "")),
                "is_active": row.get("is_active", True),
                **_desk_settings(ReceptionDesk, row, ("register_book", "opening_hours")),
                # Said in the file, it is applied; left out, a desk keeps what the desk's admin set.
                **({"transfer_on_receipt": bool(row["transfer_on_receipt"])} if "transfer_on_receipt" in row else {}),
            },
            label=label,
        )
    return len(rows)


def load_officials(rows: list[dict], *, context: SiteContext) -> int:
    roles_ensure(reset=context.reset_roles)
    if not context.demo:
        return 0
    for row in rows:
        label = f"cán bộ {row.get('username')}"
        desks = [_ref(ReceptionDesk, code, label=label, what="bộ phận") for code in row.get("desks", [])]
        official_upsert(
            username=row["username"],
            full_name=row["full_name"],
            email=row.get("email", ""),
            phone=str(row.get("phone", "")),
            position=row.get("position", ""),
            agency=_ref(Agency, row["agency"], label=label, what="cơ quan"),
            role_codes=row.get("roles", []),
            desks=desks,
            initial_password=settings.DEMO_PASSWORD,
        )
    return len(rows)
