"""Include before the desk's catch-all: path("desk/danh-gia/thong-ke/", include("onestop_tayninh.reports.statistics_urls"))."""

from django.contrib import admin
from django.urls import path

from . import statistics_views as views

app_name = "statistics"

# admin_view: the desk's login redirect, CSRF protection and no caching, like every desk page.
desk = admin.site.admin_view
urlpatterns = [
    path("", desk(views.statistics_page), name="page"),
    path("<int:report_id>/", desk(views.statistics_report), name="report"),
    path("<int:report_id>/tai-ve/<slug:file_format>/", desk(views.statistics_report_download), name="download"),
]
