"""Desk pages of the portal's records: citizens' ratings, read-only, within the official's reach."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ReadableModelAdmin
from onestop_tayninh.dossiers.models import Dossier

from .models import ServiceRating


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadableModelAdmin):
    """Ratings are the citizen's words: officials read them, nobody edits or deletes them."""

    list_display = ["created_at", "dossier", "satisfied", "score_on_scale", "short_comment"]
    list_filter = ["satisfied", "dossier__procedure_version__sector"]
    search_fields = ["dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]
    # Every field, the total on its scale in place of the bare number.
    fields = [
        "dossier",
        "citizen",
        "channel",
        "desk",
        "satisfied",
        "answers",
        "score_on_scale",
        "comment",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("tổng điểm"), ordering="score")
    def score_on_scale(self, obj: ServiceRating) -> str:
        return obj.score_display

    @admin.display(description=_("ý kiến"))
    def short_comment(self, obj: ServiceRating) -> str:
        return obj.comment[:80]

    def get_queryset(self, request):
        # The one row-level rule: an official sees the ratings of the dossiers they may see.
        return super().get_queryset(request).filter(dossier__in=Dossier.objects.visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
