"""Structured logging: one JSON object per line, from structlog and the standard library alike.

`conf/base.py` builds Django's `LOGGING` with `logging_config()` and calls `configure_structlog()`.
Both kinds of logger end in the same formatter, so a line written with
`structlog.get_logger(__name__).info("dossier_accepted", code=...)` and one written by Django, RQ
or an older `logging.getLogger(...)` call look alike: `timestamp`, `level`, `logger`, `event`,
and whatever is bound in the context (the `request_id` of the request or job in hand, see
`core.middleware` and `core.rqjob`).
"""

from __future__ import annotations

from typing import Any

import structlog

#: The context key that follows a request into the jobs it enqueues.
REQUEST_ID = "request_id"

# Applied to every line, structlog's and the standard library's: the bound context first, so a
# key given at the call site wins over one bound for the whole request.
SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_structlog() -> None:
    """structlog hands its events to the standard library, whose handlers (LOGGING) write them."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(**_json_formatter_options())


def _json_formatter_options() -> dict[str, Any]:
    return {
        "foreign_pre_chain": SHARED_PROCESSORS,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            # Vietnamese stays readable in the file.
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    }


def logging_config(*, level: str, file: str = "") -> dict[str, Any]:
    """Django's LOGGING: every logger to one JSON-lines handler, a file when `file` is set.

    The file handler reopens the file when logrotate moves it. Without a file the lines go to
    standard error (the systemd journal in production, the terminal for a management command).
    """
    if file:
        handler = {"class": "logging.handlers.WatchedFileHandler", "filename": file, "encoding": "utf-8"}
    else:
        handler = {"class": "logging.StreamHandler"}
    quiet = {"level": "WARNING"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": structlog.stdlib.ProcessorFormatter, **_json_formatter_options()}},
        "handlers": {"main": {**handler, "formatter": "json"}},
        "root": {"handlers": ["main"], "level": level},
        "loggers": {
            # Django's defaults print these to the console in their own format (runserver's access
            # lines over the `make run` banner); here they propagate to the one handler instead.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # WeasyPrint and fontTools log every layout step at INFO: noise on every printed form.
            "weasyprint": quiet,
            "fontTools": quiet,
            # django-axes announces its version at every start of every command.
            "axes.apps": quiet,
        },
    }
