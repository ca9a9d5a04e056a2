from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Official
from onestop_tayninh.security.services import two_factor_reset, two_factor_status

from . import services
from .constants import IDENTITY_PERMISSION, AccountKind
from .forms import DeskClaimForm, DeskUserChangeForm, DeskVerifyForm
from .identifiers import normalise_cccd
from .models import CitizenProfile, User


class OfficialInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.kind != AccountKind.OFFICIAL:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("agency")
        ]
        if not kept:
            raise ValidationError(_("Cán bộ phải thuộc một cơ quan: hãy chọn cơ quan công tác."))


class OfficialInline(admin.StackedInline):
    model = Official
    formset = OfficialInlineFormSet
    can_delete = False
    extra = 1
    max_num = 1
    autocomplete_fields = ["agency"]
    filter_horizontal = ["desks"]
    verbose_name = _("thông tin cán bộ")
    verbose_name_plural = _("thông tin cán bộ")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = DeskUserChangeForm
    list_display = ["username", "full_name", "kind", "email", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff", "groups"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone")}),
        (_("Phân quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "kind", "full_name", "email", "password1", "password2")}),
    )
    inlines = [OfficialInline]
    readonly_fields = ["two_factor"]
    actions = ["reset_two_factor"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.kind == AccountKind.CITIZEN:
            return fieldsets
        help_text = _(
            "Cán bộ mất điện thoại và mã dự phòng: chọn tài khoản ở danh sách, chọn thao tác "
            "“Đặt lại xác thực hai lớp”; lần đăng nhập sau cán bộ quét mã QR mới."
        )
        return (*fieldsets, (_("Xác thực hai lớp"), {"fields": ("two_factor",), "description": help_text}))

    @admin.display(description=_("trạng thái"))
    def two_factor(self, obj: User) -> str:
        return two_factor_status(obj)

    @admin.action(
        description=_("Đặt lại xác thực hai lớp (cán bộ đăng ký lại ở lần đăng nhập sau)"), permissions=["change"]
    )
    def reset_two_factor(self, request, queryset) -> None:
        reset = [user.get_username() for user in queryset if two_factor_reset(user=user, by=request.user)]
        if reset:
            self.message_user(
                request,
                _("Đã đặt lại xác thực hai lớp cho: %(users)s. Lần đăng nhập sau, họ quét mã QR mới.")
                % {"users": ", ".join(reset)},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("Các tài khoản đã chọn chưa đăng ký xác thực hai lớp."), messages.WARNING)

    def get_inlines(self, request, obj):
        # A citizen account has no agency; its profile is on its own page (CitizenProfileAdmin).
        if obj is not None and obj.kind == AccountKind.CITIZEN:
            return []
        return super().get_inlines(request, obj)


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    """Citizen and organisation accounts of the portal, for administrators (help at the counter).

    The identifier (CCCD, tax code) is read-only: it ties the account to the person's dossiers
    and document vault; a wrong one is corrected by the person re-registering, not by editing.
    """

    list_display = [
        "display_name",
        "identifier",
        "applicant_kind",
        "phone",
        "email",
        "email_verified",
        "identity_verified",
        "created_at",
    ]
    list_filter = [
        "applicant_kind",
        "identity_provider",
        "identity_verified_via",
        ("identity_verified_at", admin.EmptyFieldListFilter),
        ("email_verified_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["cccd", "tax_code", "user__phone", "user__email", "user__full_name", "organisation_name"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "user",
        "applicant_kind",
        "cccd",
        "tax_code",
        "organisation_name",
        "date_of_birth",
        "sex",
        "address",
        "email_verified_at",
        "phone_verified_at",
        "identity_verified_at",
        "identity_verified_via",
        "identity_verified_by",
        "identity_provider",
        "created_at",
    ]
    readonly_fields = [
        "user",
        "applicant_kind",
        "cccd",
        "tax_code",
        "email_verified_at",
        "phone_verified_at",
        "identity_verified_at",
        "identity_verified_via",
        "identity_verified_by",
        "identity_provider",
        "created_at",
    ]

    @admin.display(description=_("số điện thoại"), ordering="user__phone")
    def phone(self, obj: CitizenProfile) -> str:
        return obj.user.phone

    @admin.display(description=_("thư điện tử"), ordering="user__email")
    def email(self, obj: CitizenProfile) -> str:
        return obj.user.email

    @admin.display(description=_("đã xác thực thư"), boolean=True)
    def email_verified(self, obj: CitizenProfile) -> bool:
        return obj.email_verified_at is not None

    @admin.display(description=_("CCCD / mã số thuế"))
    def identifier(self, obj: CitizenProfile) -> str:
        return obj.identifier

    @admin.display(description=_("đã xác minh danh tính"), boolean=True)
    def identity_verified(self, obj: CitizenProfile) -> bool | None:
        return obj.identity_verified if obj.cccd else None

    def has_add_permission(self, request):
        # Accounts are created by the citizen (registration) or by an identity provider.
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("xac-minh-danh-tinh/", wrap(self.identity_view), name="accounts_citizenprofile_identity"),
            *super().get_urls(),
        ]

    def identity_view(self, request):
        """At the counter, with the person and their CCCD card: find the account holding the number,
        verify it (the card shows it is theirs) or give the number back to its holder (it is not)."""
        if not request.user.has_perm(IDENTITY_PERMISSION):
            raise PermissionDenied
        here = reverse("admin:accounts_citizenprofile_identity")
        raw = (request.POST.get("cccd") or request.GET.get("cccd") or "").strip()
        cccd, problem = "", ""
        if raw:
            try:
                cccd = normalise_cccd(raw)
            except ValidationError as exc:
                problem = " ".join(exc.messages)
        # Two forms on one page: distinct ids, so each label points at its own checkbox.
        verify_form = DeskVerifyForm(auto_id="verify_%s")
        claim_form = DeskClaimForm(initial={"cccd": cccd}, auto_id="claim_%s")
        if request.method == "POST" and cccd:
            action, now = request.POST.get("action"), timezone.now()
            try:
                if action == "verify":
                    verify_form = DeskVerifyForm(request.POST, auto_id="verify_%s")
                    verify_form.is_valid()
                    profile = services.desk_identity_lookup(cccd=cccd, officer=request.user)
                    if profile is None:
                        raise ValidationError(_("Số CCCD này chưa gắn với tài khoản nào."))
                    services.citizen_identity_verify_at_desk(
                        profile=profile,
                        officer=request.user,
                        card_checked=bool(verify_form.cleaned_data.get("card_checked")),
                        at=now,
                    )
                    self.message_user(
                        request, _("Đã xác minh danh tính cho tài khoản giữ số CCCD %(cccd)s.") % {"cccd": cccd}
                    )
                    return redirect(f"{here}?{urlencode({'cccd': cccd})}")
                if action == "claim":
                    claim_form = DeskClaimForm(request.POST, auto_id="claim_%s")
                    if claim_form.is_valid():
                        data = claim_form.cleaned_data
                        user = services.citizen_cccd_claim(
                            cccd=data["cccd"],
                            officer=request.user,
                            card_checked=bool(data.get("card_checked")),
                            full_name=data.get("full_name") or "",
                            phone=data.get("phone") or "",
                            date_of_birth=data.get("date_of_birth"),
                            sex=data.get("sex") or "",
                            at=now,
                        )
                        self.message_user(
                            request,
                            _(
                                "Đã chuyển số CCCD %(cccd)s sang tài khoản mới, đã xác minh, của %(name)s. Chủ thẻ đặt "
                                "mật khẩu bằng chức năng “Quên mật khẩu” với số điện thoại %(phone)s; tài khoản cũ "
                                "mất số CCCD và đã được thông báo."
                            )
                            % {"cccd": cccd, "name": user.full_name, "phone": user.phone},
                        )
                        return redirect(f"{here}?{urlencode({'cccd': cccd})}")
            except ValidationError as exc:
                form = verify_form if action == "verify" else claim_form
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
        holder = services.desk_identity_lookup(cccd=cccd, officer=request.user) if cccd else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Xác minh danh tính công dân tại quầy"),
            "cccd": cccd or raw,
            "problem": problem,
            "holder": holder,
            "verify_form": verify_form,
            "claim_form": claim_form,
        }
        return TemplateResponse(request, "accounts/desk_identity.html", context)
