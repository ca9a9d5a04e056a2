from django.urls import path

from . import desk_views

app_name = "payments_desk"

urlpatterns = [
    path("ho-so/<int:dossier_id>/", desk_views.dossier_payments, name="dossier"),
    path("<int:order_id>/thu-tai-quay/", desk_views.counter_payment, name="counter"),
    path("bien-lai/<int:receipt_id>/", desk_views.receipt_download, name="receipt"),
]
