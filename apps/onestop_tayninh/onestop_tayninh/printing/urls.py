"""Include before the desk's catch-all: path("desk/in/", include("onestop_tayninh.printing.urls"))."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "printing"

# admin_view: the desk's login redirect, CSRF protection and no caching, like every desk page.
desk = admin.site.admin_view
urlpatterns = [
    path("ho-so/<int:dossier_id>/", desk(views.document_list), name="document_list"),
    path("ho-so/<int:dossier_id>/mau/<slug:kind>/", desk(views.form_print), name="form_print"),
    path("ho-so/<int:dossier_id>/van-ban/<int:document_id>/", desk(views.document_download), name="document_download"),
    path("so-theo-doi/", desk(views.register), name="register"),
    path("so-theo-doi/<int:export_id>/", desk(views.register_export), name="register_export"),
    path("so-theo-doi/<int:export_id>/tai-ve/", desk(views.register_export_download), name="register_export_download"),
]
