"""Channel plugins registered by name: `registry.register("email", EmailChannel)`.

The registry is open: a deployment adds a channel (Zalo OA, say) by registering it from its
app's `ready()`; templates and messages refer to channels by this name only.
"""

from __future__ import annotations

from .base import Channel, PermanentChannelError

_channels: dict[str, type[Channel]] = {}


def register(code: str, channel_class: type[Channel]) -> type[Channel]:
    if not code or not issubclass(channel_class, Channel):
        raise TypeError("register(code, Channel subclass)")
    channel_class.code = code
    _channels[code] = channel_class
    return channel_class


def unregister(code: str) -> None:
    _channels.pop(code, None)


def get(code: str) -> type[Channel]:
    try:
        return _channels[code]
    except KeyError:
        raise PermanentChannelError(f"Kênh gửi “{code}” chưa được đăng ký.") from None


def codes() -> list[str]:
    return sorted(_channels)
