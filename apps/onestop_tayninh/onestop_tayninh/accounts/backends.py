"""Login of citizen accounts by phone number, e-mail address, CCCD or tax code.

Only the portal's login form asks this backend (it passes `portal=True`); the desk's login
never reaches it, so a citizen's phone number and password open nothing in the desk, and a
citizen account (is_staff False) is refused there by the admin site in any case.
django-axes' backend runs first and refuses locked-out accounts and addresses.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from .models import User
from .selectors import citizen_candidates


class CitizenBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        portal: bool = False,
        **kwargs: Any,
    ) -> User | None:
        if not portal or not username or password is None:
            return None
        candidates = citizen_candidates(username)
        if not candidates:
            # Hash once anyway, so an unknown identifier takes as long as a wrong password.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    def user_can_authenticate(self, user: User) -> bool:
        return user.is_active

    def get_user(self, user_id: int) -> User | None:
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
