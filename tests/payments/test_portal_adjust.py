"""Before paying, the citizen says how many copies they asked for and which exempt group they belong to:
the order is replaced by one for the new amount, or cancelled when nothing is owed, and the claim goes
into the dossier's history for the desk to check."""

import pytest

from django.utils import timezone

from onestop_tayninh.catalog.models import Fee
from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.payments import services
from onestop_tayninh.payments.constants import OrderStatus
from onestop_tayninh.payments.models import PaymentOrder
from tests.factories import CitizenFactory, DossierFactory, receiving_world
from tests.payments import support

pytestmark = pytest.mark.django_db

gateway = support.gateway
vnpay = support.vnpay


@pytest.fixture
def copies(db, message_templates):
    """A citizen's online dossier owing a fee of 8.000 đ per copy, from which households in poverty and
    people with disabilities are exempt: its order, open."""
    world = receiving_world()
    version = world["version"]
    Fee.objects.filter(version=version).update(unit="copy", exempt_groups=["Hộ nghèo", "Người khuyết tật"])
    dossier = DossierFactory(
        procedure_version=version,
        receiving_desk=world["desk"],
        applicant_account=CitizenFactory().user,
        channel="online",
        email="dan@example.vn",
    )
    return services.order_open(
        dossier=dossier,
        agency=world["agency"],
        lines=services.owed_lines(version),
        reason="Phí, lệ phí khi nộp hồ sơ trực tuyến",
        requested_by=None,
        at=timezone.now(),
    )


def page(client, order, data=None):
    client.force_login(order.dossier.applicant_account)
    url = f"/thanh-toan/{order.reference}/"
    return client.post(url, data) if data is not None else client.get(url)


def test_three_copies_replace_the_order_with_one_for_three_times_the_fee(client, copies):
    line = copies.lines.get()
    assert "Số lượng và đối tượng được miễn" in page(client, copies).content.decode()

    response = page(client, copies, {"adjust": "1", f"so-luong-{line.pk}": "3", f"mien-{line.pk}": ""})

    new = PaymentOrder.objects.get(dossier=copies.dossier, status=OrderStatus.OPEN)
    assert response.status_code == 302 and response["Location"] == f"/thanh-toan/{new.reference}/"
    assert new.amount == 24000 and new.lines.get().quantity == 3
    copies.refresh_from_db()
    assert copies.status == OrderStatus.CANCELLED
    assert Dossier.objects.get(pk=copies.dossier_id).fees_due == 24000
    assert "3 × 8.000 đồng" in page(client, new).content.decode()


def test_an_exempt_payer_owes_nothing_and_the_claim_is_in_the_history(client, copies):
    line = copies.lines.get()
    response = page(client, copies, {"adjust": "1", f"so-luong-{line.pk}": "1", f"mien-{line.pk}": "Hộ nghèo"})

    assert response.status_code == 302 and response["Location"] == f"/ho-so-cua-toi/{copies.dossier_id}/"
    dossier = Dossier.objects.get(pk=copies.dossier_id)
    assert dossier.fees_due == 0 and not dossier.payment_orders.filter(status=OrderStatus.OPEN).exists()
    cancelled = dossier.events.get(action=EventAction.PAYMENT_CANCELLED)
    assert "Hộ nghèo" in cancelled.comment and "kiểm tra giấy tờ chứng minh" in cancelled.comment
    # The dossier's timeline tells the citizen both: what was asked, and that it is no longer owed.
    timeline = client.get(f"/ho-so-cua-toi/{dossier.pk}/").content.decode()
    assert "Cần nộp 8.000 đồng phí, lệ phí" in timeline and "Không còn phải nộp khoản 8.000 đồng" in timeline


@pytest.mark.parametrize(
    ("quantity", "exemption", "message"),
    [
        ("ba", "", "phải là một số nguyên"),
        ("0", "", "phải từ 1 đến 500"),
        ("1", "Cán bộ", "không thuộc đối tượng được miễn"),
    ],
)
def test_bad_input_is_refused_in_words_and_changes_nothing(client, copies, quantity, exemption, message):
    line = copies.lines.get()
    response = page(client, copies, {"adjust": "1", f"so-luong-{line.pk}": quantity, f"mien-{line.pk}": exemption})

    assert response.status_code == 400 and message in response.content.decode()
    copies.refresh_from_db()
    assert copies.status == OrderStatus.OPEN and copies.amount == 8000
    assert PaymentOrder.objects.filter(dossier=copies.dossier).count() == 1


def test_an_order_already_at_the_gateway_is_not_adjusted(client, vnpay, copies):
    support.start(copies)
    line = copies.lines.get()
    response = page(client, copies, {"adjust": "1", f"so-luong-{line.pk}": "2"})

    assert response.status_code == 400 and "đã bắt đầu thanh toán" in response.content.decode()
    copies.refresh_from_db()
    assert copies.status == OrderStatus.OPEN and copies.amount == 8000
