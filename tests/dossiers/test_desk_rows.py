"""The desk's dossier lists draw their rows themselves (dossiers/templatetags/desk_rows.py): the table must
stay exactly the one Django's `{% result_list %}` draws, and a row reads only the columns it shows."""

import datetime as dt

import pytest

from django.contrib.admin.templatetags.admin_list import result_list
from django.template.loader import get_template
from django.utils import timezone

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_accept
from onestop_tayninh.dossiers.templatetags.desk_rows import dossier_result_list

from .test_online_first import CLERK, local, online, submit_online, user, walk_in, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(online):  # noqa: F811
    """A walk-in, an online dossier waiting for the check, one past its check time, and an accepted one
    overdue: every badge and mark a row can carry."""
    walk_in(online, at=local(2027, 3, 1, 9, 0), name="Khách Quầy <b>")
    submit_online(online, at=local(2027, 3, 1, 10, 0), name="Trực Tuyến Chờ")
    late = submit_online(online, at=local(2027, 3, 1, 8, 0), name="Trực Tuyến Trễ")
    Dossier.objects.filter(pk=late.pk).update(check_due_at=timezone.now() - dt.timedelta(hours=1))
    accepted = dossier_accept(
        dossier=walk_in(online, at=local(2027, 3, 1, 9, 30), name="Đã Nhận"), officer=user(CLERK), at=local(2027, 3, 1)
    )
    Dossier.objects.filter(pk=accepted.pk).update(due_at=timezone.now() - dt.timedelta(days=1))


@pytest.mark.parametrize("query", ["", "?hop=tiep-nhan", "?hop=tiep-nhan&o=1", "?channel__exact=online&q=tr"])
def test_the_rows_are_the_table_djangos_result_list_draws(queue, client, query):
    client.force_login(user(CLERK))
    page = client.get(f"/desk/dossiers/dossier/{query}")
    assert page.status_code == 200
    cl = page.context["cl"]
    assert cl.result_list, "the list is not empty"
    template = get_template("admin/change_list_results.html")
    ours = template.render(dossier_result_list(cl))
    assert ours == template.render(result_list(cl))
    assert ours in page.content.decode()
    if query:  # the list's filters are carried to the dossier page
        assert "/change/?_changelist_filters=" in ours


def test_a_row_reads_only_what_the_list_shows(queue, client):
    client.force_login(user(CLERK))
    rows = client.get("/desk/dossiers/dossier/").context["cl"].result_list
    for row in rows:
        assert {"form_data", "address", "cccd"} <= row.get_deferred_fields()
        assert {"tiers", "steps", "requirements", "legal_basis"} <= row.procedure_version.get_deferred_fields()


def test_the_list_reads_an_officials_dossiers_from_the_agencies_side(queue, client):
    """Not `EXISTS(...) OR assigned_to = me` tested on every dossier of the province (1.3 s for a large
    agency's list at a million dossiers), but a semi-join on the agencies' access rows."""
    client.force_login(user(CLERK))
    sql = str(client.get("/desk/dossiers/dossier/").context["cl"].queryset.query)
    assert "IN (SELECT U0.`dossier_id`" in sql and "dossiers_dossieraccess" in sql
    assert "EXISTS" not in sql and "assigned_to_id" not in sql.split("ORDER BY")[0]
