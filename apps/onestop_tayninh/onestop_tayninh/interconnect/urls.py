from django.urls import path

from . import views

app_name = "interconnect"

urlpatterns = [
    path("", views.HandoverList.as_view(), name="handovers"),
    path("<str:code>/result", views.HandoverResult.as_view(), name="result"),
]
