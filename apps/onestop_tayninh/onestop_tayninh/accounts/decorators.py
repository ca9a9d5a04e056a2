"""Access rules for the citizen side of the portal."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from .constants import AccountKind


def citizen_required(view):
    """Only a logged-in citizen account; anyone else is sent to the portal's login page.

    An official's session gets a 404 rather than a citizen page: officials see dossiers in
    the desk, through the row-level rule, never through the citizen's pages.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            if request.method == "POST":
                messages.warning(request, _("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại để tiếp tục."))
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        if user.kind != AccountKind.CITIZEN:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
