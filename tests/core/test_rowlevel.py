"""The row-level rule is stated once (core.rowlevel): the desk list, the inbox, the helper for
aggregates and every scoped model agree on what each official sees."""

import datetime as dt
from pathlib import Path

import pytest

from django.db.models import Q

from onestop_tayninh.core.rowlevel import visible_agency_id_list, visible_agency_ids
from onestop_tayninh.directory.models import Agency, Role
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import inbox
from tests.notifications.conftest import assign
from tests.workflows import conftest as workflows
from tests.workflows.conftest import VN, receive, user

pytestmark = pytest.mark.django_db
world = workflows.world  # the demo province, as a fixture of this module

APP = Path(__file__).resolve().parents[2] / "apps" / "onestop_tayninh" / "onestop_tayninh"
# Where a scope is defined (the directory's roles), read (the user's widest role) and applied (the rule).
SCOPE_HOMES = {
    "core/rowlevel.py",
    "directory/constants.py",
    "directory/models.py",
    "directory/roles.py",
    "directory/selectors.py",
    "accounts/models.py",
}
SCOPE_WORDS = ["RoleScope.UNIT", "RoleScope.AGENCY", "RoleScope.ALL", "access_scope(", "unit__path__startswith"]
# Far past both dossiers' due dates: every open dossier is overdue, so the overdue bucket is everything visible.
LATE = dt.datetime(2027, 12, 1, 9, 0, tzinfo=VN)
USERS = ["tiepnhan.tinh", "lanhdao.tuphap", "chuyenvien.tuphap", "lanhdao.khdt", "dieuphoi.tinh", "quantri"]


def test_the_scope_logic_is_written_only_in_core_rowlevel():
    found = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative in SCOPE_HOMES or "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{relative}: {word}" for word in SCOPE_WORDS if word in text]
    assert found == []


@pytest.fixture
def dossiers(world):
    # One dossier handed to Sở Tư pháp and assigned there, one still at the provincial centre.
    return {assign(receive(world)).pk, receive(world, procedure="land").pk}


def _by_the_helper(someone):
    """The dossiers of the agencies the helper names (a subquery), plus those assigned to the user."""
    agency_ids = visible_agency_ids(someone, dossiers=True)
    if agency_ids is None:
        return set(Dossier.objects.values_list("pk", flat=True))
    found = Dossier.objects.filter(Q(access__agency_id__in=agency_ids) | Q(assigned_to=someone))
    return set(found.values_list("pk", flat=True))


@pytest.mark.parametrize("username", USERS)
def test_the_desk_list_the_inbox_and_the_helper_agree(client, dossiers, username):
    Role.objects.filter(code="system_admin").update(requires_two_factor=False)  # rows here, not login
    someone = user(username)
    visible = set(Dossier.objects.visible_to(someone).values_list("pk", flat=True))
    assert set(inbox(user=someone, bucket="qua-han", at=LATE).values_list("pk", flat=True)) == visible
    assert _by_the_helper(user(username)) == visible

    client.force_login(someone)
    listing = client.get("/desk/dossiers/dossier/")
    if username == "quantri":
        # Separation of duties: the system administrator configures, and has no dossier list to open.
        assert listing.status_code == 403 and visible == set()
        return
    assert listing.status_code == 200
    assert {row.pk for row in listing.context["cl"].queryset} == visible


@pytest.mark.parametrize("username", USERS)
def test_agencies_and_the_helper_agree(world, username):
    someone = user(username)
    agency_ids = visible_agency_ids(someone)
    expected = Agency.objects.all() if agency_ids is None else Agency.objects.filter(pk__in=agency_ids)
    assert set(Agency.objects.visible_to(someone)) == set(expected)
    listed = visible_agency_id_list(user(username))
    assert listed is None if agency_ids is None else set(listed) == set(agency_ids)


def test_who_sees_what(dossiers):
    seen = {name: set(Dossier.objects.visible_to(user(name)).values_list("pk", flat=True)) for name in USERS}
    assert seen["tiepnhan.tinh"] == seen["dieuphoi.tinh"] == dossiers
    assert seen["quantri"] == set()  # the system administrator configures and reads no dossier
    assert len(seen["lanhdao.tuphap"]) == 1 and seen["lanhdao.tuphap"] == seen["chuyenvien.tuphap"]
    assert seen["lanhdao.khdt"] == set()


def test_a_citizen_and_an_inactive_official_see_nothing(dossiers, django_user_model):
    citizen = django_user_model.objects.create_user("congdan.rowlevel", password="x", kind="citizen")
    assert not Dossier.objects.visible_to(citizen).exists()
    assert list(visible_agency_ids(citizen)) == []
    official = user("tiepnhan.tinh")
    official.is_active = False
    assert not Dossier.objects.visible_to(official).exists()


def test_an_assigned_official_sees_the_dossier_outside_their_agencies(dossiers):
    other = Dossier.objects.exclude(assigned_to__isnull=False).get()
    stranger = user("lanhdao.khdt")
    Dossier.objects.filter(pk=other.pk).update(assigned_to=stranger)
    assert list(Dossier.objects.visible_to(stranger)) == [other]
    assert list(Dossier.objects.visible_in_list_to(stranger)) == [other]


@pytest.mark.parametrize("username", [*USERS, "congdan"])
def test_the_long_lists_form_of_the_rule_leaves_the_same_dossiers(dossiers, django_user_model, username):
    """DossierQuerySet.visible_in_list_to (the desk's list) reads from the agencies' side: the same rows,
    an assignment outside the official's agencies included."""
    other = Dossier.objects.exclude(assigned_to__isnull=False).get()
    Dossier.objects.filter(pk=other.pk).update(assigned_to=user("lanhdao.khdt"))
    if username == "congdan":
        someone = django_user_model.objects.create_user("congdan.rowlevel", password="x", kind="citizen")
    else:
        someone = user(username)
    expected = set(Dossier.objects.visible_to(someone).values_list("pk", flat=True))
    assert set(Dossier.objects.visible_in_list_to(someone).values_list("pk", flat=True)) == expected
    assert Dossier.objects.visible_in_list_to(someone).count() == len(expected)
