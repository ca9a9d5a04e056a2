import re

from django.db.models import Exists, OuterRef, Q

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet
from onestop_tayninh.core.text import fold

CODE_LIKE = re.compile(r"^\d{3}\.[\d.A-Za-z-]*$")


class DossierQuerySet(AgencyScopedQuerySet):
    """Dossiers follow their agencies: an official sees a dossier that is or was at their agency
    (its receiving agency, every agency it was handed to or consulted, see DossierAccess) or
    that is assigned to them; coordinators see those of every agency in their unit and below."""

    agency_lookup = "receiving_agency"

    def visible_to(self, user):
        from onestop_tayninh.directory.constants import RoleScope
        from onestop_tayninh.directory.models import Agency

        from .models import DossierAccess

        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.access_scope()
        if scope == RoleScope.ALL:
            return self
        official = getattr(user, "official", None)
        if official is None:
            return self.none()
        if scope == RoleScope.UNIT:
            # The unit's agencies as a short id list: a join to units per dossier row is far slower.
            agencies = list(
                Agency.objects.filter(unit__path__startswith=official.agency.unit.path).values_list("pk", flat=True)
            )
            access = DossierAccess.objects.filter(dossier=OuterRef("pk"), agency_id__in=agencies)
        else:
            access = DossierAccess.objects.filter(dossier=OuterRef("pk"), agency_id=official.agency_id)
        return self.filter(Exists(access) | Q(assigned_to=user))

    def open(self):
        return self.filter(status="received", closed_at__isnull=True)

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
