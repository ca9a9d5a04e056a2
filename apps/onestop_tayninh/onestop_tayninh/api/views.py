"""The API's views: they parse, call a selector or a service as the client's account, and answer.

No business rule lives here: what a client reaches is `visible_to(client.user)`, what it may do is
the engine's own predicates (dossiers.selectors, dossiers.services, dossiers.actions).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.models import DocumentRequirement
from onestop_tayninh.catalog.selectors import published_version
from onestop_tayninh.dossiers import selectors as dossier_selectors
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_decide, dossier_document_add
from onestop_tayninh.security.audit import audit_event, audited_file_response

from . import selectors, services
from .constants import IDEMPOTENCY_HEADER, ApiAuditAction, Scope
from .pagination import NewestFirstCursorPagination
from .parsers import LimitedMultiPartParser
from .problems import PROBLEM_TYPES, problem
from .serializers import (
    ActionSerializer,
    DecisionSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierFilterSerializer,
    DossierSerializer,
    EventSerializer,
    IndicatorQuerySerializer,
    IndicatorsSerializer,
    LookupResultSerializer,
    LookupSerializer,
    ProcedureDetailSerializer,
    ProcedureVersionSerializer,
    TransitionSerializer,
)


class ApiView(GenericAPIView):  # type: ignore[type-arg]
    """Every call: authenticated by token, scope-checked, rate-limited, audited, never cached."""

    required_scopes: dict[str, str] = {}

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        client = getattr(request._request, "api_client", None)
        if client is not None:
            audit_event(
                actor=client.user,
                action=ApiAuditAction.CALL,
                target=client,
                data={
                    "client": client.name,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                },
                request=request._request,
            )
        return response

    @property
    def client_user(self) -> User:
        user: User = self.request.user  # type: ignore[assignment]
        return user

    def filters(self) -> dict[str, Any]:
        serializer = DossierFilterSerializer(data=self.request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def visible_dossier(self, pk: int) -> Dossier:
        dossier = selectors.dossier_for(self.client_user, pk)
        if dossier is None:
            raise Http404
        return dossier


# --- catalogue --------------------------------------------------------------------------------


class ProcedureList(ApiView):
    """The published catalogue of administrative procedures (each procedure's version in force)."""

    required_scopes = {"GET": Scope.PROCEDURES_READ}
    serializer_class = ProcedureVersionSerializer

    def get_queryset(self) -> Any:
        return selectors.catalogue_versions()

    @extend_schema(
        operation_id="procedures_list",
        summary="Danh mục thủ tục đang công bố",
        responses=ProcedureVersionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProcedureDetail(ApiView):
    required_scopes = {"GET": Scope.PROCEDURES_READ}
    serializer_class = ProcedureDetailSerializer

    @extend_schema(operation_id="procedures_retrieve", summary="Thủ tục đang công bố, theo mã")
    def get(self, request: Request, code: str) -> Response:
        version = published_version(code)
        if version is None:
            raise Http404
        return Response(self.get_serializer(version).data)


class ProcedureVersionList(ApiView):
    required_scopes = {"GET": Scope.PROCEDURES_READ}
    serializer_class = ProcedureVersionSerializer

    @extend_schema(
        operation_id="procedures_versions_list",
        summary="Các phiên bản đã công bố của một thủ tục",
        responses=ProcedureVersionSerializer(many=True),
    )
    def get(self, request: Request, code: str) -> Response:
        page = self.paginate_queryset(selectors.procedure_versions(code))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- dossiers ---------------------------------------------------------------------------------


class DossierList(ApiView):
    required_scopes = {"GET": Scope.DOSSIERS_READ, "POST": Scope.DOSSIERS_WRITE}
    serializer_class = DossierSerializer

    @extend_schema(
        operation_id="dossiers_list",
        summary="Hồ sơ hệ thống được xem",
        parameters=[DossierFilterSerializer],
        responses=DossierSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.filters()
        size = filters.get("page_size") or NewestFirstCursorPagination.page_size
        before = dossier_cursor_read(filters.get("cursor"))
        ids = selectors.client_dossier_ids(self.client_user, filters, before=before, size=size + 1)
        rows = selectors.dossiers_by_ids(ids[:size])
        following = None
        if len(ids) > size:
            query = request.query_params.copy()
            query["cursor"] = dossier_cursor(ids[size - 1])
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        results = self.get_serializer(rows, many=True).data
        return Response({"next": following, "previous": None, "results": results})

    @extend_schema(
        operation_id="dossiers_create",
        summary="Tiếp nhận hồ sơ từ phần mềm chuyên ngành",
        request=DossierCreateSerializer,
        responses={201: DossierDetailSerializer, 200: DossierDetailSerializer},
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        serializer = DossierCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        created = services.api_dossier_create(
            client=request._request.api_client,  # type: ignore[attr-defined]
            data=dict(serializer.validated_data),
            at=timezone.now(),
            idempotency_key=key,
            fingerprint=services.request_fingerprint(request.data),
        )
        dossier = self.visible_dossier(created.dossier.pk)
        code = status.HTTP_200_OK if created.replayed else status.HTTP_201_CREATED
        return Response(DossierDetailSerializer(dossier).data, status=code)


def dossier_cursor(before: int) -> str:
    """The list's cursor: the last id of a page, signed, so a client cannot forge a position."""
    return signing.dumps(before, salt=CURSOR_SALT, compress=True)


def dossier_cursor_read(value: str | None) -> int | None:
    if not value:
        return None
    try:
        before = signing.loads(value, salt=CURSOR_SALT)
    except signing.BadSignature as exc:
        raise NotFound(_("Con trỏ trang (cursor) không hợp lệ.")) from exc
    if not isinstance(before, int):
        raise NotFound(_("Con trỏ trang (cursor) không hợp lệ."))
    return before


CURSOR_SALT = "onestop_tayninh.api.dossiers-cursor"


class DossierDetail(ApiView):
    required_scopes = {"GET": Scope.DOSSIERS_READ}
    serializer_class = DossierDetailSerializer

    @extend_schema(operation_id="dossiers_retrieve", summary="Một hồ sơ")
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.visible_dossier(pk)).data)


class EventPagination(NewestFirstCursorPagination):
    ordering = "pk"


class DossierEvents(ApiView):
    required_scopes = {"GET": Scope.DOSSIERS_READ}
    serializer_class = EventSerializer
    pagination_class = EventPagination

    @extend_schema(
        operation_id="dossiers_events_list",
        summary="Lịch sử xử lý hồ sơ, theo thời gian",
        responses=EventSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(selectors.dossier_events(self.visible_dossier(pk)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DossierActions(ApiView):
    required_scopes = {"GET": Scope.DOSSIERS_READ, "POST": Scope.DOSSIERS_WRITE}
    serializer_class = TransitionSerializer
    pagination_class = None

    @extend_schema(
        operation_id="dossiers_actions_list",
        summary="Thao tác hệ thống được thực hiện với hồ sơ lúc này",
        responses=TransitionSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        dossier = self.visible_dossier(pk)
        transitions = dossier_selectors.available_transitions(dossier=dossier, user=self.client_user)
        return Response(self.get_serializer(transitions, many=True).data)

    @extend_schema(
        operation_id="dossiers_actions_create",
        summary="Thực hiện một thao tác của quy trình",
        request=ActionSerializer,
        responses={200: DossierDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = self.visible_dossier(pk)
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignee = None
        if data.get("assignee"):
            assignee = User.objects.filter(pk=data["assignee"], is_active=True, official__isnull=False).first()
            if assignee is None:
                raise ValidationError({"assignee": _("Không có cán bộ này.")})
        dossier_transition(
            dossier=dossier,
            actor=self.client_user,
            transition=data["transition"],
            at=timezone.now(),
            comment=data["comment"],
            expected_version=data["lock_version"],
            assignee=assignee,
        )
        return Response(DossierDetailSerializer(self.visible_dossier(pk)).data)


class DossierDecision(ApiView):
    required_scopes = {"POST": Scope.DOSSIERS_WRITE}
    serializer_class = DecisionSerializer

    @extend_schema(
        operation_id="dossiers_decision_create",
        summary="Kết quả kiểm tra hồ sơ: tiếp nhận, yêu cầu bổ sung hoặc từ chối",
        request=DecisionSerializer,
        responses={200: DossierDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = self.visible_dossier(pk)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dossier_decide(
            dossier=dossier,
            officer=self.client_user,
            decision=data["decision"],
            at=timezone.now(),
            items=data["items"],
            reason=data["reason"],
        )
        return Response(DossierDetailSerializer(self.visible_dossier(pk)).data)


class DossierDocuments(ApiView):
    required_scopes = {"POST": Scope.DOCUMENTS_WRITE}
    serializer_class = DocumentUploadSerializer
    parser_classes = [LimitedMultiPartParser, FormParser]

    @extend_schema(
        operation_id="dossiers_documents_create",
        summary="Tải một giấy tờ lên hồ sơ (kiểm tra loại tệp, dung lượng, mã độc)",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = self.visible_dossier(pk)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requirement = None
        if data.get("requirement"):
            requirement = DocumentRequirement.objects.filter(
                pk=data["requirement"], version_id=dossier.procedure_version_id
            ).first()
            if requirement is None:
                raise ValidationError({"requirement": _("Thành phần này không thuộc thủ tục của hồ sơ.")})
        document = dossier_document_add(
            dossier=dossier, requirement=requirement, file=data["file"], officer=self.client_user, at=timezone.now()
        )
        body = {
            "id": document.pk,
            "requirement": document.requirement_id,
            "name": document.original_name,
            "content_type": document.content_type,
            "size": document.size,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class DossierResult(ApiView):
    required_scopes = {"GET": Scope.DOSSIERS_READ}

    @extend_schema(
        operation_id="dossiers_result_retrieve",
        summary="Tải tệp kết quả (PDF đã ký)",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> Any:
        dossier = self.visible_dossier(pk)
        if not dossier.result_file:
            raise Http404
        return audited_file_response(
            request._request,
            dossier.result_file,
            filename=f"ket-qua-{dossier.code}.pdf",
            target=dossier,
            data={"dossier": dossier.code, "result": True},
            content_type="application/pdf",
        )


class DossierLookup(ApiView):
    """The public look-up (code + the six-digit secret on the receipt), limited to what the client sees."""

    required_scopes = {"GET": Scope.DOSSIERS_READ}
    serializer_class = LookupResultSerializer

    @extend_schema(
        operation_id="lookup_retrieve", summary="Tra cứu hồ sơ theo mã và mã tra cứu", parameters=[LookupSerializer]
    )
    def get(self, request: Request) -> Response:
        query = LookupSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        found = dossier_selectors.public_lookup(
            code=query.validated_data["code"], secret=query.validated_data["secret"]
        )
        if found is None or not Dossier.objects.visible_to(self.client_user).filter(pk=found.pk).exists():
            raise Http404
        body = {
            "code": found.code,
            "procedure_name": found.procedure_version.name,
            "status": found.status,
            "citizen_status": dossier_selectors.citizen_status(found),
            "received_at": found.received_at,
            "due_at": found.due_at,
        }
        return Response(self.get_serializer(body).data)


# --- indicators -----------------------------------------------------------------------------


class Indicators(ApiView):
    """A unit's figures and Decision 766 indicators for a period, as its dashboard shows them, for a unit
    the client's account may see (reports.selectors.unit_for: the dashboard permission and the reach)."""

    required_scopes = {"GET": Scope.INDICATORS_READ}
    serializer_class = IndicatorsSerializer

    @extend_schema(
        operation_id="indicators_retrieve",
        summary="Số liệu và chỉ số đánh giá của một đơn vị trong một kỳ",
        parameters=[IndicatorQuerySerializer],
    )
    def get(self, request: Request) -> Response:
        from onestop_tayninh.reports import periods
        from onestop_tayninh.reports import selectors as reports

        query = IndicatorQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        builders = {
            "month": lambda: periods.month(data["year"], data["month"]),
            "quarter": lambda: periods.quarter(data["year"], data["quarter"]),
            "year": lambda: periods.year(data["year"]),
            "range": lambda: periods.day_range(data["start"], data["end"]),
        }
        try:
            period = builders[data["period"]]()
        except periods.PeriodError as exc:
            raise DrfValidationError({"period": [str(exc)]}) from exc
        pk = data.get("id")
        if data["unit"] == "agency" and pk is None:
            pk = self.client_user.official.agency_id
        try:
            unit = reports.unit_for(self.client_user, data["unit"], None if data["unit"] == "province" else pk)
        except reports.UnitError as exc:
            raise Http404 from exc
        card = reports.unit_scorecard(unit, period)
        figures = reports.slice_figures(unit, period)
        body = {
            "unit": unit.kind,
            "unit_id": unit.pk,
            "unit_name": str(unit.label),
            "period": str(period.label),
            "start": period.start,
            "end": period.end,
            "received": figures["received"],
            "resolved": figures.resolved,
            "on_time": figures.on_time_total,
            "late": figures.late_total,
            "open_at_end": figures.open_at_end,
            "score": card.score,
            "score_100": card.score_100,
            "indicators": [
                {
                    "code": result.indicator.code,
                    "group": result.indicator.group,
                    "name": str(result.indicator.name),
                    "unit": result.indicator.unit,
                    "numerator": result.value.numerator,
                    "denominator": result.value.denominator,
                    "value": result.value.value,
                    "points": result.indicator.points,
                    "score": result.score,
                }
                for result in card.results
            ],
        }
        return Response(self.get_serializer(body).data)


# --- outside the token: the problem types' descriptions, and any unknown address ------------


class ProblemType(GenericAPIView):  # type: ignore[type-arg]
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(exclude=True)
    def get(self, request: Request, slug: str) -> Response:
        if slug not in PROBLEM_TYPES:
            raise Http404
        code, title = PROBLEM_TYPES[slug]
        return Response({"type": slug, "title": str(title), "status": code})


@extend_schema(exclude=True)
class UnknownAddress(GenericAPIView):  # type: ignore[type-arg]
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def _answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return problem("not-found", detail=_("Không có địa chỉ này trong API."), instance=request.get_full_path())

    get = post = put = patch = delete = _answer
