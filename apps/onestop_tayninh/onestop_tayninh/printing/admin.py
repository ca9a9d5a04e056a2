from django.contrib import admin

from .models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are issued by services and never edited."""

    list_display = ["dossier", "kind", "forms_version", "created_at"]
    list_filter = ["kind", "forms_version"]
    readonly_fields = ["dossier", "kind", "forms_version", "file", "created_at", "sha256"]

    def get_queryset(self, request):
        dossiers = self.model.dossier.field.related_model.objects.visible_to(request.user)
        return super().get_queryset(request).filter(dossier__in=dossiers).select_related("dossier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
