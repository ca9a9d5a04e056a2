from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from onestop_tayninh.core.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("desk/", admin.site.urls),
    path("desk/rq/", include("django_rq.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
