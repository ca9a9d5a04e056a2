"""The one contract every channel plugin implements (e-mail, SMS, desk; Zalo in the zalo app).

A channel is a `core.plugins.Plugin` (`code`, `label`, `is_enabled()`), registered in
`registry.channels` from its `contrib/<code>/plugin.py`; messages name it by `code`.

`send(message)` returns nothing on success and raises a `ChannelError` otherwise:
`PermanentChannelError` when trying again cannot help (no address, refused recipient),
`TransientChannelError` when it may (server down, timeout). Anything else a plugin lets
escape is treated as transient by the sender, so no plugin bug can crash a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from onestop_tayninh.core.plugins import Plugin, UnknownPluginError

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.models import Dossier

    from .models import Message


class ChannelError(Exception):
    """A message could not be handed to the channel."""

    permanent: ClassVar[bool] = False


class TransientChannelError(ChannelError):
    """Worth trying again later (with backoff)."""


class PermanentChannelError(ChannelError):
    """Trying again cannot help; the message is marked failed with this reason."""

    permanent = True


class UnknownChannelError(UnknownPluginError, PermanentChannelError):
    """No channel is registered under the message's code: permanent, nothing to retry."""


class Channel(Plugin):
    """A way to deliver a `Message`.

    `idempotent` says whether the receiving side deduplicates a repeated send of the same
    message (it gets `message.idempotency_key` every time). For such channels a send whose
    outcome is unknown (worker killed mid-send) is simply sent again; see services.
    `open()`/`close()` bracket a batch so a plugin can reuse one connection.

    A channel that tells applicants about their dossiers sets `for_citizens` and says, in
    `citizen_address(dossier)`, where it would reach the dossier's applicant ("" when it cannot):
    `services.citizen_messages` writes one message per enabled citizen channel with an address, so
    the notifications app never names a channel another app provides. With `template_required`, a
    notice whose template for this channel does not exist is not written at all (an optional
    channel the desk turns on per notice type) instead of failing at send time.
    """

    idempotent: ClassVar[bool] = False
    # Whether the message needs `address` (e-mail, phone) rather than only a user account.
    needs_address: ClassVar[bool] = True
    for_citizens: ClassVar[bool] = False
    template_required: ClassVar[bool] = False

    @classmethod
    def citizen_address(cls, dossier: Dossier) -> str:
        """Where this channel reaches the dossier's applicant; "" when it cannot."""
        return ""

    def open(self) -> None:
        """Prepare for a batch of sends (e.g. open one SMTP connection)."""

    def close(self) -> None:
        """End the batch."""

    def send(self, message: Message) -> None:
        raise NotImplementedError
