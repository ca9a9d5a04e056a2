from django.urls import path

from . import applicant_views, citizen_views, verify_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("tra-cuu/", views.public_lookup, name="lookup"),
    path("xac-minh-ket-qua/", verify_views.verify_result, name="verify_result"),
    # The applicant without an account: the receipt's signed link (QR code) and the desk's rating kiosk.
    path("ho-so/<str:token>/", applicant_views.applicant_dossier, name="applicant_dossier"),
    path("ho-so/<str:token>/danh-gia/", applicant_views.applicant_rate, name="applicant_rate"),
    path("ho-so/<str:token>/ket-qua/", applicant_views.applicant_result, name="applicant_result"),
    path("quay/<str:desk_code>/danh-gia/", applicant_views.kiosk, name="kiosk"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", citizen_views.submit_start, name="submit_start"),
    path("thu-tuc/<str:code>/bieu-mau/<int:document_id>/", views.procedure_template, name="procedure_template"),
    path(
        "thu-tuc/<str:code>/bieu-mau/<int:document_id>/word/",
        views.procedure_template,
        {"word": True},
        name="procedure_template_docx",
    ),
    # The citizen's own pages (login required; only their own records).
    path("nop-ho-so/<int:draft_id>/", citizen_views.draft_edit, name="draft"),
    path("nop-ho-so/<int:draft_id>/xoa/", citizen_views.delete_draft, name="draft_delete"),
    path("nop-ho-so/<int:draft_id>/tep/<int:file_id>/", citizen_views.draft_file, name="draft_file"),
    path("ho-so-cua-toi/", citizen_views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<int:dossier_id>/", citizen_views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<int:dossier_id>/bo-sung/", citizen_views.supplement_upload, name="supplement_upload"),
    path("ho-so-cua-toi/<int:dossier_id>/bo-sung/gui/", citizen_views.supplement_submit, name="supplement_submit"),
    path("ho-so-cua-toi/<int:dossier_id>/rut/", citizen_views.withdraw, name="withdraw"),
    path("ho-so-cua-toi/<int:dossier_id>/danh-gia/", citizen_views.rate, name="rate"),
    path(
        "ho-so-cua-toi/<int:dossier_id>/giay-to/<int:document_id>/",
        citizen_views.dossier_document,
        name="dossier_document",
    ),
    path(
        "ho-so-cua-toi/<int:dossier_id>/van-ban/<int:document_id>/",
        citizen_views.generated_document,
        name="generated_document",
    ),
    path("ho-so-cua-toi/<int:dossier_id>/ket-qua/", citizen_views.result_download, name="result"),
    path("thong-bao/", citizen_views.notices, name="notices"),
    path("thong-bao/<int:message_id>/mo/", citizen_views.notice_open, name="notice_open"),
    path("thong-bao/da-xem-tat-ca/", citizen_views.notices_read_all, name="notices_read_all"),
    path("kho-du-lieu/", citizen_views.vault, name="vault"),
    path("kho-du-lieu/<int:document_id>/", citizen_views.vault_download, name="vault_download"),
    path("kho-du-lieu/chia-se/", citizen_views.vault_consent, name="vault_consent"),
    path("kho-du-lieu/theo-cccd/<int:document_id>/", citizen_views.tied_document_download, name="tied_document"),
    path("kho-du-lieu/theo-cccd/ket-qua/<int:dossier_id>/", citizen_views.tied_result_download, name="tied_result"),
]
