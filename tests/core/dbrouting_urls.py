"""The project's URLs plus three small views that exercise core.dbrouting from inside a request."""

import uuid

from django.db import connections
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from onestop_tayninh.core.dbrouting import REPLICA, reads_from_replica
from onestop_tayninh.core.models import Task
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.urls import urlpatterns as project_urlpatterns


def _task() -> Task:
    now = timezone.now()
    return Task.objects.create(func="tests.noop", dedupe_key=uuid.uuid4().hex, next_attempt_at=now, created_at=now)


@csrf_exempt
def write(request):
    """Any page that writes: the user's next pages read from the primary."""
    return HttpResponse(str(_task().pk))


@reads_from_replica
def read_write_read(request):
    before = Agency.objects.count()
    task = _task()
    # Read after write, in the same request: must see the row just written.
    seen = Task.objects.filter(pk=task.pk).exists()
    return HttpResponse(f"{before} {seen}")


@reads_from_replica
def replica_lost_midway(request):
    """Reads once from the replica, then the replica's connection is killed (as a restart would)."""
    count = Agency.objects.count()
    replica = connections[REPLICA]
    if replica.connection is not None:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"KILL {int(replica.connection.thread_id())}")
        count = Agency.objects.count()
    return HttpResponse(str(count))


urlpatterns = [
    path("_kiem-thu/ghi/", write),
    path("_kiem-thu/doc-ghi-doc/", read_write_read),
    path("_kiem-thu/mat-ban-sao/", replica_lost_midway),
    *project_urlpatterns,
]
