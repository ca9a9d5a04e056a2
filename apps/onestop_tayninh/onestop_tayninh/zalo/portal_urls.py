from django.urls import path

from . import portal_views

app_name = "zalo_portal"

urlpatterns = [
    path("", portal_views.zalo_page, name="page"),
]
