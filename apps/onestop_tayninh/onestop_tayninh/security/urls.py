from django.urls import path

from . import views

app_name = "security"

# Mounted under the desk prefix (see onestop_tayninh/urls.py): /desk/xac-thuc/...
urlpatterns = [
    path("", views.otp_verify, name="otp_verify"),
    path("dang-ky/", views.otp_enrol, name="otp_enrol"),
]
