"""The channels messages are sent on, registered by code (`core.plugins`).

The registry is open: a deployment adds a channel (Zalo OA, say) with a `contrib/<code>/plugin.py`
imported from its app's `ready()`; templates and messages refer to channels by code only. Every
registered channel is on; which ones a notice uses is decided by the subscribers and settings
(ONESTOP_NOTIFY_OFFICIAL_CHANNELS).
"""

from __future__ import annotations

from onestop_tayninh.core.plugins import Registry

from .base import Channel, UnknownChannelError

channels: Registry[Channel] = Registry(Channel, kind="kênh gửi", error=UnknownChannelError)
