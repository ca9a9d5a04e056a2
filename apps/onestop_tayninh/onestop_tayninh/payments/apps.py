from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "onestop_tayninh.payments"
    verbose_name = _("Phí, lệ phí và thanh toán")

    def ready(self) -> None:
        from onestop_tayninh.security.audit import register_models

        # Who changed an order, a refund or a reconciliation difference belongs in the audit trail.
        register_models("payments.PaymentOrder", "payments.Refund", "payments.Mismatch")
        # Built-in providers register themselves; ONESTOP_PAYMENT_PROVIDERS says which are offered.
        from .contrib.counter import plugin as _counter  # noqa: F401
        from .contrib.paygov import plugin as _paygov  # noqa: F401
        from .contrib.vnpay import plugin as _vnpay  # noqa: F401
