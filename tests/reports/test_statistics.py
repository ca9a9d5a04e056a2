"""The periodic statistical report's rows (reports.statistics) and its files (reports.statistics_render), on a
hand-made province whose every number is worked out below."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from onestop_tayninh.reports import periods
from onestop_tayninh.reports.constants import UnitKind
from onestop_tayninh.reports.statistics import Counts, statistics_for, system_unit
from onestop_tayninh.reports.statistics_render import statistics_pdf, statistics_xlsx
from tests.factories import ProcedureVersionFactory, SectorFactory
from tests.printing.conftest import A4_LANDSCAPE, PdfFile
from tests.reports.builders import Province, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("judged_in_2028")]

MARCH = periods.month(2027, 3)
MADE = dt.datetime(2027, 4, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def province():
    """Two bodies. Body A (Hộ tịch; one dossier in Đất đai), March 2027:

    Carried over (received before March, not closed at the end of 28/2):
    - c1 received 20/2, due 27/2, resolved 3/3: late.
    - c2 received 25/2, due 4/3, resolved 2/3: early.
    - c4 received 26/2, due 5/3, still open on 31/3: pending, past time.
    - c3 received 10/2, resolved 15/2: closed before March, not in the report.
    Received in March:
    - r1 on the portal 2/3, due 9/3 17:00, resolved 9/3 10:00: on time.
    - r2 through Zalo 3/3, due 10/3, still open: pending, past time.
    - r3 at the desk 25/3, due 1/4, open: pending, within time.
    - r4 at the desk 10/3, due 17/3, waiting for the citizen's supplement since 15/3: pending, within time.
    - r5 by post 5/3, withdrawn 6/3: withdrawn.
    - r6 at the body itself (a tracked procedure) 4/3, due 11/3, resolved 10/3 but asked for a supplement
      twice: late; counts as received in person.
    - r7 (Đất đai) at the desk 30/3, due 6/4, resolved 31/3: early.
    - r8 received in April: not in the report.

    Body A: carried over 3; received portal 1, Zalo 1 (online 2), in person 4, post 1 (in person and post 5),
    7 in all; to handle 3 + 7 = 10. Resolved early c2 r7 = 2, on time r1 = 1, late c1 r6 = 2: 5. Pending
    within r3 r4 = 2, past c4 r2 = 2: 4. Withdrawn r5: 1. 5 + 4 + 1 = 10.
    Of which Đất đai: r7 only (received 1 in person, resolved early 1); Hộ tịch the rest.

    Body B (Hộ tịch): one dossier at the desk 2/3, due 9/3, open: received 1, pending past time 1.
    """
    a, b = Province(), Province()
    land = ProcedureVersionFactory(
        complete=True,
        processing_amount=5,
        competent_agency=a.agency,
        sector=SectorFactory(code="DATDAI", name="Đất đai"),
    )
    a.dossier(received=at(20, month=2), due=at(27, 17, month=2), closed=at(3))
    a.dossier(received=at(25, month=2), due=at(4, 17), closed=at(2))
    a.dossier(received=at(10, month=2), due=at(17, 17, month=2), closed=at(15, month=2))
    a.dossier(received=at(26, month=2), due=at(5, 17))
    a.dossier(received=at(2), due=at(9, 17), closed=at(9, 10), channel="online")
    a.dossier(received=at(3), due=at(10, 17), channel="zalo")
    a.dossier(received=at(25), due=at(1, 17, month=4))
    a.dossier(received=at(10), due=at(17, 17), paused_at=at(15), supplement_count=1, kind="awaiting_citizen")
    a.dossier(received=at(5), due=at(12, 17), closed=at(6), channel="post", kind="withdrawn")
    a.dossier(received=at(4), due=at(11, 17), closed=at(10), channel="agency", supplement_count=2, counted_late=True)
    a.dossier(received=at(30), due=at(6, 17, month=4), closed=at(31), procedure_version=land)
    a.dossier(received=at(2, month=4), due=at(9, 17, month=4))
    b.dossier(received=at(2), due=at(9, 17))
    return a, b


BODY_A = Counts(
    carried_over=3, portal=1, zalo=1, direct=4, post=1, early=2, on_time=1, late=2, pending_within=2,
    pending_past=2, withdrawn=1,
)  # fmt: skip
LAND = Counts(direct=1, early=1)
BODY_B = Counts(direct=1, pending_past=1)


def test_a_body_s_rows_by_sector_carry_over_split_by_channel_and_balance(province):
    a, _b = province
    report = statistics_for(system_unit(UnitKind.AGENCY, a.agency.pk), MARCH, at=MADE)

    assert report.total == BODY_A
    assert (report.total.online, report.total.in_person, report.total.received) == (2, 5, 7)
    assert (report.total.to_handle, report.total.resolved, report.total.pending) == (10, 5, 4)
    # What there was to handle is what was resolved, withdrawn or still pending.
    assert report.total.to_handle == report.total.resolved + report.total.withdrawn + report.total.pending
    assert [(row.number, row.label, row.level) for row in report.rows] == [("1", "Đất đai", 2), ("2", "Hộ tịch", 2)]
    assert report.rows[0].counts == LAND
    hotich = report.rows[1].counts
    assert (hotich.carried_over, hotich.direct, hotich.early, hotich.to_handle) == (3, 3, 1, 9)
    assert report.total.values()[:8] == [10, 2, 1, 1, 5, 4, 1, 3]


def test_the_province_lists_each_body_with_its_sectors_under_it(province):
    a, b = province
    report = statistics_for(system_unit(UnitKind.PROVINCE, None), MARCH, at=MADE)

    assert [(row.number, row.label, row.level) for row in report.rows] == [
        ("1", a.agency.name, 1),
        ("1.1", "Đất đai", 2),
        ("1.2", "Hộ tịch", 2),
        ("2", b.agency.name, 1),
        ("2.1", "Hộ tịch", 2),
    ]
    assert report.rows[0].counts == BODY_A and report.rows[3].counts == BODY_B
    expected = Counts()
    expected.add(BODY_A)
    expected.add(BODY_B)
    assert report.total == expected and report.total.to_handle == 11


def test_the_next_month_carries_over_what_march_left_open(province):
    """At the end of March body A had 4 pending (c4 r2 r3 r4): April carries them over, and receives r8."""
    a, _b = province
    april = statistics_for(system_unit(UnitKind.AGENCY, a.agency.pk), periods.month(2027, 4), at=MADE)

    assert (april.total.carried_over, april.total.received, april.total.to_handle) == (4, 1, 5)
    assert april.data_until == dt.date(2027, 4, 1)  # made on 1 April: the numbers go that far


def test_a_desk_s_report_counts_what_it_received(province):
    a, _b = province
    report = statistics_for(system_unit(UnitKind.DESK, a.desk.pk), MARCH, at=MADE)

    assert report.total == BODY_A


def test_the_spreadsheet_has_the_form_s_header_and_the_numbers_as_numbers(province):
    a, _b = province
    report = statistics_for(system_unit(UnitKind.PROVINCE, None), MARCH, at=MADE)

    sheet = load_workbook(io.BytesIO(statistics_xlsx(report))).active

    assert sheet["A3"].value == "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert "Tháng 03/2027 (từ ngày 01/03/2027 đến ngày 31/03/2027)" in sheet["A4"].value
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    # Received (C..J), within it "Trong kỳ" (D..I) and its two national columns, each over its channels.
    assert {"C6:J6", "D7:I7", "D8:F8", "G8:I8", "J7:J9", "A6:A9", "R6:R9"} <= merged
    assert [sheet.cell(row=9, column=c).value for c in range(4, 10)] == [
        "Tổng số", "Cổng dịch vụ công", "Zalo", "Tổng số", "Trực tiếp", "Bưu chính công ích",
    ]  # fmt: skip
    assert sheet["C10"].value == "(3)" and sheet["R10"].value == "(14)"
    assert sheet.freeze_panes == "C11"
    rows = {row[1]: row for row in sheet.iter_rows(min_row=11, values_only=True) if row[1]}
    assert rows[a.agency.name][:4] == ("1", a.agency.name, 10, 2)
    assert rows["Đất đai"][:3] == ("1.1", "Đất đai", 1)
    assert rows["Tổng cộng"][2:] == (11, 2, 1, 1, 6, 5, 1, 3, 5, 2, 1, 2, 5, 2, 3, 1)
    assert sheet.cell(row=11, column=3).number_format == "#,##0"
    assert sheet.page_setup.orientation == "landscape"


def test_the_pdf_is_a4_landscape_with_the_heading_the_table_and_the_signatures(province, tmp_path):
    a, _b = province
    report = statistics_for(system_unit(UnitKind.AGENCY, a.agency.pk), MARCH, at=MADE)

    content = statistics_pdf(report, drawn_up_by="Nguyễn Thị Lập")

    pdf = PdfFile(content, tmp_path / "bao-cao.pdf")
    assert pdf.page_size() == pytest.approx(A4_LANDSCAPE, abs=0.01)
    text = pdf.flat_text()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        a.agency.name.upper(),
        "ngày 01 tháng 4 năm 2027",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Kỳ báo cáo: Tháng 03/2027",
        "Biểu số II.06a/VPCP/KSTT",
        "Kỳ trước chuyển qua",
        "Đất đai 1 0 0 0 1 1 0 0 1 1 0 0 0 0 0 0",
        "Tổng cộng 10 2 1 1 5 4 1 3 5 2 1 2 4 2 2 1",
        "NGƯỜI LẬP BIỂU",
        "Nguyễn Thị Lập",
        "TM. ỦY BAN NHÂN DÂN",
    ):
        assert expected in text, expected
