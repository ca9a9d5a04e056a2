"""The desk's dossier pages: row-level scoped list, search by code / CCCD / name, read-only history."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import ProcedureVersion, Sector
from onestop_tayninh.core.admin import AgencyScopedAdminMixin, ReadableModelAdmin, RowLevelAdminMixin
from onestop_tayninh.core.pagination import IdsFirstPaginator
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.directory.selectors import user_role_codes
from onestop_tayninh.security.audit import audited_file_response

from . import desk_views, reuse, search, selectors, services, spreadsheets, views
from .constants import (
    ONLINE_CHANNELS,
    Channel,
    DeskStatus,
    DossierStatus,
    EventAction,
    ReceiptDecision,
    TrackedImportStatus,
)
from .forms import CheckForm, ProcedurePickerForm, ReceiptForm, TrackedEntryForm, TrackedPickerForm, TrackedUploadForm
from .models import Dossier, IssuedDocument, TrackedImport
from .query import queue_priority
from .selectors import (
    BUCKETS,
    DESK_STATUS_RULES,
    check_overdue,
    competent_agency_for,
    desk_loop_context,
    desk_status,
    desk_status_filter,
    dossier_page_context,
    due_soon_limit,
    inbox,
    missing_requirements,
    transfer_on_receipt_note,
)

PROCEDURE_NAME_CHARS = 90
# The events that end the receipt check, one per outcome (Forms 01, 02, 03).
DECISION_ACTIONS = (EventAction.ACCEPTED, EventAction.COMPLETION_REQUESTED, EventAction.REFUSED)
# How the dossier came, under the applicant's name in the list; the dossier page gives the full wording.
CHANNEL_SHORT = {
    Channel.DESK: _("Trực tiếp"),
    Channel.POST: _("Bưu chính"),
    Channel.ONLINE: _("Trực tuyến"),
    Channel.ZALO: _("Trực tuyến qua Zalo"),
    Channel.AGENCY: _("Tại cơ quan"),
}


def local_time(moment) -> str:
    return date_format(timezone.localtime(moment), "H:i d/m/Y")


class CappedPaginator(IdsFirstPaginator):
    """A search's pages: counted up to search.RESULT_CAP + 1 rows, so "nguyen" among a million dossiers
    is not counted to the last one (the list then says that only the newest are shown)."""

    @cached_property
    def count(self) -> int:
        return len(self.object_list.values_list("pk", flat=True)[: search.RESULT_CAP + 1])


class InboxFilter(admin.SimpleListFilter):
    """The official's inbox buckets as a list filter: /desk/dossiers/dossier/?hop=phe-duyet."""

    title = _("hộp việc")
    parameter_name = "hop"

    def lookups(self, request, model_admin):
        return [(bucket.code, bucket.label) for bucket in BUCKETS]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset & inbox(user=request.user, bucket=self.value(), at=timezone.now())


class DeskStatusFilter(admin.SimpleListFilter):
    """The one status of a dossier (selectors.desk_status): /desk/dossiers/dossier/?tinh-trang=result_ready."""

    title = _("tình trạng")
    parameter_name = "tinh-trang"

    def lookups(self, request, model_admin):
        return DeskStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in DESK_STATUS_RULES:
            return queryset
        return queryset.filter(desk_status_filter(self.value()))


class DeadlineFilter(admin.SimpleListFilter):
    """Overdue, due within two working days (the inbox's rules), or on time."""

    title = _("thời hạn")
    parameter_name = "han"

    def lookups(self, request, model_admin):
        return [
            ("qua-han", _("Quá hạn")),
            ("sap-den-han", _("Sắp đến hạn (2 ngày làm việc)")),
            ("con-han", _("Còn hạn")),
        ]

    def queryset(self, request, queryset):
        at = timezone.now()
        if self.value() == "qua-han":
            return queryset.overdue(at=at)
        if self.value() == "sap-den-han":
            return queryset.open().filter(due_at__gte=at, due_at__lte=due_soon_limit(at), paused_at__isnull=True)
        if self.value() == "con-han":
            return queryset.open().filter(Q(due_at__gt=due_soon_limit(at)) | Q(paused_at__isnull=False))
        return queryset


class ChoiceListFilter(admin.SimpleListFilter):
    """A filter whose choices are many (procedures, agencies, desks): a drop-down instead of a list of links.

    A province has about 2,000 procedures. Each choice as Django draws it carries the list's whole address
    and goes through the template engine: with 2,000 procedures that was 350 KB and 45 ms added to every
    visit of an inbox. Here an option is its value alone, drawn in one pass (options_html), and the
    drop-down's script (desk-filters.js) puts the chosen value into the list's address."""

    template = "dossiers/admin/select_filter.html"
    field = ""

    def choices_for(self, request):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return list(self.choices_for(request))

    def choices(self, changelist):
        return []  # drawn by options_html

    def options_html(self) -> str:
        chosen = self.value()
        options = [
            format_html('<option value=""{}>{}</option>', " selected" if chosen is None else "", gettext_now("All"))
        ]
        options.extend(
            f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(label)}</option>'
            for value, label in self.lookup_choices
        )
        return mark_safe("".join(options))  # noqa: S308 - every value and label is escaped

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return queryset.filter(**{self.field: int(value)})


class ProcedureFilter(ChoiceListFilter):
    title = _("thủ tục")
    parameter_name = "thu-tuc"
    field = "procedure_version__procedure_id"

    def choices_for(self, request):
        versions = ProcedureVersion.objects.published().order_by("procedure__code")
        for pk, code, name in versions.values_list("procedure_id", "procedure__code", "name"):
            yield str(pk), f"{code} — {Truncator(name).chars(70)}"


class SectorFilter(ChoiceListFilter):
    title = _("lĩnh vực")
    parameter_name = "linh-vuc"
    field = "procedure_version__sector_id"

    def choices_for(self, request):
        for pk, name in Sector.objects.order_by("name").values_list("pk", "name"):
            yield str(pk), name


class AgencyFilter(ChoiceListFilter):
    title = _("cơ quan đang giữ hồ sơ")
    parameter_name = "co-quan"
    field = "current_agency_id"

    def choices_for(self, request):
        for pk, name in Agency.objects.visible_to(request.user).order_by("name").values_list("pk", "name"):
            yield str(pk), name


class DeskFilter(ChoiceListFilter):
    title = _("bộ phận tiếp nhận")
    parameter_name = "bo-phan"
    field = "receiving_desk_id"

    def choices_for(self, request):
        desks = ReceptionDesk.objects.filter(agency__in=Agency.objects.visible_to(request.user))
        for pk, name in desks.order_by("name").values_list("pk", "name"):
            yield str(pk), name


class QueueChangeList(ChangeList):
    """Every list of dossiers in the desk is a work queue (docs/domain.md §5.3): online dossiers still in
    hand come first, those waiting for the check by their check time; the order an official picks (a
    column heading) applies within that.

    A search answers newest first, the order of its index (dossiers/search.py), and counts at most
    search.RESULT_CAP dossiers; an empty answer says what was searched and what is near."""

    #: What a row reads (DossierAdmin's columns, its marks and the queue's badges): not the e-form data nor
    #: the procedure version's JSON texts, decoded for every row of an inbox on every visit.
    ROW_FIELDS = (
        "code",
        "status",
        "channel",
        "applicant_kind",
        "full_name",
        "organisation_name",
        "check_due_at",
        "received_at",
        "due_at",
        "closed_at",
        "paused_at",
        "procedure_version__name",
        "state__name",
        "state__kind",
    )

    search_problem = ""
    search_cap = search.RESULT_CAP
    search_description = ""
    search_suggestions: list = []

    def get_ordering(self, request, queryset):
        if self.query and ORDER_VAR not in self.params:
            return ["-pk"]
        return [*queue_priority(), *super().get_ordering(request, queryset)]

    def apply_select_related(self, qs):
        return super().apply_select_related(qs).only(*self.ROW_FIELDS)

    def get_queryset(self, request, exclude_parameters=None):
        # Overdue (2) and due soon (1) for the list's colours, by the inbox's rules, on the page's rows only.
        at = timezone.now()
        open_now = Q(status=DossierStatus.RECEIVED, closed_at__isnull=True, paused_at__isnull=True)
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .annotate(
                deadline_mark=Case(
                    When(open_now & Q(due_at__lt=at), then=Value(2)),
                    When(open_now & Q(due_at__gte=at, due_at__lte=due_soon_limit(at)), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        )

    def get_results(self, request):
        super().get_results(request)
        # Set by DossierAdmin.get_search_results when the text is no search (too long, only punctuation).
        self.search_problem = getattr(request, "dossier_search_problem", "")
        self.search_capped = bool(self.query) and self.result_count > search.RESULT_CAP
        if self.query and not self.result_count and not self.search_problem:
            query = search.parse(self.query)
            if query is not None:
                self.search_description = query.describe()
                self.search_suggestions = search.suggest(self.root_queryset, query, user=request.user)


@admin.register(Dossier)
class DossierAdmin(AgencyScopedAdminMixin, admin.ModelAdmin):
    # Six columns fit a laptop beside the menu and the filters: the channel goes under the
    # applicant's name, the workflow step stands for the status once there is one.
    list_display = ["code_or_pending", "applicant", "procedure", "situation", "received_at", "due"]
    # The desk's page size (core.admin.ReadableModelAdmin), not the admin's 100: a page an official
    # reads down, and half the rows to draw on every visit of an inbox.
    list_per_page = 50
    list_filter = [DeskStatusFilter, DeadlineFilter, "channel", ProcedureFilter, SectorFilter, AgencyFilter, DeskFilter]
    # The total of every visible dossier is a count over the whole table at a million rows: not shown.
    show_full_result_count = False
    # Nor the counts per filter choice ("Hiện số lượng"), as many counts over the official's dossiers:
    # the inbox's counts come from the tallies (dossiers/tallies.py).
    show_facets = admin.ShowFacets.NEVER
    # The search itself is DossierQuerySet.search (folded names, CCCD, code); this only shows the box.
    search_fields = ["code"]
    search_help_text = _(
        "Tìm theo họ tên người nộp (có dấu hoặc không dấu; họ, tên đệm và tên, hay một chữ của tên), mã hồ sơ "
        "hoặc đuôi mã (ví dụ 261206-0001), số điện thoại, số CCCD hoặc các số cuối của chúng."
    )
    list_select_related = ["procedure_version", "state"]
    date_hierarchy = "received_at"
    # The dossier page draws its documents and history itself (dossier_change_form.html): one place each.
    scoped_agency_fields = ("receiving_agency",)
    readonly_fields = [
        "code",
        "status",
        "procedure_version",
        "receiving_desk",
        "receiving_agency",
        "competent_body",
        "applicant_unit",
        "object_unit",
        "channel",
        "received_at",
        "due_at",
        "received_by",
        "forms_version",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            _("Hồ sơ"),
            {
                "fields": [
                    "code",
                    "status",
                    "procedure_version",
                    "channel",
                    "receiving_desk",
                    "receiving_agency",
                    "competent_body",
                    "received_at",
                    "due_at",
                    "received_by",
                    "forms_version",
                ]
            },
        ),
        (
            _("Người nộp"),
            {
                "fields": [
                    "applicant_kind",
                    "full_name",
                    "cccd",
                    "date_of_birth",
                    "phone",
                    "email",
                    "address",
                    "applicant_unit",
                    "object_unit",
                    "organisation_name",
                    "tax_code",
                    "representative",
                ]
            },
        ),
        (_("Nhận kết quả"), {"fields": ["return_method", "return_address"]}),
    ]

    # Writes go through services (dossiers.services); the desk shows dossiers, it does not edit them here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    #: The dossier's own relations its page reads, read with the dossier: one query instead of one each.
    page_select_related = [
        "procedure_version",
        "receiving_desk",
        "receiving_agency",
        "current_agency",
        "state",
        "received_by",
        "assigned_to",
    ]

    def get_queryset(self, request):
        match = request.resolver_match
        if match is None or match.url_name != f"{self.opts.app_label}_{self.opts.model_name}_changelist":
            return super().get_queryset(request).select_related(*self.page_select_related)
        # The list: the rule as visible_to applies it, written for a long list (DossierQuerySet.visible_in_list_to).
        return admin.ModelAdmin.get_queryset(self, request).visible_in_list_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        try:
            return queryset.search(search_term, user=request.user), False
        except search.SearchRejected as problem:
            request.dossier_search_problem = str(problem)
            return queryset.none(), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if request.GET.get(SEARCH_VAR, "").strip():
            return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page)
        # The desk's lists (the inbox's buckets above all) are read ids first: core/pagination.py.
        return IdsFirstPaginator(queryset, per_page, orphans, allow_empty_first_page)

    @admin.display(description=_("mã hồ sơ"), ordering="code")
    def code_or_pending(self, obj: Dossier) -> str:
        # The link to a dossier still in the receipt check, which has no code yet, needs words too.
        return obj.code or _("Chưa cấp mã (#%(pk)s)") % {"pk": obj.pk}

    @admin.display(description=_("cơ quan giải quyết"))
    def competent_body(self, obj: Dossier) -> str:
        agency = competent_agency_for(obj)
        return agency.name if agency else "—"

    @admin.display(description=_("người nộp"), ordering="search_name")
    def applicant(self, obj: Dossier) -> str:
        channel = CHANNEL_SHORT.get(obj.channel, obj.get_channel_display())
        if obj.channel not in ONLINE_CHANNELS:
            return format_html('{}<br><small class="quiet">{}</small>', obj.applicant_name, channel)
        # Online dossiers are handled first (docs/domain.md §5.3): marked where the eye starts on each row,
        # with the check time of one waiting for the check (in red once passed), in the column a phone shows.
        badge = format_html(
            '<span class="queue-badge online" title="{}">{}</span>',
            gettext_now("Hồ sơ trực tuyến: được ưu tiên xử lý trước"),
            channel,
        )
        if obj.status != DossierStatus.TO_CHECK or obj.check_due_at is None:
            return format_html("{}<br>{}", obj.applicant_name, badge)
        if check_overdue(obj, at=timezone.now()):
            check = format_html(
                '<span class="queue-badge late">{} {}</span>',
                gettext_now("Quá hạn kiểm tra từ"),
                local_time(obj.check_due_at),
            )
        else:
            check = format_html(
                '<small class="check-due">{} {}</small>', gettext_now("Hạn kiểm tra"), local_time(obj.check_due_at)
            )
        return format_html("{}<br>{}<br>{}", obj.applicant_name, badge, check)

    @admin.display(description=_("tình trạng"), ordering="status")
    def situation(self, obj: Dossier) -> str:
        status = desk_status(obj)
        step = obj.state.name if obj.state_id else ""
        label = format_html('<span class="desk-status {}">{}</span>', status.value.replace("_", "-"), status.label)
        return format_html('{}<br><small class="quiet">{}</small>', label, step) if step else label

    @admin.display(description=_("hẹn trả kết quả"), ordering="due_at")
    def due(self, obj: Dossier) -> str:
        if obj.due_at is None:
            return "—"
        mark = getattr(obj, "deadline_mark", 0)
        if not mark:
            return local_time(obj.due_at)
        words = gettext_now("Quá hạn") if mark == 2 else gettext_now("Sắp đến hạn")
        kind = "late" if mark == 2 else "soon"
        return format_html(
            '<span class="deadline {}">{}</span><br><span class="queue-badge {}">{}</span>',
            kind,
            local_time(obj.due_at),
            kind,
            words,
        )

    @admin.display(description=_("thủ tục"), ordering="procedure_version__name")
    def procedure(self, obj: Dossier) -> str:
        # Procedure names run to 300 characters: the list shows the start, the full name on hover.
        name = obj.procedure_version.name
        return format_html('<span title="{}">{}</span>', name, Truncator(name).chars(PROCEDURE_NAME_CHARS))

    class Media:
        css = {"all": ["dossiers/desk-changelist.css", "dossiers/desk-cards.css"]}
        js = ["dossiers/desk-filters.js", "dossiers/desk-cards.js"]

    # --- "Tiếp nhận hồ sơ": the receipt page --------------------------------------------------

    change_list_template = "dossiers/admin/dossier_change_list.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("receive/", wrap(self.receive_view), name=f"{prefix}_receive"),
            path("<int:pk>/check/", wrap(self.check_view), name=f"{prefix}_check"),
            path("<int:pk>/act/<slug:transition>/", wrap(views.dossier_act), name=f"{prefix}_act"),
            path("<int:pk>/apologise/", wrap(views.dossier_apologise), name=f"{prefix}_apologise"),
            path("consultation/<int:pk>/answer/", wrap(views.consultation_answer), name=f"{prefix}_answer"),
            path("document/<int:pk>/", wrap(views.document_download), name=f"{prefix}_document"),
            path(
                "consultation-file/<int:pk>/",
                wrap(views.consultation_file_download),
                name=f"{prefix}_consultation_file",
            ),
            path("<int:pk>/result/", wrap(views.result_download), name=f"{prefix}_result"),
            path("draft/<int:pk>/", wrap(views.draft_download), name=f"{prefix}_draft"),
            path("issued/<int:pk>/", wrap(views.issued_download), name=f"{prefix}_issued"),
            path("held/<str:key>/", wrap(views.held_document_preview), name=f"{prefix}_held"),
            *desk_views.admin_urls(wrap, prefix),
            *super().get_urls(),
        ]

    # --- the dossier page: deadlines, documents, e-form data, history and this user's actions ---

    change_form_template = "dossiers/admin/dossier_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(dossier_page_context(obj, request.user, at=timezone.now()))
            context.update(
                desk_loop_context(
                    obj,
                    request.user,
                    transitions=context["transitions"],
                    typed=desk_views.typed_correction(request, obj),
                )
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_list_filter(self, request):
        return [InboxFilter, *self.list_filter]

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_receive": RoleCode.RECEIVING_OFFICER in user_role_codes(request.user),
            "can_enter_tracked": request.user.has_perm(services.TRACKED_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def receive_view(self, request):
        """Pick a procedure (GET), then enter the applicant, upload, and decide (POST).

        The receipt itself is `services.dossier_receive`: once the dossier is started it is kept,
        with every good file, so a refused decision or a bad file continues on the check page.
        """
        if RoleCode.RECEIVING_OFFICER not in user_role_codes(request.user):
            raise PermissionDenied(gettext_now("Chỉ cán bộ tiếp nhận mới được tiếp nhận hồ sơ."))
        picker = ProcedurePickerForm(request.GET or None, user=request.user)
        form = desk = version = lookup = None
        kept_names: list[str] = []
        if picker.is_valid():
            desk, version = picker.cleaned_data["desk"], picker.cleaned_data["procedure"]
            data = request.POST or None
            if data is not None and "lookup" in data:
                # "Tra cứu theo CCCD": what is already held for this CCCD; nothing is recorded yet.
                lookup = reuse.desk_lookup(
                    cccd=data.get("cccd", ""), officer=request.user, desk=desk, at=timezone.now(), request=request
                )
                data = data.copy()
                for name, value in lookup.applicant.items():
                    if not data.get(name) and value:
                        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
                form = ReceiptForm(data, request.FILES or None, version=version, desk=desk, officer=request.user)
            else:
                form = ReceiptForm(data, request.FILES or None, version=version, desk=desk, officer=request.user)
            if request.method == "POST" and lookup is None and form.is_valid():
                try:
                    receipt = services.dossier_receive(
                        desk=desk,
                        officer=request.user,
                        procedure_version=version,
                        applicant=form.applicant(),
                        object_unit=form.object_unit_chosen(),
                        channel=form.cleaned_data["channel"],
                        at=timezone.now(),
                        **self._decision(request, form),
                    )
                except ValidationError as exc:
                    # The services name the field where they can (the applicant's unit); the rest is general.
                    errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
                    for field, messages in errors.items():
                        for message in ValidationError(messages).messages:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    # The dossier holds its own copies of the kept files now.
                    services.intake_files_release(officer=request.user, tokens=form.kept_tokens())
                    self._report(request, receipt)
                    # Still waiting at the desk (a bad file, a refused decision): continue the check.
                    name = "change" if receipt.decided else "check"
                    return HttpResponseRedirect(reverse(f"admin:dossiers_dossier_{name}", args=[receipt.dossier.pk]))
            if request.method == "POST":
                # Back with an error (or a look-up): the files chosen stay, and the page says which.
                kept_names = form.keep_files(at=timezone.now())
            if lookup is None and form.is_bound and any(form.data.get(f"reuse_{r.pk}") for r in form.requirements):
                # The page comes back (an error) with documents chosen: offer them again.
                lookup = reuse.desk_lookup(
                    cccd=form.data.get("cccd", ""), officer=request.user, desk=desk, at=timezone.now(), request=request
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext_now("Tiếp nhận hồ sơ"),
            "picker": picker,
            "form": form,
            "desk": desk,
            "version": version,
            "decisions": ReceiptDecision,
            "lookup": lookup,
            "slots": form.slots(lookup.held if lookup else ()) if form else [],
            "kept_names": kept_names,
            "error_count": len(form.errors) if form is not None and form.is_bound and lookup is None else 0,
        }
        return TemplateResponse(request, "dossiers/admin/receive.html", context)

    @staticmethod
    def _decision(request, form: ReceiptForm) -> dict:
        return {
            "uploads": form.uploads(),
            "decision": request.POST.get("decision", ""),
            "items": form.item_list(),
            "reason": form.cleaned_data["reason"],
            "reuses": form.reuses(),
            "metadata": form.metadata(),
            "counts": form.paper_counts(),
        }

    def _report(self, request, receipt: services.Receipt) -> None:
        for text in receipt.errors:
            self.message_user(request, text, messages.ERROR)
        if not receipt.decided:
            return
        dossier = receipt.dossier
        note = ""
        if dossier.status == DossierStatus.RECEIVED:
            message = gettext_now("Đã tiếp nhận hồ sơ %(code)s, hẹn trả kết quả %(due)s.") % {
                "code": dossier.code,
                "due": f"{timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y}",
            }
            # Handed over at once to the competent agency (docs/domain.md §5.4): said with the receipt; or
            # why it stays at the desk, as a warning of its own.
            note = transfer_on_receipt_note(dossier, officer=request.user)
            if note and dossier.state_id and not dossier.state.is_initial:
                message, note = f"{message} {note}", ""
        elif dossier.status == DossierStatus.INCOMPLETE:
            message = gettext_now("Đã lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.")
        else:
            message = gettext_now("Đã lập phiếu từ chối tiếp nhận hồ sơ.")
        # The decision's own event issued the form (Form 01, 02 or 03): the message links to it.
        decided = dossier.events.filter(action__in=DECISION_ACTIONS).order_by("-at", "-pk").first()
        self.message_user(request, views.with_issued_link(message, decided), messages.SUCCESS)
        if note:
            self.message_user(request, note, messages.WARNING)

    def check_view(self, request, pk):
        """Continue the check of a dossier waiting at the desk (an unfinished receipt, or one sent online)."""
        if RoleCode.RECEIVING_OFFICER not in user_role_codes(request.user):
            raise PermissionDenied(gettext_now("Chỉ cán bộ tiếp nhận mới được tiếp nhận hồ sơ."))
        dossier = get_object_or_404(self.get_queryset(request).filter(status=DossierStatus.TO_CHECK), pk=pk)
        form = CheckForm(request.POST or None, request.FILES or None, version=dossier.procedure_version)
        if request.method == "POST" and form.is_valid():
            receipt = services.dossier_check(
                dossier=dossier, officer=request.user, at=timezone.now(), **self._decision(request, form)
            )
            self._report(request, receipt)
            name = "change" if receipt.decided else "check"
            return HttpResponseRedirect(reverse(f"admin:dossiers_dossier_{name}", args=[dossier.pk]))
        # The applicant's CCCD is known: what is already held for it is offered beside each component
        # (to an officer of the receiving desk; anyone else sees the page as before and may not act).
        try:
            lookup = reuse.desk_lookup(
                cccd=dossier.cccd,
                officer=request.user,
                desk=dossier.receiving_desk,
                at=timezone.now(),
                exclude_dossier_id=dossier.pk,
                request=request,
            )
        except PermissionDenied:
            lookup = None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext_now("Kiểm tra hồ sơ"),
            "dossier": dossier,
            "lookup": lookup,
            "slots": form.slots(lookup.held if lookup else ()),
            "documents": dossier.documents.select_related("requirement"),
            "missing": missing_requirements(dossier),
            "check_overdue": check_overdue(dossier, at=timezone.now()),
            "form": form,
            "decisions": ReceiptDecision,
        }
        return TemplateResponse(request, "dossiers/admin/check.html", context)


# --- tracked-only procedures: the competent agency enters its own dossiers (one, or a spreadsheet) ---


@admin.register(TrackedImport)
class TrackedImportAdmin(AgencyScopedAdminMixin, admin.ModelAdmin):
    """The spreadsheets an agency uploaded, and the pages to enter tracked-only dossiers."""

    list_display = ["file_name", "uploaded_at", "uploaded_by", "lines", "status", "imported_at"]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    change_list_template = "dossiers/admin/trackedimport_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("số dòng"))
    def lines(self, obj: TrackedImport) -> int:
        return obj.row_count

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("nhap-mot-ho-so/", wrap(self.enter_view), name=f"{prefix}_enter"),
            path("tai-len/", wrap(self.upload_view), name=f"{prefix}_upload"),
            path("mau.<slug:kind>", wrap(self.template_view), name=f"{prefix}_template"),
            path("<int:pk>/nhap/", wrap(self.confirm_view), name=f"{prefix}_confirm"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_enter": request.user.has_perm(services.TRACKED_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request, title: str, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def enter_view(self, request):
        """Pick one of the agency's tracked-only procedures (GET), then enter the dossier (POST)."""
        agency = services.ensure_tracked_clerk(officer=request.user)
        versions = selectors.tracked_procedures_for(agency)
        picker = TrackedPickerForm(request.GET or None, versions=versions)
        form = version = None
        if len(versions) == 1 and not request.GET:
            picker = TrackedPickerForm({"procedure": versions[0].pk}, versions=versions)
        if picker.is_valid():
            version = picker.cleaned_data["procedure"]
            now = timezone.now()
            form = TrackedEntryForm(
                request.POST or None,
                request.FILES or None,
                version=version,
                today=timezone.localdate(now),
                initial={"received_date": timezone.localdate(now), "received_time": f"{timezone.localtime(now):%H:%M}"},
            )
            if request.method == "POST" and form.is_valid():
                receipt = services.TrackedReceipt(
                    procedure_version=version,
                    applicant=form.applicant(),
                    received_at=form.received_at(),
                    reference=form.cleaned_data["reference"],
                    note=form.cleaned_data["note"],
                )
                try:
                    dossier = services.tracked_dossier_enter(
                        officer=request.user, receipt=receipt, at=timezone.now(), uploads=form.uploads()
                    )
                except ValidationError as exc:
                    form.add_service_errors(
                        exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                    )
                else:
                    self.message_user(
                        request,
                        gettext_now("Đã nhập hồ sơ %(code)s, hẹn trả kết quả %(due)s.")
                        % {"code": dossier.code, "due": f"{timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y}"},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
        context = self._context(
            request,
            gettext_now("Nhập hồ sơ thủ tục chỉ theo dõi"),
            picker=picker,
            form=form,
            version=version,
            versions=versions,
            agency=agency,
        )
        return TemplateResponse(request, "dossiers/admin/tracked_enter.html", context)

    def upload_view(self, request):
        agency = services.ensure_tracked_clerk(officer=request.user)
        form = TrackedUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                batch = services.tracked_import_upload(
                    officer=request.user, file=form.cleaned_data["file"], at=timezone.now()
                )
            except ValidationError as exc:
                for text in exc.messages:
                    form.add_error("file", text)
            else:
                return HttpResponseRedirect(reverse("admin:dossiers_trackedimport_change", args=[batch.pk]))
        context = self._context(
            request,
            gettext_now("Nhập hồ sơ chỉ theo dõi từ bảng tính"),
            form=form,
            versions=selectors.tracked_procedures_for(agency),
            columns=spreadsheets.COLUMNS,
        )
        return TemplateResponse(request, "dossiers/admin/tracked_upload.html", context)

    def template_view(self, request, kind: str):
        agency = services.ensure_tracked_clerk(officer=request.user)
        if kind == "xlsx":
            versions = selectors.tracked_procedures_for(agency)
            data = spreadsheets.template_xlsx((v.procedure.code, v.name) for v in versions)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif kind == "csv":
            data, content_type = spreadsheets.template_csv(), "text/csv; charset=utf-8"
        else:
            raise Http404
        return audited_file_response(
            request,
            data,
            filename=f"mau-ho-so-chi-theo-doi.{kind}",
            target=gettext_now("Mẫu bảng tính hồ sơ chỉ theo dõi"),
            content_type=content_type,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The spreadsheet's page: its line-by-line report, or the dossiers it will make, or made."""
        batch = get_object_or_404(self.get_queryset(request).select_related("uploaded_by", "imported_by"), pk=object_id)
        lines = []
        if batch.status == TrackedImportStatus.READY:
            # Checked again as it would be imported now: the confirmation button only if it still holds.
            lines, _calendar = services.tracked_lines_check(
                services.tracked_batch_rows(batch), agency=batch.agency, at=timezone.now()
            )
        problems = services.tracked_report(lines)
        context = self._context(
            request,
            str(batch),
            batch=batch,
            original=batch,
            errors=batch.errors if batch.status == TrackedImportStatus.INVALID else problems,
            lines=lines if not problems else [],
            can_confirm=batch.status == TrackedImportStatus.READY
            and not problems
            and request.user.has_perm(services.TRACKED_PERMISSION),
            entries=batch.entries.select_related("dossier").order_by("line")
            if batch.status == TrackedImportStatus.IMPORTED
            else [],
            statuses=TrackedImportStatus,
        )
        return TemplateResponse(request, "dossiers/admin/trackedimport_page.html", context)

    def confirm_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:dossiers_trackedimport_change", args=[pk]))
        batch = get_object_or_404(self.get_queryset(request), pk=pk)
        try:
            batch = services.tracked_import_confirm(batch=batch, officer=request.user, at=timezone.now())
        except ValidationError as exc:
            for text in exc.messages:
                self.message_user(request, text, messages.ERROR)
        else:
            if batch.status == TrackedImportStatus.IMPORTED:
                self.message_user(
                    request,
                    gettext_now("Đã nhập %(n)s hồ sơ từ bảng tính.") % {"n": batch.row_count},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    gettext_now("Bảng tính có lỗi khi kiểm tra lại; không hồ sơ nào được nhập."),
                    messages.ERROR,
                )
        return HttpResponseRedirect(reverse("admin:dossiers_trackedimport_change", args=[batch.pk]))


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(RowLevelAdminMixin, ReadableModelAdmin):
    """The agency's register of outgoing documents: results and refusals as issued, numbered and signed."""

    row_level_through = "dossier"
    list_display = ["reference_display", "issued_at", "kind", "agency", "dossier_link", "approved_by", "issued_by"]
    list_filter = ["kind", "year"]
    list_select_related = ["agency", "dossier", "approved_by", "issued_by"]
    search_fields = ["dossier__code", "symbol"]
    ordering = ["-issued_at", "-pk"]

    @admin.display(description=_("số, ký hiệu"), ordering="number")
    def reference_display(self, obj: IssuedDocument) -> str:
        return obj.reference

    @admin.display(description=_("hồ sơ"))
    def dossier_link(self, obj: IssuedDocument):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:dossiers_dossier_change", args=[obj.dossier_id]), obj.dossier.code
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
