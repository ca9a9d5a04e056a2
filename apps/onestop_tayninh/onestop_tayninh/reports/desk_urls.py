"""Include before the desk's catch-all: path("desk/danh-gia/", include("onestop_tayninh.reports.desk_urls"))."""

from django.contrib import admin
from django.urls import path

from . import desk_views

app_name = "reports"
urlpatterns = [
    path("", admin.site.admin_view(desk_views.overview), name="dashboard"),
]
