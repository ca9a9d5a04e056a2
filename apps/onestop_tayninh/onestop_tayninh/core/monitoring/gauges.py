"""Gauges other components register: a function read at every scrape and on the monitoring page.

A component that knows a figure core cannot compute (the database router knows its replicas) calls
`register(...)` once, from its AppConfig.ready(); /metrics then exports the gauge and the desk's
monitoring page shows it, both from the same call. Nothing registered, nothing exported: in
particular `onestop_replica_lag_seconds` exists only once a router registers it::

    from onestop_tayninh.core.monitoring import gauges

    gauges.register(
        gauges.REPLICA_LAG,
        documentation="Seconds the replica's data is behind the primary's.",
        label=_("Độ trễ của bản sao cơ sở dữ liệu (giây)"),
        labelname="database",
        read=lambda: {alias: lag_of(alias) for alias in replica_aliases()},
    )

The router's own shortcut does the same with the name, help and Vietnamese label filled in::

    gauges.register_replica_lag(replica_lag_seconds)

`read` returns one number, or one number per value of `labelname` (a database alias); None for a
value that cannot be read now (a replica down), which is left out rather than shown as 0. A `read`
that raises is logged and left out of that scrape; it never fails /metrics or the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("onestop_tayninh.core.monitoring")

REPLICA_LAG = "onestop_replica_lag_seconds"

Reading = float | None | Mapping[str, float | None]


@dataclass(frozen=True)
class RegisteredGauge:
    name: str
    documentation: str
    #: What the desk's page calls it, in Vietnamese.
    label: str | Promise
    read: Callable[[], Reading]
    #: The label that tells the values apart when `read` returns a mapping.
    labelname: str = ""


@dataclass(frozen=True)
class GaugeValue:
    gauge: RegisteredGauge
    #: The value of `labelname` ("" for a gauge without one).
    labelvalue: str
    value: float


_registered: dict[str, RegisteredGauge] = {}


def register(
    name: str,
    *,
    documentation: str,
    label: str | Promise,
    read: Callable[[], Reading],
    labelname: str = "",
) -> RegisteredGauge:
    """Export `name` from now on; registering a name again replaces the function (a reload)."""
    gauge = RegisteredGauge(name=name, documentation=documentation, label=label, read=read, labelname=labelname)
    _registered[name] = gauge
    return gauge


def register_replica_lag(read: Callable[[], Reading], *, labelname: str = "") -> RegisteredGauge:
    """`onestop_replica_lag_seconds` from `read` (seconds, None while the replica cannot be read)."""
    return register(
        REPLICA_LAG,
        documentation="Seconds the database replica's data is behind the primary's (absent while unreadable).",
        label=_("Độ trễ của bản sao cơ sở dữ liệu so với máy chính (giây)"),
        read=read,
        labelname=labelname,
    )


def unregister(name: str) -> None:
    _registered.pop(name, None)


def registered() -> list[RegisteredGauge]:
    return list(_registered.values())


def read_all() -> list[GaugeValue]:
    """Every registered gauge's current values, in registration order."""
    values: list[GaugeValue] = []
    for gauge in registered():
        try:
            reading = gauge.read()
        except Exception:  # a broken probe must not take the whole scrape down
            logger.warning("gauge_read_failed name=%s", gauge.name, exc_info=True)
            continue
        items = reading.items() if isinstance(reading, Mapping) else [("", reading)]
        values.extend(
            GaugeValue(gauge=gauge, labelvalue=str(key), value=float(value))
            for key, value in items
            if value is not None
        )
    return values
