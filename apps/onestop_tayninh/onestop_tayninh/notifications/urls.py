"""Include before the desk's catch-all: path("desk/thong-bao/", include("onestop_tayninh.notifications.urls"))."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("<int:pk>/da-doc/", views.mark_read, name="mark_read"),
    path("da-doc-tat-ca/", views.mark_all_read, name="mark_all_read"),
]
