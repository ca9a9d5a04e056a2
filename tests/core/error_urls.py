"""The project's URLs plus two views that fail, to see the error pages as a visitor would."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from onestop_tayninh.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("a forged request")


urlpatterns = [path("hong/", broken), path("desk/hong/", broken), path("dang-ngo/", suspicious), *urlpatterns]
