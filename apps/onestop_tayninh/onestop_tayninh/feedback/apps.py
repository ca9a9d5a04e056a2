from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "onestop_tayninh.feedback"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self) -> None:
        from onestop_tayninh.security.audit import register_models

        # Who changed a PAKN, and what, belongs in the audit trail beside the named steps.
        register_models("feedback.Feedback")
