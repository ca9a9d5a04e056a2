"""The API's webhook operations: a connected system registers and manages its own subscribers.

Each row belongs to the client that created it (`Subscriber.api_client`): another client's rows, and
the desk's, answer 404 as if they did not exist. Writes go through the services the desk uses; a
subscriber is never deleted (its deliveries stay as the record of what was sent): DELETE pauses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from django.http import Http404
from django.utils import timezone

from onestop_tayninh.api.constants import Scope
from onestop_tayninh.api.pagination import NewestFirstCursorPagination
from onestop_tayninh.api.views import ApiView

from . import selectors, services
from .models import Subscriber
from .serializers import (
    DeliverySerializer,
    SubscriberSerializer,
    SubscriberWithSecretSerializer,
    SubscriberWriteSerializer,
    with_secret,
)

if TYPE_CHECKING:
    from onestop_tayninh.api.models import ApiClient


class WebhookView(ApiView):
    required_scopes = {"*": Scope.WEBHOOKS_MANAGE}
    pagination_class = NewestFirstCursorPagination

    @property
    def client(self) -> ApiClient:
        client: ApiClient = self.request._request.api_client  # type: ignore[attr-defined]
        return client

    def own_subscriber(self, pk: int) -> Subscriber:
        subscriber = selectors.client_subscriber(self.client, pk)
        if subscriber is None:
            raise Http404
        return subscriber


class SubscriberList(WebhookView):
    serializer_class = SubscriberSerializer

    @extend_schema(
        operation_id="webhooks_list",
        summary="Các đăng ký nhận sự kiện của hệ thống",
        responses=SubscriberSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.client_subscribers(self.client))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Đăng ký nhận sự kiện hồ sơ (khóa bí mật chỉ trả về lần này)",
        request=SubscriberWriteSerializer,
        responses={201: SubscriberWithSecretSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = SubscriberWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscriber, secret = services.subscriber_create(
            name=data["name"],
            url=data["url"],
            event_kinds=data["event_kinds"],
            agencies=data["agencies"],
            active=data["active"],
            at=timezone.now(),
            api_client=self.client,
        )
        return Response(with_secret(self.own_subscriber(subscriber.pk), secret), status=status.HTTP_201_CREATED)


class SubscriberDetail(WebhookView):
    serializer_class = SubscriberSerializer

    @extend_schema(operation_id="webhooks_retrieve", summary="Một đăng ký nhận sự kiện")
    def get(self, request: Request, subscriber_id: int) -> Response:
        return Response(self.get_serializer(self.own_subscriber(subscriber_id)).data)

    @extend_schema(
        operation_id="webhooks_partial_update",
        summary="Sửa đăng ký: chỉ các trường gửi lên được thay đổi",
        request=SubscriberWriteSerializer(partial=True),
        responses={200: SubscriberSerializer},
    )
    def patch(self, request: Request, subscriber_id: int) -> Response:
        subscriber = self.own_subscriber(subscriber_id)
        serializer = SubscriberWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        services.subscriber_update(
            subscriber=subscriber,
            name=data.get("name", subscriber.name),
            url=data.get("url", subscriber.url),
            event_kinds=data.get("event_kinds", subscriber.event_kinds),
            agencies=data.get("agencies", list(subscriber.agencies.all())),
            active=data.get("active", subscriber.active),
        )
        return Response(self.get_serializer(self.own_subscriber(subscriber_id)).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Ngừng nhận sự kiện (đăng ký được giữ lại cùng lịch sử gửi, ở trạng thái tạm ngừng)",
        responses={204: None},
    )
    def delete(self, request: Request, subscriber_id: int) -> Response:
        services.subscriber_set_active(subscriber=self.own_subscriber(subscriber_id), active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriberRotateSecret(WebhookView):
    serializer_class = SubscriberWithSecretSerializer

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        summary="Đổi khóa bí mật (khóa mới chỉ trả về lần này)",
        request=None,
        responses={200: SubscriberWithSecretSerializer},
    )
    def post(self, request: Request, subscriber_id: int) -> Response:
        subscriber = self.own_subscriber(subscriber_id)
        secret = services.subscriber_rotate_secret(subscriber=subscriber, at=timezone.now())
        return Response(with_secret(self.own_subscriber(subscriber_id), secret))


class DeliveryList(WebhookView):
    serializer_class = DeliverySerializer

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary="Các lượt gửi sự kiện của một đăng ký, mới nhất trước",
        responses=DeliverySerializer(many=True),
    )
    def get(self, request: Request, subscriber_id: int) -> Response:
        deliveries = selectors.subscriber_deliveries(self.own_subscriber(subscriber_id))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DeliveryReplay(WebhookView):
    serializer_class = DeliverySerializer

    @extend_schema(
        operation_id="webhooks_deliveries_replay",
        summary="Gửi lại một lượt gửi (cùng mã lượt gửi, cùng nội dung, chữ ký mới)",
        request=None,
        responses={200: DeliverySerializer},
    )
    def post(self, request: Request, subscriber_id: int, delivery_id: int) -> Response:
        delivery = selectors.subscriber_delivery(self.own_subscriber(subscriber_id), delivery_id)
        if delivery is None:
            raise Http404
        replayed = services.delivery_replay(delivery=delivery, at=timezone.now())
        return Response(self.get_serializer(replayed).data)
