import re

from django.db.models import Case, DateTimeField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet, reads_dossiers, visible_agency_id_list

from .constants import ONLINE_CHANNELS, DossierStatus

CODE_LIKE = re.compile(r"^\d{3}\.[\d.A-Za-z-]*$")


def queue_priority() -> list[OrderBy]:
    """The first sort keys of every queue of the desk (docs/domain.md §5.3): online dossiers still in hand
    come before the others, and among those waiting for the desk's check the one whose check time ends
    first comes first. Whatever order an official picks follows these keys."""
    in_hand = Q(
        channel__in=ONLINE_CHANNELS,
        status__in=(DossierStatus.TO_CHECK, DossierStatus.RECEIVED),
        closed_at__isnull=True,
    )
    online_first = Case(When(in_hand, then=Value(0)), default=Value(1), output_field=IntegerField())
    waiting_check = Case(
        When(Q(channel__in=ONLINE_CHANNELS, status=DossierStatus.TO_CHECK), then=F("check_due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return [online_first.asc(), waiting_check.asc(nulls_last=True)]


class DossierQuerySet(AgencyScopedQuerySet):
    """Dossiers follow their agencies (the rule itself is core.rowlevel): a dossier belongs to every
    agency it is or was at (its receiving agency, every agency it was handed to or consulted, see
    DossierAccess), and is seen besides by the official it is assigned to. They are citizens' data: only
    the roles that read dossiers reach them (separation of duties, core.rowlevel)."""

    citizen_data = True

    def rows_at(self, agency_ids, user):
        from .models import DossierAccess

        # The same agencies as `agency_ids`, as constants: a join to agencies and units inside the
        # EXISTS, per dossier row, is far slower at a million dossiers.
        access = DossierAccess.objects.filter(
            dossier=OuterRef("pk"), agency_id__in=visible_agency_id_list(user, dossiers=True)
        )
        return Exists(access) | Q(assigned_to=user)

    def visible_in_list_to(self, user):
        """The rows visible_to(user) leaves, written for a long list: the desk's list of every dossier an
        official sees. There `EXISTS(access) OR assigned_to = me` is tested on each of a million rows
        (counting and sorting a large agency's 50,000 dossiers took 1.3 s at the bench); here the dossiers
        are read from the agencies' side, as a semi-join on DossierAccess's (agency, dossier) index, and
        the few assigned to the official outside those agencies are added as a list of ids, read now
        (none but by exception). For one request's list: the ids are not kept."""
        from .models import DossierAccess

        if not reads_dossiers(user):
            return self.none()
        agencies = visible_agency_id_list(user, dossiers=True)
        if agencies is None:  # every agency
            return self
        at_agencies = DossierAccess.objects.filter(agency_id__in=agencies).values("dossier_id")
        elsewhere = list(
            self.model.objects.filter(assigned_to=user).exclude(pk__in=at_agencies).values_list("pk", flat=True)
        )
        reached = Q(pk__in=at_agencies) | Q(pk__in=elsewhere) if elsewhere else Q(pk__in=at_agencies)
        return self.filter(reached)

    def open(self):
        return self.filter(status="received", closed_at__isnull=True)

    def with_reuse(self):
        """Dossiers with at least one reused component: the reuse indicator's numerator (docs/domain.md §9)."""
        from .models import DossierDocument

        return self.filter(Exists(DossierDocument.objects.reused().filter(dossier=OuterRef("pk"))))

    def online_first(self):
        """This queue in the desk's order: `queue_priority()`, then the order it had (newest first by default)."""
        ordering = list(self.query.order_by) or list(self.model._meta.ordering)
        return self.order_by(*queue_priority(), *ordering)

    def overdue(self, *, at):
        return self.open().filter(due_at__lt=at, paused_at__isnull=True)

    def search(self, text: str, *, user=None):
        """The desk's search box (dossiers/search.py): a name, the end of a code, a phone number or CCCD
        (or its last digits), a whole code; answered from the search index, newest first. Raises
        search.SearchRejected for text that is no search (too long, only punctuation). With `user`, the
        index is walked within the agencies they may see (this queryset must already be visible_to(user))."""
        from .search import search

        return search(self, text, user=user)


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


class TrackedImportQuerySet(AgencyScopedQuerySet):
    """Spreadsheets of tracked dossiers: citizens' data, reached as dossiers are (core.rowlevel)."""

    citizen_data = True
