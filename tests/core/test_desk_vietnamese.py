"""The desk in plain Vietnamese: permissions named from their codename and model, procedures listed by
name, read-only JSON read as text, django-rq's English pages out of the desk."""

import pytest

from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.permissions import permission_names_translate
from onestop_tayninh.directory.services import roles_ensure
from tests.factories import OfficialFactory, ProcedureVersionFactory, make_publishable

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(OfficialFactory(roles=["system_admin"]).user)
    return client


def permission(label: str) -> Permission:
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_permissions_are_stored_with_vietnamese_names():
    assert permission("dossiers.add_dossier").name == "Thêm hồ sơ"
    assert permission("directory.view_agency").name == "Xem cơ quan"
    assert permission("catalog.delete_fee").name == "Xóa phí, lệ phí"
    # A permission of the model's own keeps its name; the libraries' get ours.
    assert permission("catalog.publish_procedureversion").name == "Được công bố thủ tục"
    assert permission("django_rq.admin").name == "Mở trang theo dõi tác vụ nền"
    assert permission("axes.view_accessattempt").name == "Xem lần đăng nhập sai"
    assert permission("otp_totp.change_totpdevice").name == "Sửa ứng dụng xác thực"
    assert not Permission.objects.filter(name__startswith="Can ").exists()


def test_each_migrate_names_a_new_permission_in_vietnamese_and_leaves_the_rest():
    """Django creates a new model's permissions as "Can add …" after each migrate; ours renames them."""
    added = permission("dossiers.add_dossier")
    Permission.objects.filter(pk=added.pk).update(name="Can add hồ sơ")
    dossiers = apps.get_app_config("dossiers")
    assert permission_names_translate(dossiers) == 1
    assert permission("dossiers.add_dossier").name == "Thêm hồ sơ"
    assert permission_names_translate(dossiers) == 0


def test_the_role_editor_lists_permissions_by_their_vietnamese_names(admin_client):
    roles_ensure()
    group = permission("dossiers.view_dossier").group_set.first()
    Permission.objects.filter(codename="view_dossier").update(name="Can view hồ sơ")  # a database not yet migrated
    page = admin_client.get(f"/desk/auth/group/{group.pk}/change/").content.decode()
    assert "Hồ sơ thủ tục hành chính › Xem hồ sơ" in page
    assert "Chống dò mật khẩu › Xem lần đăng nhập sai" in page
    assert "Can " not in page and "Axes" not in page


def test_procedures_are_listed_with_their_names(admin_client, django_assert_max_num_queries):
    published = procedure_version_publish(
        version=make_publishable(ProcedureVersionFactory(complete=True, name="Đăng ký kết hôn"))
    )
    ProcedureVersionFactory(procedure=published.procedure, number=2, name="Đăng ký kết hôn (sửa đổi)")
    ProcedureVersionFactory(name="Cấp bản sao trích lục hộ tịch")
    with django_assert_max_num_queries(13):
        page = admin_client.get("/desk/catalog/procedure/").content.decode()
    # The published version's name while a draft is edited; a procedure with only a draft, its draft's.
    assert "Đăng ký kết hôn" in page and "Đăng ký kết hôn (sửa đổi)" not in page
    assert "Cấp bản sao trích lục hộ tịch" in page and "Bản nháp" in page and "Đang công bố" in page
    versions = admin_client.get(f"/desk/catalog/procedure/{published.procedure.pk}/change/").content.decode()
    assert (
        "Đăng ký kết hôn (sửa đổi)" in versions and f"/desk/catalog/procedureversion/{published.pk}/change/" in versions
    )


def test_a_published_version_reads_as_text_not_json(admin_client):
    version = make_publishable(ProcedureVersionFactory(complete=True, level=3, tiers=["district", "commune"]))
    EFormField.objects.filter(version=version).update(rules={"max_length": 100})
    version = procedure_version_publish(version=version)
    page = admin_client.get(f"/desk/catalog/procedureversion/{version.pk}/change/").content.decode()
    assert "Cấp huyện, Cấp xã" in page
    assert "Trực tiếp tại Bộ phận Một cửa, Qua bưu chính công ích, Trực tuyến" in page
    assert "Cá nhân" in page and "dài tối đa: 100" in page
    for raw in ("district", "commune", "max_length", "individual"):  # the stored codes, as JSON showed them
        assert f"&quot;{raw}&quot;" not in page and f'"{raw}"' not in page


def test_a_draft_keeps_its_checkboxes(admin_client):
    version = ProcedureVersionFactory(complete=True)
    page = admin_client.get(f"/desk/catalog/procedureversion/{version.pk}/change/").content.decode()
    assert 'type="checkbox" name="tiers" value="commune"' in page and "checked" in page


def test_django_rqs_entry_leads_to_the_desks_monitoring_page(admin_client):
    response = admin_client.get("/desk/django_rq/dashboard/")
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:overview")
    with pytest.raises(NoReverseMatch):  # its second, staff-only copy of the queue dashboard is gone
        reverse("admin:django_rq_home")


def test_json_reads_as_labels_and_lines_with_html_escaped():
    from onestop_tayninh.core.admin import json_as_text

    assert json_as_text(["desk", "<b>"], {"desk": "Trực tiếp"}) == "Trực tiếp, &lt;b&gt;"
    assert (
        json_as_text({"rows": [1, 2], "ok": True})
        == '<ul class="readable-json"><li>rows: 1, 2</li><li>ok: Có</li></ul>'
    )
    assert json_as_text([]) == json_as_text(None) == "—"


def test_the_menu_is_built_once_per_set_of_permissions_and_follows_a_permission_change(client, monkeypatch):
    from django.contrib import admin

    from onestop_tayninh.core.desk import DeskSite

    built = []
    original = admin.AdminSite.get_app_list
    monkeypatch.setattr(
        admin.AdminSite,
        "get_app_list",
        lambda site, request, app_label=None: built.append(1) or original(site, request),
    )
    monkeypatch.setattr(admin.site, "_app_lists", {})
    assert isinstance(admin.site, DeskSite)
    official = OfficialFactory(roles=["receiving_officer"]).user
    client.force_login(official)

    page = client.get("/desk/")
    assert page.status_code == 200 and len(built) == 1  # the page's list and the side menu share it
    names = [app["name"] for app in page.context["app_list"]]
    assert names == [app["name"] for app in page.context["available_apps"]]
    assert "Authentication and Authorization" not in names and "Django_Rq" not in names
    assert "/desk/security/auditevent/" not in page.content.decode()

    client.get("/desk/")
    assert len(built) == 1  # the same permissions: the same menu, not built again

    # A permission granted in the desk gives another menu on the next page, with the model it opens.
    official.groups.first().permissions.add(permission("security.view_auditevent"))
    page = client.get("/desk/")
    assert len(built) == 2 and "/desk/security/auditevent/" in page.content.decode()


def test_the_menus_are_drawn_once_per_menu_and_page_and_mark_the_page_they_are_on(client, monkeypatch):
    from django.contrib import admin

    monkeypatch.setattr(admin.site, "_app_lists", {})
    monkeypatch.setattr(admin.site, "_drawn_menus", {})
    official = OfficialFactory(roles=["receiving_officer"]).user
    client.force_login(official)
    dossiers, agencies = "/desk/dossiers/dossier/", "/desk/directory/agency/"

    def menu(response) -> tuple[bool, str]:
        drawn = "admin/app_list.html" in [template.name for template in response.templates]
        html = response.content.decode()
        return drawn, html[html.index('id="nav-sidebar"') : html.index("</nav>", html.index('id="nav-sidebar"'))]

    drawn, first = menu(client.get(dossiers))
    assert drawn and f'<a href="{dossiers}" aria-current="page">' in first
    drawn, again = menu(client.get(dossiers + "?hop=phan-cong"))
    assert not drawn and again == first  # the same menu and page kind: kept, not drawn again
    drawn, other = menu(client.get(agencies))
    assert drawn and f'<a href="{agencies}" aria-current="page">' in other
    assert (
        f'<a href="{dossiers}" aria-current="page">' not in other and 'class="model-dossier current-model"' not in other
    )

    # The home page's list of the same entries, with their links: drawn once too.
    home = client.get("/desk/")
    assert "admin/app_list.html" in [template.name for template in home.templates]
    assert f'<a href="{dossiers}" class="viewlink"' in home.content.decode()
    again = client.get("/desk/")
    assert "admin/app_list.html" not in [template.name for template in again.templates]
    assert again.content.decode().count(f'href="{dossiers}"') == home.content.decode().count(f'href="{dossiers}"')

    # A permission granted in the desk gives another menu, drawn with the model it opens.
    official.groups.first().permissions.add(permission("security.view_auditevent"))
    drawn, granted = menu(client.get(dossiers))
    assert drawn and "/desk/security/auditevent/" in granted and "/desk/security/auditevent/" not in first
    assert "/desk/security/auditevent/" in client.get("/desk/").content.decode()
