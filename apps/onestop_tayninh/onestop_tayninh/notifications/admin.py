"""Desk pages: the outbox (failed messages and "Gửi lại"), editable templates, Form 04 drafts.

Every page but the templates (which hold no personal data) shows only the rows of the dossiers the
official may see, by the one row-level rule (core.rowlevel); a row outside it answers 404.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onestop_tayninh.core.admin import ReadableModelAdmin, RowLevelAdminMixin
from onestop_tayninh.dossiers.models import ApologyDraft, DeadlineAlert

from . import services
from .constants import MessageStatus
from .models import DeskNotification, Message, MessageTemplate


@admin.register(Message)
class MessageAdmin(RowLevelAdminMixin, ReadableModelAdmin):
    """Messages of the dossiers the official may see, and their own (core.rowlevel)."""

    list_display = ["created_at", "template_key", "channel", "recipient", "dossier", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "template_key"]
    search_fields = ["address", "dedupe_key", "dossier__code", "user__username", "user__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "dossier"]
    raw_id_fields = ["user", "dossier"]
    actions = ["resend"]
    readonly_fields = [field.name for field in Message._meta.fields]

    @admin.display(description=_("người nhận"))
    def recipient(self, obj: Message) -> str:
        return obj.address or str(obj.user or "")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Gửi lại"), permissions=["change"])
    def resend(self, request, queryset):
        now = timezone.now()
        count = 0
        for message in queryset.exclude(status=MessageStatus.SENT):
            services.message_resend(message=message, at=now)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d thông báo vào hàng đợi gửi lại.",
                "Đã đưa %(count)d thông báo vào hàng đợi gửi lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class MessageTemplateForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        for field in ("subject", "body"):
            try:
                Template(cleaned.get(field) or "")
            except TemplateSyntaxError as exc:
                raise ValidationError({field: _("Mẫu bị lỗi cú pháp: %(error)s") % {"error": exc}}) from exc
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadableModelAdmin):
    form = MessageTemplateForm
    list_display = ["key", "channel", "subject", "updated_at"]
    list_filter = ["channel", "key"]
    search_fields = ["subject", "body"]


@admin.register(DeskNotification)
class DeskNotificationAdmin(RowLevelAdminMixin, ReadableModelAdmin):
    """An official's own notices; those who see everything see all."""

    list_display = ["created_at", "user", "message", "read_at"]
    list_filter = ["read_at"]
    raw_id_fields = ["user", "message"]


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(RowLevelAdminMixin, ReadableModelAdmin):
    row_level_through = "dossier"
    list_display = ["raised_at", "dossier", "kind", "due_at", "agency"]
    list_filter = ["kind", "agency"]
    search_fields = ["dossier__code"]
    raw_id_fields = ["dossier"]


@admin.register(ApologyDraft)
class ApologyDraftAdmin(RowLevelAdminMixin, ReadableModelAdmin):
    row_level_through = "dossier"
    list_display = ["prepared_at", "dossier", "agency", "original_due_at", "status"]
    list_filter = ["status", "agency"]
    search_fields = ["dossier__code"]
    raw_id_fields = ["dossier", "confirmed_by"]
