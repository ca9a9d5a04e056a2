from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView

from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views

app_name = "api"

urlpatterns = [
    # The token endpoint (client credentials only, OAUTH2_PROVIDER in the settings).
    path("oauth/token/", csrf_exempt(TokenView.as_view()), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its script as a file of ours (the split view): the site's CSP allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("problems/<slug:slug>", views.ProblemType.as_view(), name="problem_type"),
    path("procedures/", views.ProcedureList.as_view(), name="procedures"),
    path("procedures/<str:code>/", views.ProcedureDetail.as_view(), name="procedure"),
    path("procedures/<str:code>/versions/", views.ProcedureVersionList.as_view(), name="procedure_versions"),
    path("dossiers/", views.DossierList.as_view(), name="dossiers"),
    path("dossiers/<int:pk>/", views.DossierDetail.as_view(), name="dossier"),
    path("dossiers/<int:pk>/events/", views.DossierEvents.as_view(), name="dossier_events"),
    path("dossiers/<int:pk>/actions/", views.DossierActions.as_view(), name="dossier_actions"),
    path("dossiers/<int:pk>/decision/", views.DossierDecision.as_view(), name="dossier_decision"),
    path("dossiers/<int:pk>/documents/", views.DossierDocuments.as_view(), name="dossier_documents"),
    path("dossiers/<int:pk>/result/", views.DossierResult.as_view(), name="dossier_result"),
    path("lookup/", views.DossierLookup.as_view(), name="lookup"),
    path("indicators/", views.Indicators.as_view(), name="indicators"),
    # Hand-overs between installations (the interconnect app).
    path("handovers/", include("onestop_tayninh.interconnect.urls")),
    # A connected system's own webhook subscribers (the webhooks app).
    path("webhooks/", include("onestop_tayninh.webhooks.urls")),
    re_path(r"^.*$", views.UnknownAddress.as_view(), name="not_found"),
]
