"""Hand-made dossiers for the evaluation's worked examples: each written as the engine leaves it, then
its fact derived by the service the live path runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.reports.services import facts_refresh
from onestop_tayninh.workflows.models import State, Workflow, WorkflowVersion
from tests.factories import AgencyFactory, DeskFactory, ProcedureVersionFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 9, *, month: int = 3, year: int = 2027) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=VN)


class Province:
    """One body with one desk and one named-agency procedure of 5 working days; states by kind."""

    def __init__(self) -> None:
        self.agency = AgencyFactory()
        self.desk = DeskFactory(agency=self.agency)
        self.version = ProcedureVersionFactory(
            complete=True, level=3, processing_amount=5, competent_agency=self.agency
        )
        workflow = Workflow.objects.create(code=f"danh-gia-{self.agency.pk}", name="Thử đánh giá")
        version = WorkflowVersion.objects.create(workflow=workflow, number=1)
        self.states = {
            kind: State.objects.create(version=version, code=kind, name=kind, kind=kind)
            for kind in ("at_agency", "awaiting_citizen", "result_returned", "refused", "withdrawn")
        }

    def dossier(self, *, received, due, closed=None, kind=None, channel="desk", **fields):
        from tests.factories import DossierFactory

        values = {
            "procedure_version": self.version,
            "receiving_desk": self.desk,
            "status": DossierStatus.RECEIVED,
            "channel": channel,
            "received_at": received,
            "due_at": due,
            "closed_at": closed,
            "state": self.states[kind or ("result_returned" if closed else "at_agency")],
            "current_agency": self.agency,
        }
        dossier = DossierFactory(**{**values, **fields})
        facts_refresh(dossier_ids=[dossier.pk])
        return dossier
