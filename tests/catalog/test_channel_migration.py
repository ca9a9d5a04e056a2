"""Migration 0004 respells the walk-in method of stored procedures: "in_person" becomes "desk"."""

import importlib

import pytest

from django.apps import apps

from onestop_tayninh.catalog.models import ProcedureVersion
from tests.factories import ProcedureVersionFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("onestop_tayninh.catalog.migrations.0004_channel_desk")


def test_stored_in_person_methods_become_desk_and_back():
    version = ProcedureVersionFactory()
    ProcedureVersion.objects.filter(pk=version.pk).update(
        submission_methods=["in_person", "post", "online"], return_methods=["post"]
    )
    migration.forwards(apps, None)
    version.refresh_from_db()
    assert (version.submission_methods, version.return_methods) == (["desk", "post", "online"], ["post"])
    migration.backwards(apps, None)
    version.refresh_from_db()
    assert version.submission_methods == ["in_person", "post", "online"]
