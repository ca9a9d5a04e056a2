"""Login providers registered by name; ONESTOP_LOGIN_PROVIDERS says which ones are offered.

A plugin registers its class when its module is imported (``registry.register(VNeIDProvider)``);
registering does not switch it on: only names listed in the setting get a button on the login
page and answer at their URLs, so a deployment turns a provider on or off without code.
"""

from __future__ import annotations

from django.conf import settings

from .base import LoginProvider

_providers: dict[str, type[LoginProvider]] = {}


def register(provider_class: type[LoginProvider]) -> type[LoginProvider]:
    if not isinstance(provider_class, type) or not issubclass(provider_class, LoginProvider):
        raise TypeError("register(LoginProvider subclass)")
    if not provider_class.name:
        raise ValueError("A login provider needs a name.")
    _providers[provider_class.name] = provider_class
    return provider_class


def unregister(name: str) -> None:
    _providers.pop(name, None)


def enabled() -> list[LoginProvider]:
    """The providers offered on the login page, in the order of the setting."""
    return [_providers[name]() for name in settings.ONESTOP_LOGIN_PROVIDERS if name in _providers]


def get(name: str) -> LoginProvider | None:
    """The provider called `name` if it is registered and switched on."""
    if name not in settings.ONESTOP_LOGIN_PROVIDERS or name not in _providers:
        return None
    return _providers[name]()
