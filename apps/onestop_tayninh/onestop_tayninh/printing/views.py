"""Desk pages for printing: a dossier's issued documents, any form on demand, the register.

Every lookup goes through the row-level rule (`visible_to`): a dossier or desk outside the
official's scope answers 404, so nothing reveals that it exists.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.models import Dossier

from . import services
from .constants import DocumentKind
from .models import GeneratedDocument

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _slug(dossier: Dossier) -> str:
    return (dossier.code or f"hs{dossier.pk}").replace(".", "-")


@login_required
@require_GET
def form_print(request: HttpRequest, dossier_id: int, kind: str) -> HttpResponse:
    """Print form `kind` of the dossier now (the control sheet is always current)."""
    if kind not in DocumentKind.values:
        raise Http404
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=dossier_id)
    try:
        content = services.render_form(dossier=dossier, kind=kind, at=timezone.now())
    except ValidationError as exc:
        return render(request, "printing/error.html", {"messages_": exc.messages, "dossier": dossier}, status=409)
    return _pdf_response(content, f"{_slug(dossier)}-{kind}.pdf")


@login_required
@require_GET
def document_download(request: HttpRequest, dossier_id: int, document_id: int) -> FileResponse:
    """A document as it was issued and stored (printing.GeneratedDocument)."""
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=dossier_id)
    document = get_object_or_404(GeneratedDocument, pk=document_id, dossier=dossier)
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{_slug(dossier)}-{document.kind}-{timezone.localtime(document.created_at):%Y%m%d%H%M}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_list(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=dossier_id)
    context = {
        "dossier": dossier,
        "documents": dossier.generated_documents.order_by("-created_at", "-pk"),
        "kinds": DocumentKind.choices,
    }
    return render(request, "printing/documents.html", context)


class RegisterForm(forms.Form):
    desk = forms.ModelChoiceField(queryset=ReceptionDesk.objects.none(), label="Bộ phận tiếp nhận")
    date_from = forms.DateField(label="Từ ngày", input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    date_to = forms.DateField(label="Đến ngày", input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    format = forms.ChoiceField(label="Định dạng", choices=[("pdf", "PDF (A4 ngang)"), ("xlsx", "Excel (XLSX)")])

    # A year of one busy desk is already tens of thousands of rows: keep one export bounded.
    MAX_DAYS = 366

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = ReceptionDesk.objects.visible_to(user).order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise ValidationError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
            if (end - start) > dt.timedelta(days=self.MAX_DAYS):
                raise ValidationError("Mỗi lần chỉ in sổ cho tối đa 366 ngày.")
        return data


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The register (Form 06 / 07) of a desk the official may see, for a date range."""
    form = RegisterForm(request.GET or None, user=request.user)
    if request.GET and "desk" in request.GET:
        visible = ReceptionDesk.objects.visible_to(request.user)
        if request.GET["desk"].isdigit() and not visible.filter(pk=request.GET["desk"]).exists():
            raise Http404
    if form.is_valid():
        desk, start, end = form.cleaned_data["desk"], form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        name = f"so-theo-doi-{desk.code}-{start:%Y%m%d}-{end:%Y%m%d}"
        if form.cleaned_data["format"] == "xlsx":
            content = services.register_xlsx(desk=desk, date_from=start, date_to=end)
            response = HttpResponse(content, content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            response["Cache-Control"] = "private, no-store"
            return response
        content = services.register_pdf(desk=desk, date_from=start, date_to=end, at=timezone.now())
        return _pdf_response(content, f"{name}.pdf")
    return render(request, "printing/register_form.html", {"form": form})
