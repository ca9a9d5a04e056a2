"""The row-level rule, in one place: which records an official may see.

The rule has two halves, and both are written here only:

1. **The user's reach** (`access_scope`, `visible_agency_ids`): which agencies' records a user may
   see, from the scope of their roles (see `directory.Role.scope`):
   - all: system administrators see everything (`visible_agency_ids` answers None);
   - unit: coordinators see every agency in their agency's administrative unit and below;
   - agency: everyone else sees their own agency only;
   - nobody (citizens, inactive accounts, accounts without an official profile): nothing.
   Citizens' dossiers (and the rows that follow them) are reached only through the roles that read
   them (`DOSSIER_READ_PERMISSION`; `citizen_data` on the queryset): separation of duties keeps the
   system administrator, and superusers, configuring the system without reading dossiers unless they
   also hold an official role, whose scope then applies.
   `visible_agency_ids` is a lazy queryset of ids, so a selector or an indicator can use it as a
   subquery (`receiving_agency__in=...`) or in an aggregate without loading rows;
   `visible_agency_id_list` gives the same ids as constants, for filters on large tables.

2. **How a model's rows belong to agencies** (`AgencyScopedQuerySet.rows_at`): by default through
   the foreign key named in `agency_lookup`; a model whose rows relate to agencies otherwise (a
   dossier: every agency it has been at, and the official it is assigned to) overrides `rows_at`,
   and rows that belong to another scoped model (a dossier's messages, alerts, ratings) follow it
   with `visible_through`.

Lists, detail pages, file downloads, exports and the desk's admin pages all call `.visible_to(user)`
(or `visible_through`); nothing re-implements the scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


_M = TypeVar("_M", bound=models.Model)
_Q = TypeVar("_Q", bound=models.QuerySet[Any])

# Cached on the user object for the request, as directory.selectors.user_roles caches the roles:
# the desk's home page asks for the same reach once per inbox bucket.
_CACHE = "_onestop_visible_agency_ids"


def access_scope(user: User, *, dossiers: bool = False) -> str | None:
    """The user's row-level scope (a `RoleScope`), or None when they may see no agency's records.

    With `dossiers`, the scope over citizens' dossiers: from the roles that read them only.
    """
    from onestop_tayninh.directory.constants import RoleScope

    if not user.is_authenticated or not user.is_active:
        return None
    scope = user.access_scope(dossiers=dossiers)
    if scope == RoleScope.ALL:
        return scope
    if scope in (RoleScope.UNIT, RoleScope.AGENCY) and getattr(user, "official", None) is not None:
        return scope
    return None


def reaches_agencies(user: User) -> bool:
    """Whether `user` may see any agency's records (aggregates such as the evaluation's figures)."""
    return access_scope(user) is not None


def reaches_beyond_own_agency(user: User) -> bool:
    """Whether `user`'s reach is wider than their own agency (a coordinator, a system administrator)."""
    from onestop_tayninh.directory.constants import RoleScope

    return access_scope(user) in (RoleScope.UNIT, RoleScope.ALL)


def reads_dossiers(user: User) -> bool:
    """Whether `user` may read any citizen's dossier (one of their roles reads dossiers, see above)."""
    return access_scope(user, dossiers=True) is not None


def visible_agency_ids(user: User, *, dossiers: bool = False) -> models.QuerySet[Any, int] | None:
    """The ids of the agencies whose records `user` may see, as a lazy queryset; None means every agency.

    Usable as a subquery (`agency_id__in=visible_agency_ids(user)`) or materialised with `list()`;
    an empty queryset when the user may see nothing. With `dossiers`, the agencies whose citizens'
    dossiers the user may see (see `access_scope`).
    """
    from onestop_tayninh.directory.constants import RoleScope
    from onestop_tayninh.directory.models import Agency

    cached: models.QuerySet[Any, int] | None
    key = f"{_CACHE}_dossiers" if dossiers else _CACHE
    if hasattr(user, key):
        cached = getattr(user, key)
        return cached
    # A queryset object, not its rows: a subquery stays a subquery, and list() reads it once.
    scope = access_scope(user, dossiers=dossiers)
    agencies = Agency.objects.order_by()
    if scope == RoleScope.ALL:
        cached = None
    elif scope == RoleScope.UNIT:
        # An administrative unit's path is a prefix of the paths of every unit below it.
        cached = agencies.filter(unit__path__startswith=user.official.agency.unit.path).values_list("pk", flat=True)
    elif scope == RoleScope.AGENCY:
        cached = agencies.filter(pk=user.official.agency_id).values_list("pk", flat=True)
    else:
        cached = agencies.none().values_list("pk", flat=True)
    setattr(user, key, cached)
    return cached


def visible_agency_id_list(user: User, *, dossiers: bool = False) -> list[int] | None:
    """The same agencies as `visible_agency_ids`, as a list of ids; None means every agency.

    For filters on large tables (dossiers), where the optimiser does better with a short list of
    constants than with a subquery joining agencies and units for every row. Costs no query for an
    agency's official and one per request for a coordinator (the queryset caches its rows).
    """
    from onestop_tayninh.directory.constants import RoleScope

    if access_scope(user, dossiers=dossiers) == RoleScope.AGENCY:
        return [user.official.agency_id]
    agency_ids = visible_agency_ids(user, dossiers=dossiers)
    return None if agency_ids is None else list(agency_ids)


def visible_through(queryset: _Q, field: str, user: User) -> _Q:
    """`queryset` limited to the rows whose `field` (a foreign key to a scoped model) `user` may see.

    For rows that have no agency of their own but belong to a scoped record, such as a dossier's
    messages, deadline alerts or ratings. A user who sees everything sees these rows too, including
    those whose `field` is empty. Rows that follow a dossier are citizens' data, seen as the dossier is.
    """
    related = queryset.model._meta.get_field(field).related_model
    dossiers = getattr(related._default_manager.get_queryset(), "citizen_data", False)
    if access_scope(user, dossiers=dossiers) is None:
        return queryset.none()
    if visible_agency_ids(user, dossiers=dossiers) is None:
        return queryset
    return queryset.filter(**{f"{field}__in": related._default_manager.visible_to(user)})


class AgencyScopedQuerySet(models.QuerySet[_M]):
    #: Path from this model to its agency; "" when the model *is* the agency.
    agency_lookup: str = "agency"
    #: Rows holding citizens' dossiers: reached only through the roles that read dossiers.
    citizen_data: bool = False

    def rows_at(self, agency_ids: models.QuerySet[Any, int], user: User) -> Q:
        """The condition for rows that belong to one of `agency_ids` (or that `user` sees besides).

        A model whose rows relate to agencies other than through one foreign key overrides this;
        it states how its rows relate to agencies, never who may see which agencies.
        """
        return Q(**{f"{self.agency_lookup}__in" if self.agency_lookup else "pk__in": agency_ids})

    def visible_to(self, user: User) -> Self:
        if access_scope(user, dossiers=self.citizen_data) is None:
            return self.none()
        agency_ids = visible_agency_ids(user, dossiers=self.citizen_data)
        if agency_ids is None:
            return self
        return self.filter(self.rows_at(agency_ids, user))
