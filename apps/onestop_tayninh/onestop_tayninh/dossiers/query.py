from django.db.models import Exists, OuterRef, Q

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet
from onestop_tayninh.core.text import fold


class DossierQuerySet(AgencyScopedQuerySet):
    """Dossiers follow their agencies: an official sees a dossier that is or was at their agency
    (its receiving agency, every agency it was handed to or consulted, see DossierAccess) or
    that is assigned to them; coordinators see those of every agency in their unit and below."""

    agency_lookup = "receiving_agency"

    def visible_to(self, user):
        from onestop_tayninh.directory.constants import RoleScope

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
            access = DossierAccess.objects.filter(
                dossier=OuterRef("pk"), agency__unit__path__startswith=official.agency.unit.path
            )
        else:
            access = DossierAccess.objects.filter(dossier=OuterRef("pk"), agency_id=official.agency_id)
        return self.filter(Exists(access) | Q(assigned_to=user))

    def open(self):
        return self.filter(status="received", closed_at__isnull=True)

    def overdue(self, *, at):
        return self.open().filter(due_at__lt=at, paused_at__isnull=True)

    def search(self, text: str):
        """Dossier code, 12-digit CCCD, or every word of the applicant's name with or without diacritics."""
        text = (text or "").strip()
        if not text:
            return self
        if text.isdigit() and len(text) == 12:
            return self.filter(cccd=text)
        by_code = self.filter(code__icontains=text)
        by_name = self
        for word in fold(text).split():
            by_name = by_name.filter(search_name__contains=word)
        return by_code | by_name
