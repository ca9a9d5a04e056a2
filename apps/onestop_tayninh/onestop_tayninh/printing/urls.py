from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("ho-so/<int:dossier_id>/", views.document_list, name="document_list"),
    path("ho-so/<int:dossier_id>/mau/<slug:kind>/", views.form_print, name="form_print"),
    path("ho-so/<int:dossier_id>/van-ban/<int:document_id>/", views.document_download, name="document_download"),
    path("so-theo-doi/", views.register, name="register"),
]
