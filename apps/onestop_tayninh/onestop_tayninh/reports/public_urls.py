"""Include before the portal's catch-all: path("danh-gia-chat-luong/", include("onestop_tayninh.reports.public_urls"))."""

from django.urls import path

from . import public_views

app_name = "quality"
urlpatterns = [
    path("", public_views.quality, name="public"),
    path("co-quan/<int:pk>/", public_views.body, name="body"),
]
