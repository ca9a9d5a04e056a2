"""Payment providers registered by code (`core.plugins`); ONESTOP_PAYMENT_PROVIDERS says which are offered."""

from __future__ import annotations

from onestop_tayninh.core.plugins import Registry

from .base import PaymentProvider, UnknownProviderError

# PaymentProvider is abstract, which mypy refuses as a type[P] argument (python/mypy#4717).
providers: Registry[PaymentProvider] = Registry(
    PaymentProvider,  # type: ignore[type-abstract]
    kind="hình thức thanh toán",
    enabled_setting="ONESTOP_PAYMENT_PROVIDERS",
    error=UnknownProviderError,
)


def online_providers(amount: int | None = None) -> list[type[PaymentProvider]]:
    """The providers a citizen may pay through on the portal, in the setting's order (for `amount`, those that take it)."""
    return [
        provider
        for provider in providers.enabled()
        if provider.online and (amount is None or amount >= provider.min_amount)
    ]
