from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.SubscriberList.as_view(), name="subscribers"),
    path("<int:subscriber_id>/", views.SubscriberDetail.as_view(), name="subscriber"),
    path("<int:subscriber_id>/rotate-secret/", views.SubscriberRotateSecret.as_view(), name="rotate_secret"),
    path("<int:subscriber_id>/deliveries/", views.DeliveryList.as_view(), name="deliveries"),
    path(
        "<int:subscriber_id>/deliveries/<int:delivery_id>/replay/",
        views.DeliveryReplay.as_view(),
        name="replay",
    ),
]
