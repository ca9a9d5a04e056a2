"""Reads of the catalogue for the portal and the desk."""

from django.db.models import Prefetch, QuerySet

from .models import DocumentRequirement, ProcedureVersion


def catalog_search(
    *,
    text: str = "",
    sector: int | None = None,
    agency: int | None = None,
    tier: str | None = None,
    level: int | None = None,
    category: str | None = None,
) -> QuerySet[ProcedureVersion]:
    """Published procedures matching the public catalogue's search box and filters."""
    # Sector and agency are prefetched, not joined: with the joins MariaDB starts from the
    # sector table and sorts in a temporary table; alone, it walks the name index and stops at a page.
    versions = (
        ProcedureVersion.objects.published()
        .select_related("procedure")
        .prefetch_related("sector", "competent_agency")
        .defer("steps", "requirements", "legal_basis")
    )
    if text.strip():
        versions = versions.search(text)
    if sector:
        versions = versions.filter(sector_id=sector)
    if agency:
        versions = versions.filter(competent_agency_id=agency)
    if tier:
        # Tiers are a short JSON list; JSON_CONTAINS matches one of them.
        versions = versions.filter(tiers__contains=[tier])
    if level:
        versions = versions.filter(level=level)
    if category:
        # The class of Decree 42/2022 the portal shows, rather than the old level.
        versions = versions.in_online_category(category)
    return versions.order_by("name")


def published_version(code: str) -> ProcedureVersion | None:
    """The published version of a procedure with everything its public page shows."""
    return (
        ProcedureVersion.objects.published()
        .filter(procedure__code=code)
        .select_related("procedure", "sector", "competent_agency")
        .prefetch_related(
            "fees",
            "form_fields",
            "receiving_desks",
            Prefetch("documents", queryset=DocumentRequirement.objects.select_related("document_type")),
        )
        .first()
    )
