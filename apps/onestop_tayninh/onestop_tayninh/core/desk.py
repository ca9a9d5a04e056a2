"""The officials' desk: Django's admin site, in Vietnamese, with a home page per official."""

from django.contrib import admin
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: How many menus (one per set of permissions and language) a process keeps before starting again.
APP_LISTS_KEPT = 256
#: How many drawn menus (a menu and the entry marked current, 10–30 KB each) a process keeps.
DRAWN_MENUS_KEPT = 512


class DeskSite(admin.AdminSite):
    site_header = _("Hệ thống thông tin một cửa điện tử tỉnh Tây Ninh")
    site_title = _("Một cửa điện tử Tây Ninh")
    index_title = _("Bàn làm việc")
    index_template = "desk/index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists: dict[tuple, list[dict]] = {}
        self._drawn_menus: dict[tuple, SafeString] = {}

    def index(self, request, extra_context=None):
        from onestop_tayninh.directory.models import ReceptionDesk

        from .rowlevel import reads_dossiers

        # The register is printed per reception desk: offered to those who may see one and read its
        # dossiers (not to a system administrator without an official role: separation of duties).
        extra_context = {
            "can_print_register": reads_dossiers(request.user)
            and ReceptionDesk.objects.visible_to(request.user).exists(),
            **(extra_context or {}),
        }
        return super().index(request, extra_context)

    def logout(self, request, extra_context=None):
        """Logs out on POST. A GET (a bookmark, the address typed) gets a page with the "Đăng xuất"
        button instead of Django's empty 405 (logging out by a plain link would let any site do it)."""
        if request.method != "GET":
            return super().logout(request, extra_context)
        request.current_app = self.name
        context = {**self.each_context(request), "title": _("Đăng xuất"), **(extra_context or {})}
        return TemplateResponse(request, "desk/logout.html", context)

    def get_app_list(self, request, app_label=None):
        """The index and the side menu, with Vietnamese names for the libraries' apps and models.

        Built from a permission check per model (about 60 on every desk page), and the same for every user
        with the same permissions: kept per process by what it depends on (the language, the account's
        flags and its permissions, read once per request anyway), so a role or permission changed in the
        desk gives another key at once. Each request gets its own copy of the dicts."""
        key = self._menu_key(request, app_label)
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= APP_LISTS_KEPT:
                self._app_lists.clear()
            app_list = self._app_lists[key] = self._app_list(request, app_label)
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]

    @staticmethod
    def _menu_key(request, app_label=None) -> tuple:
        """What the menu depends on: the app asked for, the language, the account's flags and permissions
        (read once per request by the permission checks anyway)."""
        user = request.user
        return (
            app_label,
            get_language(),
            user.is_active,
            user.is_staff,
            user.is_superuser,
            frozenset(user.get_all_permissions()) if user.is_active else frozenset(),
        )

    def drawn_menu(self, request, apps: list[dict], *, index: bool = False) -> SafeString:
        """The side menu (admin/nav_sidebar.html), or the home page's list of the same entries with their
        links (admin/app_list.html), as drawn for this request's menu and page.

        Drawing sixty entries took about 5 ms of every desk page. What they show depends on the menu
        (get_app_list's key) and on which sections and entries are marked current: those whose address is
        in the page's, the template's own test, made here on the same strings. So each is drawn once per
        menu and marked entries, and kept per process."""
        path = urlencode(request.path)
        marked = frozenset(
            url
            for app in apps
            for url in (app["app_url"], *(model.get("admin_url") for model in app["models"]))
            if url and url in path
        )
        key = (index, self._menu_key(request), marked)
        menu = self._drawn_menus.get(key)
        if menu is None:
            if index:
                context = {"app_list": apps, "show_changelinks": True, "request": request}
                menu = render_to_string("admin/app_list.html", context)
            else:
                menu = render_to_string("admin/nav_sidebar.html", {"available_apps": apps, "request": request})
            if len(self._drawn_menus) >= DRAWN_MENUS_KEPT:
                self._drawn_menus.clear()
            self._drawn_menus[key] = menu
        return menu

    def _app_list(self, request, app_label):
        from .permissions import APP_NAMES, MODEL_NAMES

        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = str(APP_NAMES.get(app["app_label"], app["name"]))
            for model in app["models"]:
                key = f"{app['app_label']}.{model['object_name'].lower()}"
                if key in MODEL_NAMES:
                    model["name"] = str(MODEL_NAMES[key]).capitalize()
        return app_list

    def each_context(self, request):
        context = super().each_context(request)
        official = getattr(request.user, "official", None) if request.user.is_authenticated else None
        context["official"] = official
        return context
