"""The project's URLs plus the notification views, as the lead will wire them (see README)."""

from django.urls import include, path

from onestop_tayninh.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("desk/thong-bao/", include("onestop_tayninh.notifications.urls")), *project_urlpatterns]
