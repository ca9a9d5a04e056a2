"""The desk in plain Vietnamese: every page the administrator reaches, walked in a browser at 1366 px."""

import re

import pytest

from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from onestop_tayninh.directory.models import Official
from tests.workflows.conftest import receive, world  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "desk-vi"

# Django's admin in English: the words that show through when a translation is missing. Matched as
# whole words, so "Go" does not match inside "Google" and "Add" not inside "Address".
ENGLISH = [
    "Select",
    "to change",
    "to view",
    "Add",
    "Save and",
    "Save",
    "Delete",
    "History",
    "Filter",
    "Search",
    "Action:",
    "Go",
    "Show all",
    "Clear all filters",
    "Recent actions",
    "My actions",
    "Log out",
    "View site",
    "View on site",
    "Change password",
    "Documentation",
    "Welcome",
    "Home",
    "Django administration",
    "Django site admin",
    "Django-RQ",
    "Django_Rq",
    "Axes",
    "Otp_Totp",
    "Otp_Static",
    "Sessions",
    "access attempt",
    "TOTP device",
    "Change",
    "Close",
    "Available",
    "Chosen",
    "Choose all",
    "Remove all",
    "Today",
    "Now",
    "Yes",
    "No",
    "Unknown",
    "All",
    "By",
    "Currently",
    "selected",
    "results",
    "total",
    "None",
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "Run the selected action",
]
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(phrase) for phrase in ENGLISH) + r")(?![\w-])")

RAW_JSON = re.compile(r'[\[{]\s*"[^"\n]*"\s*[:,\]]')

# Everything a person reads on a page: its visible text, the <title>, button captions, tool tips,
# placeholders and the options of select boxes (closed, so not in the visible text).
PAGE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) parts.push(el.value);
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
    parts.push(el.getAttribute('title') || '', el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || '');
  }
  for (const el of document.querySelectorAll('select option')) parts.push(el.textContent);
  return parts.join('\\n');
}"""


# Pages saved for a person to look at: the index, a list with its filters, the role editor, a form
# with two-box selectors, a published procedure read as text, the procedures by name.
LOOKED_AT = {
    "index": "index",
    "directory.agency.changelist": "agency-list",
    "auth.group.change": "role-permissions",
    "directory.official.change": "official-form",
    "catalog.procedureversion.change": "published-procedure",
    "catalog.procedure.changelist": "procedure-list",
    "security.auditevent.changelist": "audit-list",
}


def desk_urls(user) -> dict[str, str]:
    """Each changelist, add form and change form (one row per model) the user may open, built from the
    desk's registry: {name: url}."""
    request = RequestFactory().get("/desk/")
    request.user = user
    urls = {"index": reverse("admin:index"), "password_change": reverse("admin:password_change")}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"{opts.app_label}.{opts.model_name}"
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls[f"{name}.changelist"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if model_admin.has_add_permission(request):
            urls[f"{name}.add"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        if not opts.managed:  # django-rq's dashboard entry: no table, its page is the monitoring one
            continue
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            urls[f"{name}.change"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
    # The history page is one template for every model: one of them is enough.
    group = Group.objects.order_by("pk").first()
    urls["auth.group.history"] = reverse("admin:auth_group_history", args=[group.pk])
    return urls


def test_every_desk_page_the_administrator_reaches_is_in_vietnamese(
    live_server,
    official_login,
    screenshot,
    world,  # noqa: F811
):
    receive(world)
    administrator = Official.objects.get(user__username="quantri").user
    urls = desk_urls(administrator)
    assert len(urls) > 40

    context, page = official_login("quantri")
    english: dict[str, set[str]] = {}
    titles = {}
    json = {}
    for name, url in urls.items():
        response = page.goto(f"{live_server.url}{url}")  # "load": the two-box selectors are drawn by then
        assert response.status == 200, url
        if name in LOOKED_AT:
            screenshot(page, f"{SHOTS}-{LOOKED_AT[name]}")
        text = page.evaluate(PAGE_TEXT)
        # Each English phrase with a little of its surroundings, so a failure says where it is.
        found = {text[max(0, m.start() - 25) : m.end() + 25].replace("\n", " ") for m in ENGLISH_RE.finditer(text)}
        if found:
            english[url] = found
        # Raw JSON in what a person reads (a list or mapping of quoted strings), outside form inputs.
        shown = page.evaluate("document.body.innerText")
        if RAW_JSON.search(shown):
            json[url] = RAW_JSON.search(shown).group(0)
        if not page.title().endswith("| Một cửa điện tử Tây Ninh"):
            titles[url] = page.title()
    assert english == {}
    assert titles == {}
    assert json == {}
    context.close()
