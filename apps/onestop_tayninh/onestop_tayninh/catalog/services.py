"""Writes to the catalogue: publishing (with the seed's level rules) and new versions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import Channel, ServiceLevel, VersionStatus
from .models import DocumentRequirement, EFormField, Fee, Procedure, ProcedureVersion


def publishing_problems(version: ProcedureVersion) -> list[str]:
    """Every reason `version` may not be published, in Vietnamese; empty when it may.

    The rules are those of the seed (Decree 43/2011 levels): every published procedure
    is at least level 2, and a level is only claimed when its requirements are met.
    """
    problems: list[str] = []
    documents = list(version.documents.all())
    if version.level < ServiceLevel.DOWNLOADABLE_FORMS:
        problems.append(_("Thủ tục công bố trên Cổng phải đạt tối thiểu mức độ 2."))
    if not documents:
        problems.append(_("Chưa khai báo thành phần hồ sơ."))
    if not version.tracked_only and not version.receipt_anywhere and not version.receiving_desks.exists():
        problems.append(_("Chưa chọn nơi tiếp nhận (hoặc đánh dấu không tiếp nhận tại bộ phận một cửa)."))
    if version.level >= ServiceLevel.DOWNLOADABLE_FORMS:
        for document in documents:
            if document.is_form and not document.template:
                problems.append(_("Mẫu đơn, tờ khai “%(name)s” chưa có tệp mẫu để tải về.") % {"name": document.name})
    if any(document.from_eform for document in documents) and not version.form_fields.exists():
        problems.append(_("Có thành phần lập từ biểu mẫu điện tử nhưng thủ tục chưa có biểu mẫu điện tử."))
    if version.level >= ServiceLevel.ONLINE_SUBMISSION:
        if not version.form_fields.exists():
            problems.append(_("Mức độ 3 trở lên cần biểu mẫu điện tử tương tác."))
        if Channel.ONLINE not in version.submission_methods:
            problems.append(_("Mức độ 3 trở lên phải cho phép nộp hồ sơ trực tuyến."))
    if version.level >= ServiceLevel.ONLINE_PAYMENT:
        if version.total_fee > 0 and not version.online_payment:
            problems.append(_("Mức độ 4 có thu phí, lệ phí phải bật thanh toán trực tuyến."))
        if Channel.ONLINE not in version.return_methods:
            problems.append(_("Mức độ 4 phải cho phép nhận kết quả trực tuyến."))
        if not version.electronic_result_allowed:
            problems.append(_("Mức độ 4 phải cho phép kết quả điện tử."))
    return problems


@transaction.atomic
def procedure_version_publish(*, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft; the previously published version of the procedure is retired."""
    # Lock the procedure so two administrators publishing at once cannot leave two published versions.
    Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Chỉ công bố được bản nháp; phiên bản này đang ở trạng thái “%(status)s”.")
            % {"status": version.get_status_display()}
        )
    version.full_clean()
    problems = publishing_problems(version)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    version.procedure.versions.filter(status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at"])
    return version


@transaction.atomic
def procedure_version_new_draft(*, procedure: Procedure) -> ProcedureVersion:
    """The draft to edit: the existing one, or a copy of the newest version with all its parts."""
    Procedure.objects.select_for_update().get(pk=procedure.pk)
    existing = procedure.versions.filter(status=VersionStatus.DRAFT).first()
    if existing:
        return existing
    source = procedure.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("Thủ tục chưa có phiên bản nào để sao chép."))
    desks = list(source.receiving_desks.all())
    children: dict[str, list[Fee] | list[DocumentRequirement] | list[EFormField]] = {
        "fees": list(source.fees.all()),
        "documents": list(source.documents.all()),
        "form_fields": list(source.form_fields.all()),
    }
    draft = source
    draft.pk = None
    draft._state.adding = True
    draft.number = source.number + 1
    draft.status = VersionStatus.DRAFT
    draft.published_at = draft.retired_at = None
    draft.source_checksum = ""  # a person's draft, not a site file's row (reloading the site leaves it alone)
    draft.save()
    draft.receiving_desks.set(desks)
    for rows in children.values():
        for row in rows:
            row.pk = None
            row._state.adding = True
            row.version = draft
            row.save()
    return draft
