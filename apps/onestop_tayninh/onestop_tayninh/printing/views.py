"""Desk pages for printing: a dossier's issued documents, any form on demand, the register.

Every lookup goes through the row-level rule (`visible_to`): a dossier or desk outside the
official's scope answers 404, so nothing reveals that it exists. The pages are desk pages
(`admin_view` in urls.py: the desk's login, CSRF protection, no caching) in the desk's look.
Every printed form, stored document and register handed out leaves an audit row
(`security.audit.audited_file_response`).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.rowlevel import reads_dossiers
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.audit import audited_file_response
from onestop_tayninh.security.constants import AuditAction

from . import form_contexts, register_book, selectors, services
from .constants import (
    REGISTER_EXPORT_KEEP_DAYS,
    REGISTER_INLINE_MAX_ROWS,
    REGISTER_MAX_DAYS,
    DocumentKind,
    ExportStatus,
    RegisterFormat,
)
from .models import GeneratedDocument, RegisterExport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _desk_page(request: HttpRequest, template: str, title: str, context: dict) -> TemplateResponse:
    return TemplateResponse(request, template, {**admin.site.each_context(request), "title": title, **context})


def _label(dossier: Dossier) -> str:
    """How a page names the dossier after "hồ sơ": its code, or that it has none yet."""
    return dossier.code or _("chưa cấp mã (số %(pk)s)") % {"pk": dossier.pk}


def _slug(dossier: Dossier) -> str:
    return (dossier.code or f"hs{dossier.pk}").replace(".", "-")


@require_GET
def form_print(request: HttpRequest, dossier_id: int, kind: str) -> HttpResponse:
    """Print form `kind` of the dossier now (the control sheet is always current)."""
    if kind not in DocumentKind.values:
        raise Http404
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=dossier_id)
    try:
        content = form_contexts.render_form(dossier=dossier, kind=kind, at=timezone.now())
    except ValidationError as exc:
        context = {"messages_": exc.messages, "dossier": dossier, "label": _label(dossier)}
        response = _desk_page(request, "printing/error.html", _("Chưa thể in"), context)
        response.status_code = 409
        return response
    return audited_file_response(
        request,
        content,
        filename=f"{_slug(dossier)}-{kind}.pdf",
        target=dossier,
        data={"dossier": dossier.code, "form": kind},
        content_type="application/pdf",
        as_attachment=False,
    )


@require_GET
def document_download(request: HttpRequest, dossier_id: int, document_id: int) -> FileResponse:
    """A document as it was issued and stored (printing.GeneratedDocument)."""
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=dossier_id)
    document = get_object_or_404(GeneratedDocument, pk=document_id, dossier=dossier)
    return audited_file_response(
        request,
        document.file,
        filename=f"{_slug(dossier)}-{document.kind}-{timezone.localtime(document.created_at):%Y%m%d%H%M}.pdf",
        target=document,
        data={"dossier": dossier.code, "form": document.kind},
        content_type="application/pdf",
    )


@require_GET
def document_list(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The dossier's forms: what its state allows printing now, what was issued (with its number),
    and, coming from an action (`?su-kien=<event>`), what that action just issued."""
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=dossier_id)
    now = timezone.now()
    numbers = selectors.issued_numbers(dossier)
    documents = list(dossier.generated_documents.order_by("-created_at", "-pk"))
    for document in documents:
        document.number = numbers.get((document.kind, document.created_at), "")
    context = {
        "dossier": dossier,
        "documents": documents,
        "kinds": form_contexts.printable_forms(dossier=dossier, at=now),
        "just_issued": _just_issued(dossier, request.GET.get("su-kien", ""), numbers, now),
    }
    return _desk_page(
        request, "printing/documents.html", _("Biểu mẫu của hồ sơ %(dossier)s") % {"dossier": _label(dossier)}, context
    )


def _just_issued(dossier: Dossier, event_id: str, numbers: dict, now: dt.datetime) -> list[dict]:
    """The forms one event of the dossier issued: the stored copy once the worker made it, else printed now."""
    event = dossier.events.filter(pk=int(event_id)).first() if event_id.isdigit() else None
    if event is None:
        return []
    issued = []
    for kind in selectors.issued_kinds(event):
        stored = GeneratedDocument.objects.filter(dossier=dossier, kind=kind, created_at=event.at).first()
        issued.append(
            {
                "label": form_contexts.form_label(dossier, kind, now),
                "number": numbers.get((kind, event.at), ""),
                "url": (
                    reverse("printing:document_download", args=[dossier.pk, stored.pk])
                    if stored
                    else reverse("printing:form_print", args=[dossier.pk, kind])
                ),
            }
        )
    return issued


class RegisterForm(forms.Form):
    desk = forms.ModelChoiceField(queryset=ReceptionDesk.objects.none(), label=gettext_lazy("Bộ phận tiếp nhận"))
    date_from = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"),
        choices=RegisterFormat.choices,
        initial=RegisterFormat.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        desks = ReceptionDesk.objects.visible_to(user).order_by("name")
        self.fields["desk"].queryset = desks
        # Ready for the usual request: the official's own desk, this month so far.
        official = getattr(user, "official", None)
        own = official.desks.filter(pk__in=desks).first() if official else None
        self.fields["desk"].initial = own or (desks.first() if desks.count() == 1 else None)
        self.fields["date_from"].initial = today.replace(day=1)
        self.fields["date_to"].initial = today

    def clean(self):
        # The services check the range again (printing.services._check_range); this shows it on the form.
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
            if (end - start) > dt.timedelta(days=REGISTER_MAX_DAYS):
                raise ValidationError(_("Mỗi lần chỉ in sổ cho tối đa 366 ngày."))
        return data


def _register_response(
    request: HttpRequest,
    content: bytes | FieldFile,
    *,
    desk: ReceptionDesk,
    export: dict,
    filename: str,
    as_attachment: bool,
) -> FileResponse:
    """The register file, audited as an export: it lists every applicant's name, address and phone."""
    is_pdf = export["format"] == RegisterFormat.PDF
    return audited_file_response(
        request,
        content,
        filename=filename,
        target=desk,
        action=AuditAction.EXPORT,
        data={"register": export},
        content_type="application/pdf" if is_pdf else XLSX,
        as_attachment=as_attachment,
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The register (Form 06 / 07) of a desk the official may see, for a date range.

    GET shows the form; POST prints (it may queue work, so it is not a GET). Up to
    REGISTER_INLINE_MAX_ROWS rows the file comes back at once; a longer register is queued for
    a worker and the official is sent to its page, which shows when it is ready.
    """
    _reads_dossiers(request)
    today = timezone.localdate(timezone=VIETNAM_TZ)
    data = request.POST if request.method == "POST" else None
    form = RegisterForm(data, user=request.user, today=today)
    if data is not None and data.get("desk", "").isdigit():
        if not ReceptionDesk.objects.visible_to(request.user).filter(pk=data["desk"]).exists():
            raise Http404
    if form.is_valid():
        desk, start, end = form.cleaned_data["desk"], form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        file_format = form.cleaned_data["format"]
        if register_book.register_made_in_background(desk=desk, date_from=start, date_to=end, file_format=file_format):
            export = services.register_export_request(
                desk=desk, date_from=start, date_to=end, file_format=file_format, user=request.user, at=timezone.now()
            )
            return redirect("printing:register_export", export.pk)
        content = services.register_file(
            desk=desk, date_from=start, date_to=end, file_format=file_format, at=timezone.now()
        )
        return _register_response(
            request,
            content,
            desk=desk,
            export={"from": start.isoformat(), "to": end.isoformat(), "format": file_format},
            filename=f"so-theo-doi-{desk.code}-{start:%Y%m%d}-{end:%Y%m%d}.{file_format}",
            as_attachment=file_format != RegisterFormat.PDF,  # the PDF opens in the browser to be printed
        )
    exports = RegisterExport.objects.filter(requested_by=request.user).select_related("desk")[:10]
    inline_max = f"{REGISTER_INLINE_MAX_ROWS:,}".replace(",", ".")  # 5.000, as Vietnamese writes it
    context = {"form": form, "exports": exports, "inline_max": inline_max}
    return _desk_page(request, "printing/register_form.html", _("In sổ theo dõi hồ sơ"), context)


def _reads_dossiers(request: HttpRequest) -> None:
    """The register lists a desk's dossiers: only for roles that read dossiers (separation of duties)."""
    if not reads_dossiers(request.user):
        raise PermissionDenied


def _own_export(request: HttpRequest, export_id: int) -> RegisterExport:
    """A register the official asked for, at a desk they still may see; anything else is 404."""
    if not reads_dossiers(request.user):
        raise Http404
    visible = ReceptionDesk.objects.visible_to(request.user)
    return get_object_or_404(
        RegisterExport.objects.select_related("desk"), pk=export_id, requested_by=request.user, desk__in=visible
    )


@require_GET
def register_export(request: HttpRequest, export_id: int) -> HttpResponse:
    """A register made by a worker: its state, then its download link."""
    export = _own_export(request, export_id)
    if services.register_exports_fail_stale(now=timezone.now(), exports=RegisterExport.objects.filter(pk=export.pk)):
        export.refresh_from_db()
    pending = export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    context = {"export": export, "pending": pending, "keep_days": REGISTER_EXPORT_KEEP_DAYS}
    return _desk_page(request, "printing/register_export.html", _("Sổ theo dõi hồ sơ đang lập"), context)


@require_GET
def register_export_download(request: HttpRequest, export_id: int) -> FileResponse:
    export = _own_export(request, export_id)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404
    return _register_response(
        request,
        export.file,
        desk=export.desk,
        export={
            "from": export.date_from.isoformat(),
            "to": export.date_to.isoformat(),
            "format": export.file_format,
            "export": export.pk,
        },
        filename=export.filename,
        as_attachment=True,
    )
