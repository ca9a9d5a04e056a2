"""What the indicators read: the handling figures and the dossiers with a complaint, on a hand-made set."""

from decimal import Decimal

import pytest

from onestop_tayninh.feedback import selectors, services
from onestop_tayninh.feedback.constants import FeedbackKind
from tests.factories import DossierFactory

from .conftest import local, submit

pytestmark = pytest.mark.django_db

APRIL = (local(2026, 4, 1, 0, 0), local(2026, 5, 1, 0, 0))
SEEN_AT = local(2026, 6, 15, 9, 0)


@pytest.fixture
def april(world):
    """Seven PAKN; five of them received by the body in April:

    A  complaint on the dossier, answered on time, liked;
    B  the same citizen complains again on the same dossier (repeated), answered on time, disliked;
    C  a recommendation, received Mon 20/4, due by Thu 14/5 (the holidays of 27/4, 30/4, 1/5 skipped),
       answered 20/5: answered, late;
    D  a complaint never taken in: still waiting for acceptance on 15/6, overdue;
    E  a complaint rejected the next day: on time, not answered;
    F  received by the body in May: outside the period;
    G  received by another body in April, answered on time.
    """
    head, far_head, body = world["head"], world["far_head"], world["body"]

    def handled(feedback, official, accepted, answered, liked=None):
        services.feedback_accept(feedback=feedback, official=official, at=accepted)
        services.feedback_answer(feedback=feedback, official=official, answer="Đã xử lý.", at=answered)
        if liked is not None:
            services.feedback_rate_answer(feedback=feedback, citizen=world["citizen"], liked=liked, at=answered)

    a = submit(world, at=local(2026, 4, 6, 9, 0))
    handled(a, head, local(2026, 4, 7, 9, 0), local(2026, 4, 10, 9, 0), liked=True)
    b = submit(world, at=local(2026, 4, 13, 9, 0))
    handled(b, head, local(2026, 4, 14, 9, 0), local(2026, 4, 15, 9, 0), liked=False)
    c = submit(world, kind=FeedbackKind.RECOMMENDATION, dossier=None, agency=body, at=local(2026, 4, 20, 9, 0))
    handled(c, head, local(2026, 4, 20, 10, 0), local(2026, 5, 20, 9, 0))
    submit(world, dossier=None, agency=body, title="Chưa ai nhận", at=local(2026, 4, 22, 9, 0))
    e = submit(world, dossier=None, agency=body, title="Nhầm cơ quan", at=local(2026, 4, 23, 9, 0))
    services.feedback_reject(feedback=e, official=head, reason="Không thuộc thẩm quyền.", at=local(2026, 4, 24, 9, 0))
    submit(world, dossier=None, agency=body, title="Tháng năm", at=local(2026, 5, 5, 9, 0))
    g = submit(world, dossier=None, agency=world["far"], title="Nơi khác", at=local(2026, 4, 10, 9, 0))
    handled(g, far_head, local(2026, 4, 10, 10, 0), local(2026, 4, 14, 9, 0))
    assert b.repeated and c.answer_due_at == local(2026, 5, 14, 17, 0)
    return world


def test_the_bodys_figures_for_april(april):
    figures = selectors.handling_figures(agency_ids=[april["body"].pk], start=APRIL[0], end=APRIL[1], at=SEEN_AT)
    # Satisfaction: (5 received − 1 disliked − 2 overdue − 1 repeated) / 5 = 1/5.
    assert figures == {
        "total": 5,
        "answered": 3,
        "answered_on_time": 2,
        "overdue": 2,
        "disliked": 1,
        "repeated": 1,
        "satisfaction": Decimal("20.00"),
    }


def test_every_body_and_an_empty_period(april):
    everyone = selectors.handling_figures(agency_ids=None, start=APRIL[0], end=APRIL[1], at=SEEN_AT)
    # G adds one received, answered on time: (6 − 1 − 2 − 1) / 6 = 33.33 %.
    assert (everyone["total"], everyone["answered_on_time"], everyone["satisfaction"]) == (6, 3, Decimal("33.33"))
    march = selectors.handling_figures(agency_ids=None, start=local(2026, 3, 1, 0, 0), end=APRIL[0], at=SEEN_AT)
    assert march["total"] == 0 and march["satisfaction"] is None


def test_dossiers_with_a_complaint(april):
    with_complaint = april["dossier"]
    only_recommendation = DossierFactory(procedure_version=with_complaint.procedure_version)
    only_rejected = DossierFactory(procedure_version=with_complaint.procedure_version)
    quiet = DossierFactory(procedure_version=with_complaint.procedure_version)
    submit(april, dossier=only_recommendation, kind=FeedbackKind.RECOMMENDATION)
    rejected = submit(april, dossier=only_rejected)
    services.feedback_reject(feedback=rejected, official=april["head"], reason="Trùng.", at=local(2026, 4, 30, 8, 0))
    ids = [with_complaint.pk, only_recommendation.pk, only_rejected.pk, quiet.pk]
    assert selectors.complaint_dossier_ids(ids) == {with_complaint.pk}
    assert selectors.complaint_dossier_ids([]) == set()
