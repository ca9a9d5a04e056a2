from django.contrib import admin
from django.urls import include, path

from onestop_tayninh.core.views import favicon, healthz, metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Prometheus, for the monitoring networks only (404 to anyone else); the name is how the latency
    # middleware leaves it out of its own figures.
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", favicon),
    # Before "desk/": the admin's catch-all would answer 404 for anything under it.
    path("desk/xac-thuc/", include("onestop_tayninh.security.urls")),
    path("desk/rq/", include("onestop_tayninh.core.monitoring.rq_urls")),
    # Printed forms and the register (printing app), before the desk's catch-all too.
    path("desk/in/", include("onestop_tayninh.printing.urls")),
    path("desk/thong-bao/", include("onestop_tayninh.notifications.urls")),
    path("desk/giam-sat/", include("onestop_tayninh.core.monitoring.urls")),
    # The payments desk pages (counter, after-appraisal requests, refunds), before the catch-all.
    path("desk/thu-phi/", include("onestop_tayninh.payments.desk_urls")),
    # A dossier's Zalo conversation and photos, before the catch-all.
    path("desk/zalo/", include("onestop_tayninh.zalo.desk_urls")),
    # The periodic statistical reports (reports app), before the evaluation's pages and the catch-all.
    path("desk/danh-gia/thong-ke/", include("onestop_tayninh.reports.statistics_urls")),
    # Evaluation and supervision: dashboards, urging, statistical reports (reports app).
    path("desk/danh-gia/", include("onestop_tayninh.reports.desk_urls")),
    path("desk/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The citizen's Zalo links, before the accounts' pages it sits among.
    path("tai-khoan/zalo/", include("onestop_tayninh.zalo.portal_urls")),
    path("tai-khoan/", include("onestop_tayninh.accounts.urls")),
    path("thanh-toan/", include("onestop_tayninh.payments.urls")),
    # Zalo OA events (the webhook), before the portal's catch-all.
    path("zalo/", include("onestop_tayninh.zalo.urls")),
    # Citizens' feedback and recommendations (PAKN), before the portal's catch-all.
    path("phan-anh-kien-nghi/", include("onestop_tayninh.feedback.urls")),
    # The HTTP API for the province's other systems (api app), before the portal's catch-all.
    path("api/v1/", include("onestop_tayninh.api.urls")),
    path("danh-gia-chat-luong/", include("onestop_tayninh.reports.public_urls")),
    path("", include("onestop_tayninh.portal.urls")),
]

# Error pages in Vietnamese for the portal and the desk (templates/400.html … 500.html).
handler400 = "onestop_tayninh.core.views.bad_request"
handler403 = "onestop_tayninh.core.views.permission_denied"
handler404 = "onestop_tayninh.core.views.page_not_found"
handler500 = "onestop_tayninh.core.views.server_error"
