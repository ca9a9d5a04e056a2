"""The desk's one search box (dossiers/search.py): each shape an official types finds the dossier from the
index, the index follows the applicant data, the set-based fill writes what a save writes, and an empty
answer says what was searched and what is near; text that is no search gets a Vietnamese answer."""

import io

import pytest

from django.contrib.auth.models import Permission
from django.db import connection

from onestop_tayninh.dossiers.models import Dossier, DossierSearchTerm
from onestop_tayninh.dossiers.search import (
    SearchRejected,
    dossier_terms,
    fill_index_sql,
    parse,
    rebuild_index,
    suggest,
)
from onestop_tayninh.dossiers.services import dossier_accept
from tests.factories import OfficialFactory

from .conftest import local
from .helpers import complete_dossier, start

pytestmark = pytest.mark.django_db


def _desk_user(user):
    user.user_permissions.add(Permission.objects.get(codename="view_dossier", content_type__app_label="dossiers"))
    return user


@pytest.fixture
def people(world):
    an = dossier_accept(
        dossier=complete_dossier(world, full_name="Nguyễn Văn An", cccd="072090001234", phone="0912345678"),
        officer=world["officer"],
        at=local(2026, 12, 4, 9, 30),
    )
    ha = start(world, full_name="Trần Thị Thu Hà", cccd="072190005678", phone="0987654321")
    hong = start(world, full_name="Lê Thị Hồng", cccd="072190009999", phone="0933111222")
    return {"an": an, "ha": ha, "hong": hong}


def found(text):
    return list(Dossier.objects.search(text))


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("Nguyễn", ["an"]),  # a family name alone
        ("nguyen", ["an"]),
        ("Thu Hà", ["ha"]),  # middle + given name
        ("thi thu ha", ["ha"]),
        ("TRẦN THỊ THU HÀ", ["ha"]),
        ("Hồng", ["hong"]),  # any word of the name
        ("thi", ["hong", "ha"]),  # a middle name is a word of the name too (newest first)
        ("le thi h", ["hong"]),  # the last word still being typed
        ("0912345678", ["an"]),  # a phone number
        ("5678", ["ha", "an"]),  # the last digits: Hà's CCCD, An's phone
        ("072190009999", ["hong"]),  # a whole CCCD
        ("09999", ["hong"]),  # part of a CCCD (its end)
        ("0912 345 678", ["an"]),
    ],
)
def test_each_shape_of_the_box_finds_the_dossier(people, text, who):
    assert found(text) == [people[name] for name in who], text


def test_the_end_of_a_code_finds_the_dossier(people):
    code = people["an"].code
    tail = "-".join(code.rsplit("-", 2)[1:])
    assert found(tail) == [people["an"]]
    assert found(tail.split("-")[0] + "-") == [people["an"]]  # every dossier of that day
    assert found(code) == [people["an"]]


def test_the_index_follows_a_change_of_the_applicant_data(people):
    dossier = people["hong"]
    dossier.full_name = "Lê Thị Hồng Nhung"
    dossier.phone = "0977000111"
    dossier.save()
    assert found("nhung") == [dossier]
    assert found("0933111222") == []
    assert set(DossierSearchTerm.objects.filter(dossier=dossier).values_list("term", flat=True)) == dossier_terms(
        dossier
    )


def test_the_set_based_fill_writes_what_saving_writes(people, world):
    start(world, full_name="Công ty TNHH Minh-Phát (chi nhánh)", cccd="072090004444", phone="0911222333")
    written = set(DossierSearchTerm.objects.values_list("term", "dossier_id"))
    expected = {(term, d.pk) for d in Dossier.objects.all() for term in dossier_terms(d)}
    assert written == expected
    DossierSearchTerm.objects.all().delete()
    with connection.cursor() as cursor:
        fill_index_sql(cursor)
    assert set(DossierSearchTerm.objects.values_list("term", "dossier_id")) == expected
    DossierSearchTerm.objects.all().delete()
    assert rebuild_index() == Dossier.objects.count()
    assert set(DossierSearchTerm.objects.values_list("term", "dossier_id")) == expected


def test_search_keeps_the_row_level_rule(people):
    stranger = OfficialFactory(roles=["receiving_officer"])
    assert list(Dossier.objects.visible_to(stranger.user).search("nguyen")) == []
    query = parse("nguyen van")
    assert suggest(Dossier.objects.visible_to(stranger.user), query) == []


@pytest.mark.parametrize("text", ["x" * 500, "!!! ... ---", "12"])
def test_text_that_is_no_search_is_refused_in_vietnamese(text):
    with pytest.raises(SearchRejected) as problem:
        parse(text)
    assert any(word in str(problem.value) for word in ("ký tự", "chữ", "chữ số"))


def test_an_empty_answer_says_what_was_searched_and_suggests_near_matches(client, people, world):
    client.force_login(_desk_user(world["officer"]))
    page = client.get("/desk/dossiers/dossier/", {"q": "Nguyễn Văn Anh"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Không tìm thấy hồ sơ nào" in text
    assert "nguyen van anh" in text  # what was searched, folded
    assert "?q=nguyen+van" in text or "?q=nguyen%20van" in text  # the family and middle name still find An
    day = people["an"].code.rsplit("-", 2)[1]
    text = client.get("/desk/dossiers/dossier/", {"q": f"{day}-0099"}).content.decode()
    assert "mã hồ sơ có đuôi" in text and people["an"].code.rsplit("-", 2)[1] in text
    assert f"{day}-0001" in text  # the nearest number of that day


@pytest.mark.parametrize("text", ["x" * 500, "!!!???"])
def test_desk_answers_bad_search_with_a_message_and_changes_nothing(client, people, world, text):
    client.force_login(_desk_user(world["officer"]))
    before = list(DossierSearchTerm.objects.values_list("term", "dossier_id").order_by("term", "dossier_id"))
    response = client.get("/desk/dossiers/dossier/", {"q": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="search-note problem"' in page
    assert "Hãy nhập" in page
    assert list(response.context["cl"].result_list) == []
    assert list(DossierSearchTerm.objects.values_list("term", "dossier_id").order_by("term", "dossier_id")) == before


def test_desk_search_lists_newest_first(client, people, world):
    client.force_login(_desk_user(world["officer"]))
    response = client.get("/desk/dossiers/dossier/", {"q": "thi"})
    assert list(response.context["cl"].result_list) == [people["hong"], people["ha"]]


@pytest.mark.parametrize("options", [[], ["--sql"]])
def test_the_rebuild_command_restores_a_lost_index(people, options):
    from django.core.management import call_command

    expected = set(DossierSearchTerm.objects.values_list("term", "dossier_id"))
    DossierSearchTerm.objects.filter(dossier=people["an"]).delete()
    call_command("rebuild_search_index", *options, stdout=io.StringIO())
    assert set(DossierSearchTerm.objects.values_list("term", "dossier_id")) == expected
