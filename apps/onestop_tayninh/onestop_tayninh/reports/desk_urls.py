"""Include before the desk's catch-all: path("desk/danh-gia/", include("onestop_tayninh.reports.desk_urls"))."""

from django.contrib import admin
from django.urls import path

from . import desk_views

app_name = "reports"
urlpatterns = [
    path("", admin.site.admin_view(desk_views.overview), name="dashboard"),
    path("don-doc/", admin.site.admin_view(desk_views.urging_list), name="urgings"),
    path("don-doc/moi/", admin.site.admin_view(desk_views.urging_new), name="urging_new"),
    path("don-doc/<int:pk>/", admin.site.admin_view(desk_views.urging_detail), name="urging"),
]
