from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.public_list, name="public"),
    path("gui/", views.submit, name="submit"),
    path("da-gui/", views.sent, name="sent"),
    path("tra-cuu/", views.tracker, name="tracker"),
    # The citizen's own (login required; only their own).
    path("cua-toi/", views.own_list, name="own_list"),
    path("cua-toi/<int:pk>/", views.own, name="own"),
    path("cua-toi/<int:pk>/danh-gia/", views.rate, name="rate"),
    path("cua-toi/<int:pk>/bo-sung/", views.supply, name="supply"),
]
