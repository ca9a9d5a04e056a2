from django.urls import path

from . import views

app_name = "zalo"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
]
