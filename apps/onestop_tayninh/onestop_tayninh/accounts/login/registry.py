"""Login providers registered by code (`core.plugins`); ONESTOP_LOGIN_PROVIDERS says which are offered.

A plugin registers its class when its module is imported (``@providers.register``); registering
does not switch it on: only codes listed in the setting (and whose plugin says it is usable) get a
button on the login page and answer at their URLs, so a deployment turns a provider on or off
without code. ``providers.enabled()`` lists them in the setting's order; ``providers.get_enabled``
raises ``UnknownPluginError`` (a ``KeyError``) for any other code.
"""

from __future__ import annotations

from onestop_tayninh.core.plugins import Registry

from .base import LoginProvider

# LoginProvider is abstract, which mypy refuses as a type[P] argument (python/mypy#4717).
providers: Registry[LoginProvider] = Registry(
    LoginProvider,  # type: ignore[type-abstract]
    kind="cách đăng nhập",
    enabled_setting="ONESTOP_LOGIN_PROVIDERS",
)
