from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

#: The apps whose records the portal's shared pages show (core.page_cache): the catalogue, and the
#: directory's agencies and desks with their addresses and hours.
SHOWN_APPS = ("catalog", "directory")


class PortalConfig(AppConfig):
    name = "onestop_tayninh.portal"
    verbose_name = _("Cổng dịch vụ công")

    def ready(self) -> None:
        from onestop_tayninh.core.page_cache import new_generation_on_commit

        for label in SHOWN_APPS:
            for model in apps.get_app_config(label).get_models():
                uid = f"portal-page-cache-{model._meta.label}"
                post_save.connect(new_generation_on_commit, sender=model, dispatch_uid=uid + "-save")
                post_delete.connect(new_generation_on_commit, sender=model, dispatch_uid=uid + "-delete")
                for field in model._meta.local_many_to_many:
                    m2m_changed.connect(
                        new_generation_on_commit, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}"
                    )
