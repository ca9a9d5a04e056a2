from django.urls import path

from . import desk_views

app_name = "zalo_desk"

urlpatterns = [
    path("ho-so/<int:dossier_id>/", desk_views.dossier_conversation, name="dossier"),
    path("anh/<int:photo_id>/", desk_views.photo_view, name="photo"),
]
