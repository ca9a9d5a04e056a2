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


def history(world, *, count: int = 160, seed: int = 7, year: int = 2026) -> list[int]:
    """`count` dossiers of the workflows world's two procedures over `year`'s first eleven months, through
    the workflow's own steps: most resolved (some late), some open, a few withdrawn; facts derived."""
    import random

    from onestop_tayninh.workflows.models import State

    rng = random.Random(seed)
    ids = []
    for n in range(count):
        version = world["justice"] if n % 3 else world["land"]
        states = {s.kind: s for s in State.objects.filter(version__workflow=version.procedure.workflow)}
        open_states = [s for s in states.values() if s.kind in ("at_agency", "at_desk", "in_consultation")]
        received = dt.datetime(year, 1, 5, 8, tzinfo=VN) + dt.timedelta(
            days=rng.randrange(0, 320), hours=rng.randrange(0, 8)
        )
        due = received + dt.timedelta(days=7 if version == world["justice"] else 28)
        roll = rng.random()
        closed = None
        kind = "at_agency"
        if roll < 0.8:
            closed = received + dt.timedelta(days=rng.randrange(1, 12 if version == world["justice"] else 40), hours=2)
            kind = "result_returned"
        elif roll < 0.84:
            closed, kind = received + dt.timedelta(days=2), "withdrawn"
        state = states.get(kind) or (rng.choice(open_states) if open_states else None)
        from tests.factories import DossierFactory

        dossier = DossierFactory(
            procedure_version=version,
            receiving_desk=world["desk"],
            status=DossierStatus.RECEIVED,
            channel=rng.choice(["desk", "desk", "online", "online", "zalo", "post"]),
            received_at=received,
            due_at=due,
            closed_at=closed,
            state=state,
            current_agency=version.competent_agency,
            result_electronic=closed is not None and rng.random() < 0.5,
        )
        ids.append(dossier.pk)
    facts_refresh(dossier_ids=ids)
    return ids
