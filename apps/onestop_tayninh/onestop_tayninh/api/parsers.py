"""Request bodies: JSON up to a size, read no further; duplicate keys and NaN refused."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from django.conf import settings
from django.utils.translation import gettext as _

from onestop_tayninh.security.uploads import max_upload_bytes

from .problems import RequestTooLarge

# Room for the form fields and multipart framing around one file at the upload limit.
MULTIPART_OVERHEAD = 256 * 1024


def _declared_length(parser_context: dict[str, Any] | None) -> int:
    request = (parser_context or {}).get("request")
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        return 0


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("khóa “%(key)s” lặp lại") % {"key": key})
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(_("giá trị %(name)s không hợp lệ trong JSON") % {"name": name})


class LimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        limit = int(settings.ONESTOP_API_MAX_JSON_BYTES)
        if _declared_length(parser_context) > limit:
            raise RequestTooLarge(_("Nội dung JSON vượt quá %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(_("Nội dung JSON vượt quá %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
        try:
            return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            # The parser's own words are English: the client is told where, in Vietnamese.
            raise ParseError(
                _("sai cú pháp ở dòng %(line)s, cột %(col)s") % {"line": exc.lineno, "col": exc.colno}
            ) from exc
        except UnicodeDecodeError as exc:
            raise ParseError(_("nội dung không được mã hóa UTF-8")) from exc
        except ValueError as exc:
            # _no_duplicates and _no_constant, already in Vietnamese.
            raise ParseError(str(exc)) from exc


class LimitedMultiPartParser(MultiPartParser):
    """A file upload: refused before reading when it declares more than the upload gate accepts."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        limit = max_upload_bytes() + MULTIPART_OVERHEAD
        if _declared_length(parser_context) > limit:
            raise RequestTooLarge(_("Tệp vượt quá %(mb)s MB.") % {"mb": max_upload_bytes() // (1024 * 1024)})
        return super().parse(stream, media_type, parser_context)
