"""Template filters of the desk's own loop (dossiers/admin/_desk_loop.html, _event_changes.html)."""

from django import template

from ..constants import EventAction
from ..events import ApplicantCorrected, payload_of

register = template.Library()


@register.filter
def applicant_changes(event) -> list[tuple[str, str, str]]:
    """(label, before, after) of a correction of the applicant's data; nothing for any other event."""
    if event.action != EventAction.APPLICANT_CORRECTED:
        return []
    payload = payload_of(event)
    return payload.changes() if isinstance(payload, ApplicantCorrected) else []
