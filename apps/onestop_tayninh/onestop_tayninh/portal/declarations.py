"""The declaration (tờ khai) a citizen no longer scans: the system writes it from the e-form.

A dossier component marked `from_eform` is the paper declaration whose content the e-form
carries (the birth registration declaration, Mẫu TP/HT-2020-KS.1). Online, the citizen fills
the e-form only; on submit the filled declaration is rendered to PDF with WeasyPrint (as
printing renders the desk's forms), in the site's declaration style, and joins the dossier
as that component. The officer reads and prints the same sheet a citizen would have brought.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.catalog.constants import FieldType
from onestop_tayninh.catalog.models import DocumentRequirement, EFormField
from onestop_tayninh.core.pdf import html_to_pdf

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.models import ReceptionDesk

FORM_NUMBER = re.compile(r"\s*\((Mẫu [^)]+)\)\s*$")


def _forms_dir() -> Path:
    return Path(settings.SITES_DIR) / settings.ONESTOP_SITE / "forms"


def _shown(definition: EFormField, value: Any) -> str:
    if value in (None, ""):
        return ""
    if definition.field_type == FieldType.DATE:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return f"{day:%d/%m/%Y}"
    if definition.field_type == FieldType.YES_NO:
        return _("Có") if value == "yes" else _("Không")
    if definition.field_type == FieldType.MONEY:
        return f"{int(value):,} đồng".replace(",", ".")
    return str(value)


def declaration_context(
    *,
    requirement: DocumentRequirement,
    definitions: list[EFormField],
    values: dict[str, Any],
    citizen: User,
    desk: ReceptionDesk,
    at: dt.datetime,
) -> dict[str, Any]:
    match = FORM_NUMBER.search(requirement.name)
    sections: list[dict[str, Any]] = []
    for definition in definitions:
        if not sections or sections[-1]["title"] != definition.section:
            sections.append({"title": definition.section, "rows": []})
        sections[-1]["rows"].append((definition.label, _shown(definition, values.get(definition.key))))
    day = timezone.localdate(at)
    return {
        "form_number": match.group(1) if match else "",
        "title": FORM_NUMBER.sub("", requirement.name),
        "addressee": desk.agency.name if desk.agency_id else desk.name,
        "sections": sections,
        "place": desk.unit.name if desk.unit_id else "",
        "day": day,
        "signer": citizen.full_name or citizen.get_username(),
        "stylesheet": (_forms_dir() / "bieu-mau.css").is_file(),
    }


def declaration_pdf(**kwargs: Any) -> bytes:
    """The filled declaration as PDF bytes (see `declaration_context` for the arguments)."""
    html = render_to_string("portal/declaration_pdf.html", declaration_context(**kwargs))
    return html_to_pdf(html, base_url=_forms_dir())
