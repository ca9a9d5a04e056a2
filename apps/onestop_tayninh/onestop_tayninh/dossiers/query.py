import re

from django.db.models import Exists, OuterRef, Q, QuerySet

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet, visible_agency_id_list
from onestop_tayninh.core.text import fold

CODE_LIKE = re.compile(r"^\d{3}\.[\d.A-Za-z-]*$")


class DossierQuerySet(AgencyScopedQuerySet):
    """Dossiers follow their agencies (the rule itself is core.rowlevel): a dossier belongs to every
    agency it is or was at (its receiving agency, every agency it was handed to or consulted, see
    DossierAccess), and is seen besides by the official it is assigned to."""

    def rows_at(self, agency_ids, user):
        from .models import DossierAccess

        # The same agencies as `agency_ids`, as constants: a join to agencies and units inside the
        # EXISTS, per dossier row, is far slower at a million dossiers.
        access = DossierAccess.objects.filter(dossier=OuterRef("pk"), agency_id__in=visible_agency_id_list(user))
        return Exists(access) | Q(assigned_to=user)

    def open(self):
        return self.filter(status="received", closed_at__isnull=True)

    def with_reuse(self):
        """Dossiers with at least one reused component: the reuse indicator's numerator (docs/domain.md §9)."""
        from .models import DossierDocument

        return self.filter(Exists(DossierDocument.objects.reused().filter(dossier=OuterRef("pk"))))

    def overdue(self, *, at):
        return self.open().filter(due_at__lt=at, paused_at__isnull=True)

    def search(self, text: str):
        """The desk's search box, every branch an index range, so it stays fast at millions of rows:

        - 12 digits: the applicant's CCCD;
        - something shaped like a dossier code (digits and dots or dashes): codes starting with it;
        - one word: the given name starting with it ("dao" finds Lê Thị Đào);
        - several words: the full name starting with them ("le thi d" finds Lê Thị Đào).
        Names are compared folded (no diacritics, lower case), so diacritics are optional.
        """
        text = (text or "").strip()
        if not text:
            return self
        if text.isdigit() and len(text) == 12:
            return self.filter(cccd=text)
        # istartswith, not startswith: Django writes the latter as LIKE BINARY, which MariaDB will not
        # answer from an index. The folded columns are lower case with a binary collation already.
        if CODE_LIKE.match(text):
            return self.filter(code__istartswith=text)
        folded = fold(text)
        if " " not in folded:
            return self.filter(search_given__istartswith=folded)
        return self.filter(search_name__istartswith=folded)


# Where a reused document came from: the citizen's vault (online or at the desk with consent), an
# earlier dossier's component, or a result issued earlier (dossiers.reuse).
REUSE_LINKS = ("reused_from", "reused_document", "reused_result")


class DossierDocumentQuerySet(QuerySet):
    def reused(self):
        """Documents attached from what the state already held instead of a new upload or scan."""
        condition = Q()
        for name in REUSE_LINKS:
            condition |= Q(**{f"{name}__isnull": False})
        return self.filter(condition)
