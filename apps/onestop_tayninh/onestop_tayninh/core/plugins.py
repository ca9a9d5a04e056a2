"""Integrations are plugins with one contract: a base class, a registry, plugins registered by code.

Every family of integrations (notification channels, login providers; payment gateways and Zalo
next) has the same three rooms in its app:

* ``base.py``: the abstract plugin, a subclass of :class:`Plugin` that adds the family's methods
  (``Channel.send``, ``LoginProvider.start`` / ``complete``) and its own errors;
* ``registry.py``: one :class:`Registry` instance for the family, named after it
  (``channels``, ``providers``), which the rest of the app calls;
* ``contrib/<code>/plugin.py``: one module per plugin, which registers its class when imported::

      @channels.register
      class ZaloChannel(Channel):
          code = "zalo"
          label = _("Zalo OA")

          @classmethod
          def is_enabled(cls) -> bool:
              return bool(settings.ZALO_OA_TOKEN)

          def send(self, message: Message) -> None: ...

  The app's ``AppConfig.ready()`` imports its built-in plugin modules; a deployment adds its own
  from its own app's ``ready()``. Nothing else names a plugin class: messages, URLs, settings and
  database rows refer to a plugin by its ``code`` only.

The contract of a plugin class:

* ``code``: a short lowercase slug, unique in its registry, stable (it is stored in rows and
  written in settings and URLs);
* ``label``: the Vietnamese name a person reads (a button, a column in the desk);
* ``is_enabled()``: whether the plugin can be used here, usually whether its settings (endpoint,
  credentials) are filled in. Settings a plugin needs are plain settings in ``conf/base.py``, read
  from the environment and documented in ``.env.example``, read by the plugin itself;
* it verifies its own inbound data (webhook signatures, ID-token signatures): no other code
  trusts a request on its behalf.

A registry holds classes, in registration order; callers instantiate what they use. A registry
built with ``enabled_setting`` is switched on by a list of codes in that setting
(``ONESTOP_LOGIN_PROVIDERS = ["vneid"]``): registering a plugin does not offer it, so a
deployment turns one on or off without code. ``core`` names no plugin and imports no app above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from django.conf import settings

if TYPE_CHECKING:
    # A tooling dependency (requirements.in), so for the type checker only.
    from django_stubs_ext import StrOrPromise

CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")


class Plugin:
    """The part every plugin shares; a family's base class adds what its plugins do."""

    #: Registered code: stored in rows, written in settings and URLs. Never change it once used.
    code: ClassVar[str] = ""
    #: What a person reads (Vietnamese, through gettext_lazy).
    label: ClassVar[StrOrPromise] = ""

    @classmethod
    def is_enabled(cls) -> bool:
        """Whether the plugin can be used in this deployment (its settings are filled in)."""
        return True


P = TypeVar("P", bound=Plugin)


class UnknownPluginError(KeyError):
    """No plugin of this family is registered (or switched on) under the code."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        # KeyError would show the repr of its argument, quotes included.
        return self.message


class Registry(Generic[P]):
    """The plugins of one family, by code, in registration order.

    `kind` names the family in messages ("kênh gửi"); `error` is the exception raised for an
    unknown code, a subclass of UnknownPluginError that may also join the family's own error
    hierarchy (an unknown channel is a permanent channel error).
    """

    def __init__(
        self,
        base: type[P],
        *,
        kind: str,
        enabled_setting: str | None = None,
        error: type[UnknownPluginError] = UnknownPluginError,
    ) -> None:
        self.base = base
        self.kind = kind
        self.enabled_setting = enabled_setting
        self.error = error
        self._plugins: dict[str, type[P]] = {}

    def register(self, plugin: type[P]) -> type[P]:
        """Add a plugin class under its `code`; usable as a class decorator.

        A second class under a code already taken is refused, so two plugins cannot silently
        shadow each other; registering the same class again (a module imported twice) is a no-op.
        """
        if not isinstance(plugin, type) or not issubclass(plugin, self.base):
            raise TypeError(f"{plugin!r} is not a subclass of {self.base.__qualname__}.")
        code = plugin.code
        if not CODE_PATTERN.fullmatch(code):
            raise ValueError(f"{plugin.__qualname__}.code must be a lowercase slug, not {code!r}.")
        registered = self._plugins.get(code)
        if registered is not None and registered is not plugin:
            raise ValueError(f"Code {code!r} is already taken by {registered.__qualname__}.")
        self._plugins[code] = plugin
        return plugin

    def unregister(self, code: str) -> None:
        """Remove a plugin (tests, a deployment replacing a built-in); unknown codes are ignored."""
        self._plugins.pop(code, None)

    def get(self, code: str) -> type[P]:
        """The plugin class registered under `code`, switched on or not."""
        try:
            return self._plugins[code]
        except KeyError:
            raise self.error(f"{_capitalised(self.kind)} “{code}” chưa được đăng ký.", code=code) from None

    def get_enabled(self, code: str) -> type[P]:
        """The plugin class under `code` if it is switched on and usable, else the unknown-code error."""
        plugin = self.get(code)
        if plugin not in self.enabled():
            raise self.error(f"{_capitalised(self.kind)} “{code}” chưa được bật.", code=code)
        return plugin

    def enabled(self) -> list[type[P]]:
        """The plugins switched on (in the setting's order, if there is one) that are usable."""
        if self.enabled_setting is None:
            candidates = list(self._plugins.values())
        else:
            codes: list[str] = getattr(settings, self.enabled_setting)
            candidates = [self._plugins[code] for code in codes if code in self._plugins]
        return [plugin for plugin in candidates if plugin.is_enabled()]

    def codes(self) -> list[str]:
        """Registered codes, in registration order."""
        return list(self._plugins)

    def __iter__(self) -> Iterator[type[P]]:
        return iter(list(self._plugins.values()))

    def __contains__(self, code: object) -> bool:
        return code in self._plugins

    def __len__(self) -> int:
        return len(self._plugins)

    def __repr__(self) -> str:
        return f"<Registry of {self.base.__qualname__}: {', '.join(self._plugins) or 'empty'}>"


def _capitalised(text: str) -> str:
    # str.capitalize() would lower-case the rest ("cổng VNPay" -> "Cổng vnpay").
    return text[:1].upper() + text[1:]
