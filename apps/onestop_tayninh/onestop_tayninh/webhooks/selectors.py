"""Reads of the webhooks app for the API: a connected system sees only the subscribers it registered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Delivery, Subscriber

if TYPE_CHECKING:
    from onestop_tayninh.api.models import ApiClient


def client_subscribers(client: ApiClient) -> QuerySet[Subscriber]:
    """The subscribers `client` registered through the API (never the desk's, never another client's)."""
    return Subscriber.objects.filter(api_client=client).prefetch_related("agencies")


def client_subscriber(client: ApiClient, pk: int) -> Subscriber | None:
    return client_subscribers(client).filter(pk=pk).first()


def subscriber_deliveries(subscriber: Subscriber) -> QuerySet[Delivery]:
    """One subscriber's deliveries (the API pages them newest first by id)."""
    return Delivery.objects.filter(subscriber=subscriber)


def subscriber_delivery(subscriber: Subscriber, pk: int) -> Delivery | None:
    return subscriber_deliveries(subscriber).filter(pk=pk).first()
