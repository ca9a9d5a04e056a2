"""Every error of the API as an RFC 9457 problem detail (application/problem+json), in Vietnamese.

The services raise Django's ValidationError and PermissionDenied, the engine StaleDossier when the
dossier moved on since the caller read it; DRF raises its own for tokens, scopes, input and limits.
One handler turns all of them into {type, title, status, detail, instance, errors}: `errors` maps
each refused field to its messages ("non_field_errors" for the request as a whole).
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.core.outage import RETRY_AFTER_SECONDS, database_unreachable
from onestop_tayninh.dossiers.actions import StaleDossier
from onestop_tayninh.security.storage import StorageUnavailable

logger = logging.getLogger("onestop_tayninh.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"

# slug → (status, title): the problem types, also served at /api/v1/problems/<slug> (views.problem_type).
PROBLEM_TYPES: dict[str, tuple[int, Any]] = {
    "invalid-request": (400, gettext_lazy("Yêu cầu không hợp lệ")),
    "unauthenticated": (401, gettext_lazy("Chưa xác thực")),
    "forbidden": (403, gettext_lazy("Không có quyền")),
    "not-found": (404, gettext_lazy("Không tìm thấy")),
    "method-not-allowed": (405, gettext_lazy("Phương thức không được hỗ trợ")),
    "not-acceptable": (406, gettext_lazy("Không trả được định dạng yêu cầu")),
    "conflict": (409, gettext_lazy("Hồ sơ đã thay đổi")),
    "too-large": (413, gettext_lazy("Nội dung yêu cầu quá lớn")),
    "unsupported-media-type": (415, gettext_lazy("Định dạng nội dung không được hỗ trợ")),
    "refused": (422, gettext_lazy("Yêu cầu bị từ chối theo quy định nghiệp vụ")),
    "rate-limited": (429, gettext_lazy("Vượt giới hạn số lượt gọi")),
    "storage-unavailable": (503, gettext_lazy("Kho lưu trữ tệp tạm thời chưa sẵn sàng")),
    "database-unavailable": (503, gettext_lazy("Hệ thống đang tạm thời gián đoạn")),
}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("Nội dung yêu cầu vượt quá giới hạn cho phép.")
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Hồ sơ đã thay đổi từ lần đọc trước; hãy đọc lại rồi thử lại.")
    default_code = "conflict"


class Refused(exceptions.APIException):
    """A service's ValidationError: the input was well formed, the rules refuse it."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("Yêu cầu bị từ chối theo quy định nghiệp vụ.")
    default_code = "refused"


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail flattened to dotted field paths: {"applicant.cccd": ["…"]}."""
    errors: dict[str, list[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and value and all(isinstance(item, dict | list) for item in value):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}" if path else str(index))
        else:
            errors.setdefault(path or "non_field_errors", []).extend(_messages(value))

    walk(detail, "")
    return errors


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): list(map(str, messages))
            for key, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(message) for message in exc.messages]}


def problem(
    slug: str,
    *,
    detail: str,
    instance: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    code, title = PROBLEM_TYPES[slug]
    body: dict[str, Any] = {"type": f"{PROBLEM_BASE}{slug}", "title": str(title), "status": code, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return Response(body, status=code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


_SLUG_BY_STATUS = {code: slug for slug, (code, _title) in PROBLEM_TYPES.items()}


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, StaleDossier):
        return problem("conflict", detail=" ".join(exc.messages), instance=instance)
    if isinstance(exc, StorageUnavailable):
        # Raised inside the service's transaction: it rolled back, nothing was created.
        return problem(
            "storage-unavailable",
            detail=_("Kho lưu trữ tệp đang tạm thời gián đoạn; chưa có gì được ghi nhận. Hãy thử lại sau ít phút."),
            instance=instance,
            headers={"Retry-After": "120"},
        )
    if database_unreachable(exc):
        logger.warning("api_database_unreachable path=%s error=%r", instance, exc)
        return problem(
            "database-unavailable",
            detail=_(
                "Cơ sở dữ liệu đang khởi động lại hoặc chuyển máy chủ; hãy gửi lại sau ít giây "
                "(tạo hồ sơ: với cùng Idempotency-Key)."
            ),
            instance=instance,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        return problem("refused", detail=" ".join(_messages(errors)), instance=instance, errors=errors)
    if isinstance(exc, Http404):
        return problem(
            "not-found",
            detail=_("Không tìm thấy tài nguyên, hoặc hệ thống không được xem tài nguyên này."),
            instance=instance,
        )
    if isinstance(exc, DjangoPermissionDenied):
        return problem(
            "forbidden", detail=str(exc) or _("Hệ thống không được thực hiện thao tác này."), instance=instance
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
        detail = _("Hệ thống đã gọi quá số lượt cho phép; hãy thử lại sau %(seconds)s giây.") % {
            "seconds": headers["Retry-After"]
        }
        return problem("rate-limited", detail=detail, instance=instance, headers=headers)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        view = context.get("view")
        header = view.get_authenticate_header(request) if view is not None and request is not None else None
        return problem(
            "unauthenticated",
            detail=str(exc.detail),
            instance=instance,
            headers={"WWW-Authenticate": header or 'Bearer realm="api"'},
        )
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        return problem(
            "invalid-request",
            detail=_("Dữ liệu gửi lên không hợp lệ; xem chi tiết từng trường trong “errors”."),
            instance=instance,
            errors=errors,
        )
    if isinstance(exc, exceptions.ParseError):
        return problem(
            "invalid-request",
            detail=_("Nội dung không phải JSON hợp lệ: %(detail)s") % {"detail": exc.detail},
            instance=instance,
        )
    if isinstance(exc, exceptions.MethodNotAllowed):
        return problem(
            "method-not-allowed",
            detail=_("Phương thức %(method)s không được hỗ trợ ở địa chỉ này.")
            % {"method": request.method if request else ""},
            instance=instance,
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return problem(
            "unsupported-media-type",
            detail=_(
                "Định dạng nội dung không được hỗ trợ; hãy gửi application/json (hoặc multipart/form-data khi tải tệp)."
            ),
            instance=instance,
        )
    if isinstance(exc, exceptions.NotAcceptable):
        return problem("not-acceptable", detail=_("API chỉ trả về application/json."), instance=instance)
    if isinstance(exc, exceptions.NotFound):
        return problem("not-found", detail=str(exc.detail), instance=instance)
    if isinstance(exc, exceptions.PermissionDenied):
        return problem("forbidden", detail=str(exc.detail), instance=instance)
    slug = _SLUG_BY_STATUS.get(exc.status_code, "invalid-request")
    return problem(slug, detail=" ".join(_messages(exc.detail)), instance=instance)
