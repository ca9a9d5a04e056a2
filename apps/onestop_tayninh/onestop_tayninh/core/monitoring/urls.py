"""Include before the desk's catch-all: path("desk/giam-sat/", include("onestop_tayninh.core.monitoring.urls"))."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "monitoring"
# admin_view: the desk's login redirect, CSRF protection and no caching, like every desk page.
urlpatterns = [
    path("", admin.site.admin_view(views.overview), name="overview"),
    path("<slug:name>/chay-ngay/", admin.site.admin_view(views.run_now), name="run_now"),
]
