from __future__ import annotations

import re
from typing import TYPE_CHECKING, Self

from django.db import models

from onestop_tayninh.core.text import fold

from .constants import ONLINE_CATEGORY_LEVELS, VersionStatus

if TYPE_CHECKING:
    # Named as strings in the base classes below, which ruff does not read as annotations.
    from .models import ProcedureVersion  # noqa: F401

# A syllable ending in i or y after its initial consonant ("ký", "lý", "mỹ", "sĩ", "quy"): both
# spellings are in use ("đăng kí" for "đăng ký"), so either finds the other, as a whole word.
_I_OR_Y_SYLLABLE = re.compile(r"^(?:ngh|ch|gh|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])[iy]$")


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def published(self) -> Self:
        return self.filter(status=VersionStatus.PUBLISHED)

    def in_online_category(self, category: str) -> Self:
        """Versions of one Decree 42/2022 class (OnlineCategory), read from their level; none for an unknown one."""
        return self.filter(level__in=ONLINE_CATEGORY_LEVELS.get(category, ()))

    def search(self, text: str) -> Self:
        """Match every word of `text` in the name or code, with or without diacritics.

        Both sides are folded (see core.text.fold), so "dang ky khai sinh",
        "ĐĂNG KÝ khai sinh" and "đăng ký khai sinh" all find "Đăng ký khai sinh"; so does
        "đăng kí khai sinh" (_I_OR_Y_SYLLABLE).
        """
        query = self
        for word in fold(text).split():
            if _I_OR_Y_SYLLABLE.match(word):
                query = query.filter(search_text__regex=rf"(^|[^a-z0-9]){word[:-1]}[iy]([^a-z0-9]|$)")
            else:
                query = query.filter(search_text__contains=word)
        return query
