"""Work a request owes once its answer has left: what follows a committed change and nobody reading the
answer waits for.

An on-commit hook of that kind hands its work to `after_response`: the evaluation's fact of a dossier
(reports), the content of its messages to the national portal (national), and the hand-over of committed
outbox rows to RQ (core tasks, notifications). Inside a request, the work waits until the response has
been sent: Django sends `request_finished` when the server closes the response, after the last byte is
written, and the work runs then, in the same worker, before it takes its next request. Outside a request
(an RQ worker, a management command, a test calling services) it runs at once, as before.

So the client's answer no longer waits for it, while nothing else changes: the work runs in the same
process, on the committed data, a few milliseconds later; the national message still reads the dossier as
that commit left it, unless another request changed it within those milliseconds (then it carries the
newer state, as a mapping at commit could too). If the process dies in between, the paths that already
catch a failed hook catch it: the nightly recompute derives every fact again, the national push maps a
message still unmapped, and the dispatchers hand over outbox rows nobody took.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog

from django.http import HttpRequest, HttpResponse

from .log import REQUEST_ID

log = structlog.get_logger(__name__)

Work = Callable[[], None]
Item = TypeVar("Item")


@dataclass
class _Pending:
    """One request's work for after its response, with the request id its log lines carry; `gathered`
    holds, by hand-over, the items `after_response_gather` collected for it."""

    request_id: str
    works: list[Work] = field(default_factory=list)
    gathered: dict[Callable[[list[Any]], None], list[Any]] = field(default_factory=dict)


#: The current request's pending work (None outside a request).
_pending: ContextVar[_Pending | None] = ContextVar("onestop_after_response", default=None)


def after_response(work: Work) -> None:
    """Run `work` once the current request's response has been sent, or now outside a request."""
    pending = _pending.get()
    if pending is None:
        work()
    else:
        pending.works.append(work)


def after_response_gather(hand_over: Callable[[list[Item]], None], items: Iterable[Item]) -> None:
    """Give `items` to `hand_over` once the current request's response has been sent, with every other
    item the request gave the same `hand_over`: one call for the request, not one per commit (a message
    sent is an RQ job, and a request that commits three messages hands over one job). Outside a request,
    `hand_over(items)` now."""
    pending = _pending.get()
    if pending is None:
        hand_over(list(items))
        return
    gathered = pending.gathered.get(hand_over)
    if gathered is None:
        gathered = pending.gathered[hand_over] = []
        pending.works.append(lambda: hand_over(gathered))
    gathered.extend(items)


def run_pending(**_signal: Any) -> None:
    """`request_finished`'s receiver: the request's work, each piece on its own (one failing does not
    stop the next: each is a hook whose change has already committed)."""
    pending = _pending.get()
    _pending.set(None)
    if not pending or not pending.works:
        return
    with structlog.contextvars.bound_contextvars(**{REQUEST_ID: pending.request_id}):
        for work in pending.works:
            try:
                work()
            except Exception:
                log.exception("after_response_failed", work=getattr(work, "__qualname__", repr(work)))


class AfterResponseMiddleware:
    """Opens the request's list of work for after the response (`run_pending` empties it).

    A list a previous request on this thread left behind (its response never closed: a server that
    dropped the connection) is run first, never lost.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        run_pending()
        _pending.set(_Pending(getattr(request, "request_id", "")))
        return self.get_response(request)
