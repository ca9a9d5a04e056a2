from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("tra-cuu/", views.public_lookup, name="lookup"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.submit_start, name="submit_start"),
    path("thu-tuc/<str:code>/bieu-mau/<int:document_id>/", views.procedure_template, name="procedure_template"),
]
