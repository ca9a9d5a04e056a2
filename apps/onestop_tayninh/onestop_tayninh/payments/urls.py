from django.urls import path

from . import portal_views, views

app_name = "payments"

urlpatterns = [
    path("ipn/<slug:provider>/", views.notification, name="notification"),
    path("ket-qua/<slug:provider>/", portal_views.payment_return, name="return"),
    path("<str:reference>/", portal_views.pay, name="pay"),
    path("<str:reference>/bien-lai/", portal_views.receipt_download, name="receipt"),
]
