"""The RQ job class (settings `RQ["JOB_CLASS"]`): a job carries the request id of whoever enqueued it.

Enqueued while a request id is bound (a request, or a job that itself carries one), the job keeps
the id in `job.meta["request_id"]`; the worker binds it again, with the job's id and function,
while the job runs. So one id leads from a click in the web log to the e-mail sent or the PDF
rendered in the worker's log. django-rq's `get_queue()` and `rqworker` both read the setting.

A job's files follow its transactions as a request's do (security.storage.files_follow_transactions).
"""

from __future__ import annotations

from typing import Any

import structlog
from rq.job import Job

from onestop_tayninh.security.storage import files_follow_transactions

from .log import REQUEST_ID


class RequestIdJob(Job):
    @classmethod
    def create(cls, *args: Any, meta: dict[str, Any] | None = None, **kwargs: Any) -> RequestIdJob:
        request_id = structlog.contextvars.get_contextvars().get(REQUEST_ID)
        if request_id and not (meta and REQUEST_ID in meta):
            meta = {**(meta or {}), REQUEST_ID: request_id}
        return super().create(*args, meta=meta, **kwargs)  # type: ignore[return-value]

    def perform(self) -> Any:
        context = {"job_id": self.id, "job": self.func_name}
        if self.meta.get(REQUEST_ID):
            context[REQUEST_ID] = self.meta[REQUEST_ID]
        tokens = structlog.contextvars.bind_contextvars(**context)
        try:
            with files_follow_transactions():
                return super().perform()
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
