"""django-rq's dashboard, behind the monitoring permission.

The dashboard can empty queues, delete and re-run jobs; django-rq itself only asks for a
staff account, and every official is staff. So each of its pages goes through the desk's
login (admin_view) and then the same permission as the monitoring page.
"""

from functools import wraps

from django_rq.queues import get_queues_list
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .views import can_monitor

app_name = "django_rq"


def _monitor_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not can_monitor(request.user):
            raise PermissionDenied
        # django-rq looks its queue up by position and fails (a 500) on one that is not configured.
        if "queue_index" in kwargs and not 0 <= int(kwargs["queue_index"]) < len(get_queues_list()):
            raise Http404
        return view(request, *args, **kwargs)

    return admin.site.admin_view(guarded)


urlpatterns = get_api_urlpatterns() + get_admin_urlpatterns(view_wrapper=_monitor_only)
