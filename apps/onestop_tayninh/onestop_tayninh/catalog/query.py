from django.db import models

from onestop_tayninh.core.text import fold

from .constants import VersionStatus


class ProcedureVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=VersionStatus.PUBLISHED)

    def search(self, text: str):
        """Match every word of `text` in the name or code, with or without diacritics.

        Both sides are folded (see core.text.fold), so "dang ky khai sinh",
        "ĐĂNG KÝ khai sinh" and "đăng ký khai sinh" all find "Đăng ký khai sinh".
        """
        query = self
        for word in fold(text).split():
            query = query.filter(search_text__contains=word)
        return query
