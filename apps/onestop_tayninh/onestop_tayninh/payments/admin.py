"""The desk's payment pages: the ledger, transactions, receipts, refunds, reconciliation.

Money is recorded by services only (payments/services.py): nobody adds, edits or deletes an order,
a transaction or a receipt here. The few writes the desk makes (a refund asked for or decided, a
difference settled, a receipt book's symbols) call their service from a small form on the page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ReadableModelAdmin, ReadOnlyAdminMixin, RowLevelAdminMixin
from onestop_tayninh.core.rowlevel import visible_agency_id_list
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.security.audit import audited_file_response

from . import selectors, services
from .constants import CounterMethod, OrderStatus, RefundStatus
from .desk_views import may_request_refund, refused
from .forms import MismatchResolveForm, RefundRequestForm
from .models import (
    Mismatch,
    OrderLine,
    PaymentOrder,
    PaymentTransaction,
    ProviderNotification,
    Receipt,
    ReceiptBook,
    Reconciliation,
    Refund,
)
from .registry import providers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dossier_link(dossier_id: int, code: str):
    return format_html('<a href="{}">{}</a>', reverse("admin:dossiers_dossier_change", args=[dossier_id]), code)


def _order_link(order: PaymentOrder):
    return format_html('<a href="{}">{}</a>', reverse("admin:payments_paymentorder_change", args=[order.pk]), order)


class HowPaidFilter(admin.SimpleListFilter):
    """By the paid transaction's provider, the counter split by how the money was handed over."""

    title = _("hình thức thanh toán")
    parameter_name = "hinh-thuc"

    def lookups(self, request, model_admin):
        choices = []
        for provider in providers:
            if provider.online:
                choices.append((provider.code, provider.label))
        for method in CounterMethod:
            label = f"{providers.get('counter').label} ({selectors.counter_method_label(method)})"
            choices.append((f"counter:{method.value}", label))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        code, _sep, method = value.partition(":")
        queryset = queryset.filter(paid_transaction__provider=code)
        return queryset.filter(paid_transaction__counter_method=method) if method else queryset


class ProviderFilter(admin.SimpleListFilter):
    """By provider, named as people know it ("Nộp tại quầy", not "counter")."""

    title = _("cổng thanh toán")
    parameter_name = "cong"

    def lookups(self, request, model_admin):
        return [(provider.code, provider.label) for provider in providers]

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


class CollectingAgencyFilter(admin.SimpleListFilter):
    """The collecting bodies the official may see (the admin's own filter would list every agency)."""

    title = _("cơ quan thu")
    parameter_name = "co-quan"

    def lookups(self, request, model_admin):
        ids = model_admin.get_queryset(request).order_by().values("agency_id").distinct()
        return [(agency.pk, agency.name) for agency in Agency.objects.filter(pk__in=ids).order_by("name")]

    def queryset(self, request, queryset):
        return queryset.filter(agency_id=self.value()) if self.value() else queryset


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    fields = ["name", "kind", "unit_display", "quantity", "exemption", "amount_display"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("mức thu"))
    def unit_display(self, obj: OrderLine) -> str:
        return selectors.amount_text(obj.unit_amount)

    @admin.display(description=_("thành tiền"))
    def amount_display(self, obj: OrderLine) -> str:
        return selectors.amount_text(obj.amount)


class TransactionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaymentTransaction
    fields = ["txn_ref", "method", "amount_display", "status", "provider_transaction_no", "created_at", "paid_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description=_("hình thức thanh toán"))
    def method(self, obj: PaymentTransaction) -> str:
        return selectors.method_label(obj)

    @admin.display(description=_("số tiền"))
    def amount_display(self, obj: PaymentTransaction) -> str:
        return selectors.amount_text(obj.amount)


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    fk_name = "order"
    fields = ["amount_display", "reason", "status", "requested_at", "requested_by", "decided_by", "finished_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description=_("số tiền hoàn"))
    def amount_display(self, obj: Refund) -> str:
        return selectors.amount_text(obj.amount)


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdminMixin, RowLevelAdminMixin, ReadableModelAdmin):
    """Sổ thu phí, lệ phí: every order of the collecting bodies the official sees, exportable to Excel."""

    change_list_template = "payments/desk/paymentorder_change_list.html"
    change_form_template = "payments/desk/paymentorder_change_form.html"
    list_display = [
        "reference",
        "created_at",
        "dossier_link",
        "payer_name",
        "amount_display",
        "state_and_method",
        "receipt_number",
        "agency",
    ]
    list_filter = ["status", HowPaidFilter, CollectingAgencyFilter]
    date_hierarchy = "created_at"
    search_fields = ["reference", "payer_name", "dossier__code"]
    list_select_related = ["dossier", "agency", "paid_transaction", "receipt"]
    fields = [
        "reference",
        "dossier_link",
        "agency",
        "status",
        "amount_display",
        "reason",
        "payer_name",
        "payer_identifier",
        "requested_by",
        "created_at",
        "paid_at",
        "how_paid",
        "receipt_link",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline, TransactionInline, RefundInline]

    @admin.display(description=_("hồ sơ"), ordering="dossier__code")
    def dossier_link(self, obj: PaymentOrder):
        return _dossier_link(
            obj.dossier_id, obj.dossier.code or gettext_now("Chưa cấp mã (#%(pk)s)") % {"pk": obj.dossier_id}
        )

    @admin.display(description=_("số tiền"), ordering="amount")
    def amount_display(self, obj: PaymentOrder) -> str:
        return selectors.amount_text(obj.amount)

    @admin.display(description=_("hình thức thanh toán"))
    def how_paid(self, obj: PaymentOrder) -> str:
        return selectors.method_label(obj.paid_transaction) or "—"

    @admin.display(description=_("trạng thái, hình thức"), ordering="status")
    def state_and_method(self, obj: PaymentOrder):
        # One column, so the ledger fits a 1366 px screen: the provider's short name under the state.
        how = selectors.method_label(obj.paid_transaction)
        if not how:
            return obj.get_status_display()
        return format_html("{}<br><small>{}</small>", obj.get_status_display(), how.split(" (thẻ")[0])

    @admin.display(description=_("biên lai số"))
    def receipt_number(self, obj: PaymentOrder) -> str:
        # The series and number; the form symbol is the same on every receipt of the year (the page).
        receipt = getattr(obj, "receipt", None)
        return f"{receipt.series} · {receipt.number:07d}" if receipt else "—"

    def get_list_display(self, request):
        # An agency's own officials collect for one body: its name on every row only crowds the table.
        agency_ids = visible_agency_id_list(request.user, dossiers=True)
        if agency_ids is not None and len(agency_ids) <= 1:
            return [name for name in self.list_display if name != "agency"]
        return self.list_display

    @admin.display(description=_("biên lai"))
    def receipt_link(self, obj: PaymentOrder):
        receipt = getattr(obj, "receipt", None)
        if receipt is None:
            return "—"
        if not receipt.file:
            return format_html("{} ({})", receipt.reference, gettext_now("đang lập tệp PDF"))
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("payments_desk:receipt", args=[receipt.pk]),
            receipt.reference,
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("xuat-excel/", wrap(self.export_view), name="payments_paymentorder_export"),
            path("<int:pk>/hoan-tra/", wrap(self.refund_request_view), name="payments_paymentorder_refund"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": gettext_now("Sổ thu phí, lệ phí"), **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["totals"] = selectors.ledger_totals(context["cl"].queryset)
        return response

    def export_view(self, request):
        """The list as filtered on the page (status, how paid, body, period, search) as a workbook."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        orders = changelist.get_queryset(request).select_related(*self.list_select_related)
        today = timezone.localdate()
        title = gettext_now("Lập lúc %(at)s; %(n)s yêu cầu theo bộ lọc đang chọn.") % {
            "at": f"{timezone.localtime():%H:%M %d/%m/%Y}",
            "n": changelist.result_count,
        }
        return audited_file_response(
            request,
            selectors.ledger_xlsx(orders, title=title),
            filename=f"so-thu-phi-le-phi-{today:%Y%m%d}.xlsx",
            target=gettext_now("Sổ thu phí, lệ phí"),
            data={"filters": request.GET.urlencode(), "rows": changelist.result_count},
            content_type=XLSX,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = get_object_or_404(self.get_queryset(request), pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "refund_form": RefundRequestForm()
            if order.status == OrderStatus.PAID
            and may_request_refund(request.user)
            and not order.refunds.exclude(status=RefundStatus.REJECTED).exists()
            else None,
            "payments_page": reverse("payments_desk:dossier", args=[order.dossier_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def refund_request_view(self, request, pk: int):
        """Đề nghị hoàn trả: asked from the order's page; the head decides on the refund's page."""
        order = get_object_or_404(self.get_queryset(request), pk=pk)
        page = HttpResponseRedirect(reverse("admin:payments_paymentorder_change", args=[order.pk]))
        if request.method != "POST":
            return page
        form = RefundRequestForm(request.POST)
        if not form.is_valid():
            for text in form.errors.get("reason", []):
                self.message_user(request, text, messages.ERROR)
            return page
        try:
            refund = services.refund_request(
                order=order, reason=form.cleaned_data["reason"], actor=request.user, at=timezone.now()
            )
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
        else:
            self.message_user(
                request,
                gettext_now("Đã đề nghị hoàn trả %(amount)s; chờ lãnh đạo duyệt.")
                % {"amount": services.describe_amount(refund.amount)},
                messages.SUCCESS,
            )
        return page


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(ReadOnlyAdminMixin, RowLevelAdminMixin, ReadableModelAdmin):
    list_display = ["txn_ref", "order_link", "method", "amount_display", "status", "created_at", "paid_at"]
    list_filter = ["status", ProviderFilter, "counter_method"]
    search_fields = ["txn_ref", "order__reference", "provider_transaction_no", "order__dossier__code"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    exclude = ["client_ip"]

    @admin.display(description=_("yêu cầu thanh toán"), ordering="order__reference")
    def order_link(self, obj: PaymentTransaction):
        return _order_link(obj.order)

    @admin.display(description=_("hình thức thanh toán"), ordering="provider")
    def method(self, obj: PaymentTransaction) -> str:
        return selectors.method_label(obj)

    @admin.display(description=_("số tiền"), ordering="amount")
    def amount_display(self, obj: PaymentTransaction) -> str:
        return selectors.amount_text(obj.amount)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, RowLevelAdminMixin, ReadableModelAdmin):
    row_level_through = "order"
    list_display = ["reference", "issued_at", "order_link", "payer_name", "amount_display", "method_label", "pdf"]
    list_filter = [CollectingAgencyFilter]
    search_fields = ["order__reference", "payer_name", "order__dossier__code", "=number"]
    list_select_related = ["order", "agency"]
    date_hierarchy = "issued_at"
    fields = [
        "reference",
        "order_link",
        "agency",
        "form_symbol",
        "series",
        "number",
        "issued_at",
        "payer_name",
        "payer_identifier",
        "amount_display",
        "method_label",
        "transaction_no",
        "pdf",
        "sha256",
    ]
    readonly_fields = fields

    @admin.display(description=_("số biên lai"), ordering="number")
    def reference(self, obj: Receipt) -> str:
        return obj.reference

    @admin.display(description=_("yêu cầu thanh toán"), ordering="order__reference")
    def order_link(self, obj: Receipt):
        return _order_link(obj.order)

    @admin.display(description=_("số tiền"), ordering="amount")
    def amount_display(self, obj: Receipt) -> str:
        return selectors.amount_text(obj.amount)

    @admin.display(description=_("tệp PDF"))
    def pdf(self, obj: Receipt):
        if not obj.file:
            return gettext_now("đang lập")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("payments_desk:receipt", args=[obj.pk]),
            gettext_now("Xem biên lai"),
        )


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, RowLevelAdminMixin, ReadableModelAdmin):
    """Refunds asked for: the head approves or turns them down on the refund's page."""

    change_form_template = "payments/desk/refund_change_form.html"
    list_display = ["order_link", "amount_display", "reason", "status", "requested_at", "requested_by", "decided_by"]
    list_filter = ["status"]
    search_fields = ["order__reference", "order__dossier__code", "order__payer_name"]
    list_select_related = ["order", "requested_by", "decided_by"]
    fields = [
        "order_link",
        "dossier_link",
        "amount_display",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "provider_transaction_no",
        "finished_at",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description=_("yêu cầu thanh toán"), ordering="order__reference")
    def order_link(self, obj: Refund):
        return _order_link(obj.order)

    @admin.display(description=_("hồ sơ"))
    def dossier_link(self, obj: Refund):
        return _dossier_link(obj.order.dossier_id, obj.order.dossier.code or str(obj.order.dossier_id))

    @admin.display(description=_("số tiền hoàn"), ordering="amount")
    def amount_display(self, obj: Refund) -> str:
        return selectors.amount_text(obj.amount)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/quyet-dinh/", wrap(self.decide_view), name="payments_refund_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        refund = get_object_or_404(self.get_queryset(request), pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "can_decide": refund.status == RefundStatus.REQUESTED and request.user.has_perm("payments.approve_refund"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pk: int):
        refund = get_object_or_404(self.get_queryset(request), pk=pk)
        page = HttpResponseRedirect(reverse("admin:payments_refund_change", args=[refund.pk]))
        if request.method != "POST" or request.POST.get("decision") not in ("approve", "reject"):
            return page
        approve = request.POST["decision"] == "approve"
        try:
            services.refund_decide(refund=refund, head=request.user, approve=approve, at=timezone.now())
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
        else:
            text = (
                gettext_now("Đã duyệt hoàn trả %(amount)s; tiền được hoàn qua hình thức đã thanh toán.")
                if approve
                else gettext_now("Đã không duyệt hoàn trả %(amount)s.")
            )
            self.message_user(request, text % {"amount": services.describe_amount(refund.amount)}, messages.SUCCESS)
        return page


class UnresolvedFilter(admin.SimpleListFilter):
    title = _("tình trạng xử lý")
    parameter_name = "xu-ly"

    def lookups(self, request, model_admin):
        return [("chua", _("Chưa xử lý")), ("roi", _("Đã xử lý"))]

    def queryset(self, request, queryset):
        if self.value() == "chua":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "roi":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Mismatch)
class MismatchAdmin(ReadOnlyAdminMixin, RowLevelAdminMixin, ReadableModelAdmin):
    """Differences found by the daily reconciliation, unresolved first; settled with a written resolution."""

    change_form_template = "payments/desk/mismatch_change_form.html"
    list_display = ["txn_ref", "kind", "day", "ours_display", "theirs_display", "agency", "resolved_at", "resolved_by"]
    list_filter = [UnresolvedFilter, "kind"]
    search_fields = ["txn_ref"]
    list_select_related = ["reconciliation", "agency", "resolved_by"]
    fields = [
        "reconciliation",
        "kind",
        "txn_ref",
        "agency",
        "ours_display",
        "theirs_display",
        "detail",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).unresolved_first()

    @admin.display(description=_("ngày giao dịch"), ordering="reconciliation__day")
    def day(self, obj: Mismatch):
        return obj.reconciliation.day

    @admin.display(description=_("số tiền hệ thống ghi"))
    def ours_display(self, obj: Mismatch) -> str:
        return selectors.amount_text(obj.ours_amount)

    @admin.display(description=_("số tiền cổng ghi"))
    def theirs_display(self, obj: Mismatch) -> str:
        return selectors.amount_text(obj.theirs_amount)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/xu-ly/", wrap(self.resolve_view), name="payments_mismatch_resolve"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mismatch = get_object_or_404(self.get_queryset(request), pk=object_id)
        can_resolve = mismatch.resolved_at is None and request.user.has_perm("payments.resolve_mismatch")
        extra_context = {**(extra_context or {}), "resolve_form": MismatchResolveForm() if can_resolve else None}
        return super().change_view(request, object_id, form_url, extra_context)

    def resolve_view(self, request, pk: int):
        mismatch = get_object_or_404(self.get_queryset(request), pk=pk)
        page = HttpResponseRedirect(reverse("admin:payments_mismatch_change", args=[mismatch.pk]))
        if request.method != "POST":
            return page
        form = MismatchResolveForm(request.POST)
        if not form.is_valid():
            for text in form.errors.get("resolution", []):
                self.message_user(request, text, messages.ERROR)
            return page
        try:
            services.mismatch_resolve(
                mismatch=mismatch, official=request.user, resolution=form.cleaned_data["resolution"], at=timezone.now()
            )
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
        else:
            self.message_user(request, gettext_now("Đã ghi cách xử lý chênh lệch."), messages.SUCCESS)
        return page


class MismatchInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Mismatch
    fields = ["kind", "txn_ref", "agency", "ours_amount", "theirs_amount", "detail", "resolved_at", "resolution"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """One row per provider and day: totals only; the differences are scoped to their collecting body."""

    list_display = ["day", "provider_name", "ran_at", "theirs", "ours", "matched"]
    list_filter = [ProviderFilter]
    date_hierarchy = "day"
    fields = ["provider_name", "day", "ran_at", "theirs", "ours", "matched"]
    readonly_fields = fields
    inlines = [MismatchInline]

    @admin.display(description=_("cổng thanh toán"), ordering="provider")
    def provider_name(self, obj: Reconciliation) -> str:
        return selectors.provider_label(obj.provider)


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """Every notification a provider sent, as received (kept for disputes), read as text."""

    list_display = ["received_at", "provider_name", "txn_ref", "outcome", "answer", "client_ip"]
    list_filter = ["outcome", ProviderFilter]
    search_fields = ["txn_ref"]
    date_hierarchy = "received_at"
    fields = ["provider_name", "received_at", "txn_ref", "outcome", "answer", "client_ip", "params"]
    readonly_fields = fields

    @admin.display(description=_("cổng thanh toán"), ordering="provider")
    def provider_name(self, obj: ProviderNotification) -> str:
        return selectors.provider_label(obj.provider)


@admin.register(ReceiptBook)
class ReceiptBookAdmin(ReadableModelAdmin):
    """A collecting body's book of receipts for a year: its symbols may be corrected until its first number."""

    list_display = ["agency", "year", "form_symbol", "series", "last_number"]
    list_filter = ["year"]
    search_fields = ["agency__name", "series"]
    list_select_related = ["agency"]
    fields = ["agency", "year", "form_symbol", "series", "last_number", "receipts"]

    def has_add_permission(self, request):
        return False  # a book is opened by its first receipt, with the site's symbols

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.last_number)

    def get_readonly_fields(self, request, obj=None):
        return ["agency", "year", "last_number", "receipts"]

    @admin.display(description=_("biên lai đã cấp"))
    def receipts(self, obj: ReceiptBook):
        if not obj.last_number:
            return gettext_now("Chưa cấp số nào; còn sửa được ký hiệu mẫu và ký hiệu.")
        return gettext_now("Đã cấp %(n)s số; ký hiệu không sửa được nữa.") % {"n": obj.last_number}

    def save_model(self, request, obj, form, change):
        try:
            services.receipt_book_update(
                book=obj,
                form_symbol=form.cleaned_data["form_symbol"],
                series=form.cleaned_data["series"],
                actor=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
