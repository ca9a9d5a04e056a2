"""The signer contract: where the agency's key and certificate live (a PKCS#12 file, a PKCS#11 token).

A signer plugin opens the agency's key for one signature and hands pyHanko a ready signer; what is
signed, how it looks and which checks come first are the same for every plugin (signing.services).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError

from onestop_tayninh.core.plugins import Plugin, UnknownPluginError

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer as PyHankoSigner

    from onestop_tayninh.directory.models import Agency


class SigningError(ValidationError):
    """The document cannot be signed (no key, a wrong or expired certificate): a Vietnamese message."""


class SigningConfigurationError(SigningError):
    """The deployment's signing settings are missing or wrong."""


class UnknownSignerError(UnknownPluginError, SigningConfigurationError):  # type: ignore[misc]
    def __init__(self, message: str, *, code: str) -> None:
        UnknownPluginError.__init__(self, message, code=code)
        SigningConfigurationError.__init__(self, message)


class Signer(Plugin):
    """One way of reaching an agency's signing key."""

    @contextmanager
    def open(self, *, agency: Agency) -> Iterator[PyHankoSigner]:
        """Yield pyHanko's signer for `agency` (its certificate and the chain it came with); close after."""
        raise NotImplementedError


T = TypeVar("T")


def outside_event_loop(call: Callable[[], T]) -> T:
    """Run pyHanko's synchronous API, which starts its own event loop (asyncio.run). Where this thread
    already runs one (an async view; a test driving the browser through Playwright's synchronous API),
    the call runs in a thread of its own instead of failing."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
