from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Official
from onestop_tayninh.security.services import two_factor_reset, two_factor_status

from .constants import AccountKind
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

    list_display = ["display_name", "identifier", "applicant_kind", "phone", "email", "email_verified", "created_at"]
    list_filter = ["applicant_kind", "identity_provider", ("email_verified_at", admin.EmptyFieldListFilter)]
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
        "address",
        "email_verified_at",
        "identity_provider",
        "created_at",
    ]
    readonly_fields = [
        "user",
        "applicant_kind",
        "cccd",
        "tax_code",
        "email_verified_at",
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

    def has_add_permission(self, request):
        # Accounts are created by the citizen (registration) or by an identity provider.
        return False
