from django.contrib import admin
from django.urls import include, path

from onestop_tayninh.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("desk/", admin.site.urls),
    path("desk/rq/", include("django_rq.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("onestop_tayninh.portal.urls")),
]
