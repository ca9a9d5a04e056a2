"""The desk's payment pages: a dossier's payments, the counter form, a receipt's PDF.

Each view reads through the row-level rule, parses its form and calls one service; a refusal by the
service (ValidationError, PermissionDenied) is shown as the service's own Vietnamese message.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.audit import audited_file_response

from . import selectors, services
from .constants import OrderStatus, RefundStatus
from .forms import CounterPaymentForm, OrderRequestForm, RefundRequestForm
from .models import PaymentOrder, Receipt


def _page(dossier_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("payments_desk:dossier", args=[dossier_id]))


def refused(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    """A service's refusal as the desk's error messages (its own Vietnamese words)."""
    texts = getattr(exc, "messages", None) or [str(exc) or _("Bạn không được thực hiện thao tác này.")]
    for text in texts:
        messages.error(request, text)


def may_request_refund(user) -> bool:
    return any(user.has_perm(f"payments.{perm}") for perm in services.REFUND_REQUESTERS)


@staff_member_required
@require_http_methods(["GET", "POST"])
def dossier_payments(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """What the dossier owes and everything paid for it; the counter, after-appraisal and refund forms.

    The orders are shown to whoever sees the dossier (its history tells the same); what may be done
    to an order is for the collecting body's officials, as the services check again.
    """
    dossier = get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related("procedure_version", "receiving_agency"), pk=dossier_id
    )
    user = request.user
    can_request = user.has_perm("payments.request_payment") and not dossier.closed_at
    request_form = OrderRequestForm(request.POST if request.POST.get("action") == "request" else None)
    refund_form = RefundRequestForm(request.POST if request.POST.get("action") == "refund" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "request":
                if request_form.is_valid():
                    order = services.order_request(
                        dossier=dossier,
                        official=user,
                        name=request_form.cleaned_data["name"],
                        amount=request_form.cleaned_data["amount"],
                        reason=request_form.cleaned_data["reason"],
                        at=timezone.now(),
                    )
                    messages.success(
                        request,
                        _("Đã yêu cầu nộp %(amount)s (mã thanh toán %(ref)s); người nộp được thông báo.")
                        % {"amount": services.describe_amount(order.amount), "ref": order.reference},
                    )
                    return _page(dossier.pk)
            elif request.POST.get("action") == "schedule":
                order = services.order_for_counter(dossier=dossier, officer=user, at=timezone.now())
                messages.success(
                    request,
                    _("Yêu cầu thu %(amount)s theo biểu phí (mã thanh toán %(ref)s); thu tiền ở dưới.")
                    % {"amount": services.describe_amount(order.amount), "ref": order.reference},
                )
                return _page(dossier.pk)
            elif request.POST.get("action") == "refund":
                order = get_object_or_404(dossier.payment_orders.all(), pk=request.POST.get("order") or 0)
                if refund_form.is_valid():
                    services.refund_request(
                        order=order, reason=refund_form.cleaned_data["reason"], actor=user, at=timezone.now()
                    )
                    messages.success(
                        request,
                        _("Đã đề nghị hoàn trả %(amount)s của yêu cầu %(ref)s; chờ lãnh đạo duyệt.")
                        % {"amount": services.describe_amount(order.amount), "ref": order.reference},
                    )
                    return _page(dossier.pk)
            else:
                raise Http404
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
            return _page(dossier.pk)
    orders = selectors.dossier_orders(dossier)
    own = set(PaymentOrder.objects.visible_to(user).filter(dossier=dossier).values_list("pk", flat=True))
    can_collect = user.has_perm("payments.collect_at_counter")
    can_ask_refund = may_request_refund(user)
    rows = []
    for order in orders:
        refunds = list(order.refunds.all())
        for txn in order.transactions.all():
            txn.label = selectors.method_label(txn)  # type: ignore[attr-defined]
        rows.append(
            {
                "order": order,
                "receipt": getattr(order, "receipt", None),
                "method": selectors.method_label(order.paid_transaction),
                "refunds": refunds,
                "collect": can_collect and order.pk in own and order.status == OrderStatus.OPEN,
                "refund": can_ask_refund
                and order.pk in own
                and order.status == OrderStatus.PAID
                and not any(r.status != RefundStatus.REJECTED for r in refunds),
            }
        )
    # As the dossier's page names it: an online dossier still being checked has no code yet.
    name = dossier.code or _("Hồ sơ chưa cấp mã #%(pk)s") % {"pk": dossier.pk}
    context = {
        **admin.site.each_context(request),
        "title": _("Phí, lệ phí: %(dossier)s") % {"dossier": name},
        "dossier_name": name,
        "dossier": dossier,
        "rows": rows,
        "counter_form": CounterPaymentForm(),
        "request_form": request_form,
        "refund_form": refund_form,
        "refund_order": request.POST.get("order") if refund_form.is_bound else "",
        "can_request": can_request,
        # The catalogue's fees, as an order to take at the counter, while the dossier has none of its own.
        "can_open_schedule": can_collect
        and not dossier.closed_at
        and not any(
            row["order"].requested_by_id is None and row["order"].status != OrderStatus.CANCELLED for row in rows
        )
        and services.schedule_amount(dossier) > 0,
        "statuses": OrderStatus,
    }
    return TemplateResponse(request, "payments/desk/dossier_payments.html", context)


@staff_member_required
@require_POST
def counter_payment(request: HttpRequest, order_id: int) -> HttpResponse:
    """The officer took the money at the desk: recorded once, receipted."""
    order = get_object_or_404(PaymentOrder.objects.visible_to(request.user).select_related("dossier"), pk=order_id)
    form = CounterPaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _page(order.dossier_id)
    try:
        txn = services.counter_payment_record(
            order=order,
            officer=request.user,
            method=form.cleaned_data["method"],
            document_no=form.cleaned_data["document_no"],
            at=timezone.now(),
        )
    except (ValidationError, PermissionDenied) as exc:
        refused(request, exc)
    else:
        receipt = Receipt.objects.get(order_id=txn.order_id)
        messages.success(
            request,
            _("Đã thu %(amount)s (mã thanh toán %(ref)s); biên lai số %(receipt)s.")
            % {"amount": services.describe_amount(txn.amount), "ref": order.reference, "receipt": receipt.reference},
        )
    return _page(order.dossier_id)


@staff_member_required
@require_GET
def receipt_download(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """A receipt's PDF, to the collecting body's officials and to whoever sees its dossier (audited)."""
    visible = Q(order__in=PaymentOrder.objects.visible_to(request.user)) | Q(
        order__dossier__in=Dossier.objects.visible_to(request.user)
    )
    receipt = get_object_or_404(Receipt.objects.filter(visible).select_related("order__dossier"), pk=receipt_id)
    if not receipt.file:
        raise Http404  # numbered, but its PDF is still being drawn
    return audited_file_response(
        request,
        receipt.file,
        filename=f"bien-lai-{receipt.series}-{receipt.number:07d}.pdf",
        target=receipt.order,
        data={"receipt": receipt.reference, "dossier": receipt.order.dossier.code},
        content_type="application/pdf",
        as_attachment=False,
    )
