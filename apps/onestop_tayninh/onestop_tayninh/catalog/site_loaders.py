"""Loaders for the catalogue files of a site: sectors, document types, procedures.

A procedure row is applied as a new version only when its content changed (the
row's checksum is kept on the version), so loading a site twice changes nothing,
and editing the YAML publishes a new version while older dossiers keep theirs.
That is also how a correction of the demo catalogue reaches a database loaded
before it: `make demo-data` (load_site) publishes the corrected row as a new
version and retires the old one; no data patch is needed.

A form component names its HTML form (`template: to-khai.html`, printed to PDF);
`template_docx: true` also gives citizens a Word copy written from the same HTML
(catalog.docx_forms), so no binary file is kept in the site's directory.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q

from onestop_tayninh.core.pdf import html_to_pdf
from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.core.upsert import upsert
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import Agency, ReceptionDesk

from .constants import CompetentBasis, CompetentKind, VersionStatus
from .docx_forms import LAYOUT_VERSION as DOCX_LAYOUT_VERSION
from .docx_forms import form_docx
from .models import DocumentRequirement, DocumentType, EFormField, Fee, Procedure, ProcedureVersion, Sector
from .services import procedure_version_publish


def load_sectors(rows: list[dict], *, context: SiteContext) -> int:
    for row in rows:
        upsert(Sector, {"code": row["code"]}, {"name": row["name"]}, label=f"lĩnh vực {row['code']}")
    return len(rows)


def load_document_types(rows: list[dict], *, context: SiteContext) -> int:
    for row in rows:
        upsert(DocumentType, {"code": row["code"]}, {"name": row["name"]}, label=f"loại giấy tờ {row['code']}")
    return len(rows)


def _checksum(row: dict, context: SiteContext) -> str:
    payload = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    # Template contents count too: editing a form's HTML (or the shared stylesheet) makes a new version.
    stylesheet = context.directory / "forms" / "bieu-mau.css"
    if stylesheet.is_file():
        payload += stylesheet.read_text(encoding="utf-8")
    for document in row.get("documents", []):
        if document.get("template"):
            payload += (context.directory / "forms" / document["template"]).read_text(encoding="utf-8")
        if document.get("template_docx"):
            # A new layout of the Word copies writes them again.
            payload += f"docx-layout-{DOCX_LAYOUT_VERSION}"
    return hashlib.sha256(payload.encode()).hexdigest()


def _desks(spec: dict | None) -> list[ReceptionDesk]:
    spec = spec or {}
    query = Q(code__in=spec.get("codes", [])) | Q(kind__in=spec.get("kinds", []))
    return list(ReceptionDesk.objects.filter(query, is_active=True))


def _form_source(context: SiteContext, name: str) -> Path:
    source = context.directory / "forms" / name
    if not source.is_file():
        raise ValidationError(f"không tìm thấy tệp mẫu forms/{name}")
    return source


def _template_file(context: SiteContext, name: str) -> ContentFile:
    source = _form_source(context, name)
    pdf = html_to_pdf(source.read_text(encoding="utf-8"), base_url=source.parent)
    return ContentFile(pdf, name=f"{source.stem}.pdf")


def _template_docx_file(context: SiteContext, name: str) -> ContentFile:
    source = _form_source(context, name)
    return ContentFile(form_docx(source.read_text(encoding="utf-8")), name=f"{source.stem}.docx")


def _apply_competent(version: ProcedureVersion, competent, *, tiers: list[str], label: str) -> None:
    """The `competent` key: an agency code, or the committee of a tier by where the dossier belongs.

    competent: "000.00.02.H53"                         # one named body
    competent: {committee: district, by: residence}    # UBND cấp huyện nơi người nộp cư trú
    competent: {committee: commune, by: object}        # UBND cấp xã nơi có thửa đất, công trình
    competent: {committee: commune, by: object, place: "nơi xây dựng công trình"}   # names the object
    competent: {committee: receiving}                  # UBND nơi nộp hồ sơ (chứng thực)
    competent: applicant_unit_committee                # the procedure's only tier, by residence
    """
    version.competent_agency = None
    version.competent_tier = ""
    version.competent_basis = CompetentBasis.RESIDENCE
    version.competent_place = ""
    if competent == CompetentKind.APPLICANT_UNIT_COMMITTEE:
        version.competent_kind = CompetentKind.APPLICANT_UNIT_COMMITTEE
        if len(tiers) != 1:
            raise ValidationError(
                f"{label}: thủ tục nhiều cấp phải ghi rõ cấp UBND có thẩm quyền, ví dụ "
                "competent: {committee: district, by: residence}."
            )
        version.competent_tier = tiers[0]
        return
    if isinstance(competent, dict):
        version.competent_kind = CompetentKind.APPLICANT_UNIT_COMMITTEE
        tier, basis = competent.get("committee"), competent.get("by", CompetentBasis.RESIDENCE)
        if tier == "receiving":
            version.competent_basis = CompetentBasis.RECEIVING_DESK
            return
        if tier not in Tier.values or basis not in (CompetentBasis.RESIDENCE, CompetentBasis.OBJECT):
            raise ValidationError(
                f"{label}: “competent” cần committee là province, district, commune hoặc receiving "
                "và by là residence hoặc object."
            )
        version.competent_tier, version.competent_basis = tier, basis
        place = competent.get("place", "")
        if place and basis != CompetentBasis.OBJECT:
            raise ValidationError(f"{label}: “place” chỉ dùng với by: object (nơi có đối tượng của thủ tục).")
        version.competent_place = place
        return
    agency = Agency.objects.filter(code=competent).first()
    if agency is None:
        raise ValidationError(f"{label}: không tìm thấy cơ quan giải quyết “{competent}”.")
    version.competent_kind, version.competent_agency = CompetentKind.NAMED_AGENCY, agency


def _apply(version: ProcedureVersion, row: dict, context: SiteContext) -> None:
    label = f"thủ tục {row['code']}"
    processing = row.get("processing", {})
    result = row.get("result", {})
    version.name = row["name"]
    version.sector = Sector.objects.get(code=row["sector"])
    version.tiers = row.get("tiers", [])
    _apply_competent(version, row.get("competent"), tiers=version.tiers, label=label)
    version.tracked_only = bool(row.get("tracked_only", False))
    version.receipt_anywhere = bool(row.get("anywhere", False))
    version.level = row["level"]
    version.processing_amount = processing.get("amount", 0)
    version.processing_unit = processing.get("unit", "working_days")
    cutoff = processing.get("cutoff")
    version.same_day_cutoff = datetime.time.fromisoformat(cutoff) if cutoff else None
    version.result_name = result.get("name", "")
    version.electronic_result_allowed = bool(result.get("electronic", False))
    version.submission_methods = row.get("submission", [])
    version.return_methods = row.get("return", [])
    version.online_payment = bool(row.get("online_payment", False))
    version.applicant_kinds = row.get("applicants", ["individual"])
    version.steps = row.get("steps", "")
    version.requirements = row.get("requirements", "")
    version.legal_basis = row.get("legal_basis", "")
    version.source_checksum = _checksum(row, context)
    try:
        version.full_clean()
    except ValidationError as exc:
        raise ValidationError(f"{label}: {'; '.join(exc.messages)}") from exc
    version.save()
    version.receiving_desks.set([] if version.tracked_only else _desks(row.get("desks")))
    version.fees.all().delete()
    version.documents.all().delete()
    version.form_fields.all().delete()
    for fee in row.get("fees", []):
        _save_child(
            Fee(
                version=version,
                name=fee["name"],
                amount=fee["amount"],
                note=fee.get("note", ""),
                kind=fee.get("kind", "charge"),
                unit=fee.get("unit", "dossier"),
                exempt_groups=list(fee.get("exempt", [])),
                set_after_appraisal=bool(fee.get("after_appraisal", False)),
            ),
            label,
        )
    for position, document in enumerate(row.get("documents", []), start=1):
        document_type = document.get("document_type")
        child = DocumentRequirement(
            version=version,
            position=position,
            name=document["name"],
            originals=document.get("originals", 1),
            copies=document.get("copies", 0),
            requirement=document.get("requirement", "required"),
            condition=document.get("condition", "") or "",
            is_form=bool(document.get("is_form", False)),
            accepted_types=document.get("accepted", ["pdf", "jpg", "png"]),
            document_type=DocumentType.objects.get(code=document_type) if document_type else None,
            from_eform=bool(document.get("from_eform", False)),
        )
        if document.get("template"):
            child.template = _template_file(context, document["template"])
        if document.get("template_docx"):
            if not document.get("template"):
                raise ValidationError(
                    f"{label} ({child}): “template_docx: true” viết bản Word từ mẫu HTML, hãy ghi cả “template”."
                )
            child.template_docx = _template_docx_file(context, document["template"])
        _save_child(child, label)
    for position, field in enumerate(row.get("eform", []), start=1):
        _save_child(
            EFormField(
                version=version,
                position=position,
                key=field["key"],
                label=field["label"],
                field_type=field["type"],
                required=bool(field.get("required", False)),
                help_text=field.get("help", ""),
                choices="\n".join(field.get("choices", [])),
                rules=field.get("rules", {}),
                section=field.get("section", ""),
                prefill=field.get("prefill", ""),
            ),
            label,
        )


def _save_child(child, label: str) -> None:
    try:
        child.full_clean()
    except ValidationError as exc:
        raise ValidationError(f"{label} ({child}): {'; '.join(exc.messages)}") from exc
    child.save()


def load_procedures(rows: list[dict], *, context: SiteContext) -> int:
    applied = 0
    for row in rows:
        procedure, _ = Procedure.objects.get_or_create(code=str(row["code"]))
        checksum = _checksum(row, context)
        if procedure.versions.filter(source_checksum=checksum).exists():
            continue
        version = procedure.versions.filter(status=VersionStatus.DRAFT).first()
        if version is not None and not version.source_checksum:
            # A draft an official is writing in the desk: theirs to finish or discard, never overwritten
            # (nor published) by a reload; the site file's change waits, and the load says so.
            context.notes.append(
                f"Thủ tục {procedure.code}: đang có bản nháp do cán bộ soạn trên bàn làm việc; giữ nguyên bản nháp, "
                "thay đổi trong tệp site chưa được áp dụng."
            )
            continue
        if version is None:
            newest = procedure.versions.order_by("-number").first()
            version = ProcedureVersion(procedure=procedure, number=newest.number + 1 if newest else 1)
        _apply(version, row, context)
        if row.get("publish", True):
            procedure_version_publish(version=version)
        applied += 1
    return applied
