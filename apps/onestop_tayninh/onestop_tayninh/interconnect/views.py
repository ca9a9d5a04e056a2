"""The hand-over API: another installation sends a dossier, or the result of one we sent.

Both calls need the scope handover:write and a connected system declared as a peer installation
(PeerInstallation.api_client). Errors are the api app's problem details.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.api.constants import Scope
from onestop_tayninh.api.parsers import _declared_length, _no_constant, _no_duplicates
from onestop_tayninh.api.problems import RequestTooLarge, problem
from onestop_tayninh.api.views import ApiView

from . import services
from .models import Handover
from .serializers import PackageSerializer, ReceivedSerializer, ResultSerializer


class PackageParser(JSONParser):
    """JSON up to ONESTOP_HANDOVER_MAX_BYTES (a package carries its files, base64)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        limit = int(settings.ONESTOP_HANDOVER_MAX_BYTES)
        message = _("Gói hồ sơ vượt quá %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        if _declared_length(parser_context) > limit:
            raise RequestTooLarge(message)
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(message)
        try:
            return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(str(exc)) from exc


class HandoverList(ApiView):
    required_scopes = {"POST": Scope.HANDOVER_WRITE}
    serializer_class = PackageSerializer
    parser_classes = [PackageParser]

    @extend_schema(
        operation_id="handovers_create",
        summary="Nhận hồ sơ liên thông từ hệ thống một cửa khác (giữ nguyên mã hồ sơ)",
        request=PackageSerializer,
        responses={201: ReceivedSerializer, 200: ReceivedSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PackageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            received = services.handover_receive(
                client=request._request.api_client,
                package=dict(serializer.validated_data),
                at=timezone.now(),
            )
        except services.HandoverConflict as exc:
            return problem("conflict", detail=" ".join(exc.messages), instance=request.get_full_path())
        body = {"code": received.dossier.code, "dossier": received.dossier.pk, "status": received.dossier.status}
        return Response(body, status=status.HTTP_200_OK if received.replayed else status.HTTP_201_CREATED)


class HandoverResult(ApiView):
    required_scopes = {"POST": Scope.HANDOVER_WRITE}
    serializer_class = ResultSerializer
    parser_classes = [PackageParser]

    @extend_schema(
        operation_id="handovers_result_create",
        summary="Nhận kết quả của hồ sơ đã gửi liên thông",
        request=ResultSerializer,
        responses={200: ReceivedSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        serializer = ResultSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            handover = services.handover_result_receive(
                client=request._request.api_client,
                code=code,
                body=dict(serializer.validated_data),
                at=timezone.now(),
            )
        except Handover.DoesNotExist:
            raise Http404 from None
        except services.HandoverConflict as exc:
            return problem("conflict", detail=" ".join(exc.messages), instance=request.get_full_path())
        return Response({"code": handover.code, "dossier": handover.dossier_id, "status": handover.status})
