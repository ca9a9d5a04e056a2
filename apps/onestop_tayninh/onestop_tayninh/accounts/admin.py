from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Official

from .constants import AccountKind
from .models import User


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
