"""A province where Công an tỉnh receives a tracked-only procedure itself (the demo directory and workflows)."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers import spreadsheets
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.services import TrackedReceipt
from onestop_tayninh.workflows.models import Workflow
from tests.factories import ProcedureVersionFactory, make_publishable
from tests.province import load_province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
POLICE = "000.00.20.H53"  # Công an tỉnh Tây Ninh
JUSTICE = "000.00.02.H53"  # Sở Tư pháp
NOW = dt.datetime(2027, 3, 3, 10, 0, tzinfo=VN)  # Wednesday


def last_working_day() -> dt.date:
    """A working day before today, whatever day the tests run (for pages that take the clock's now)."""
    from onestop_tayninh.calendars.selectors import get_calendar

    calendar = get_calendar()
    day = dt.datetime.now(VN).date() - dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def user(username: str) -> User:
    return User.objects.get(username=username)


def tracked_procedure(*, competent: str, amount=7, tracked=True, workflow="theo-doi-tai-co-quan"):
    version = ProcedureVersionFactory(
        complete=True,
        level=2,
        name="Đăng ký thường trú",
        processing_amount=amount,
        competent_agency=Agency.objects.get(code=competent),
        tracked_only=tracked,
    )
    make_publishable(version)
    if tracked:
        version.receiving_desks.clear()
    if workflow:
        version.procedure.workflow = Workflow.objects.get(code=workflow)
        version.procedure.save()
    return procedure_version_publish(version=version)


def build_world(*, load=True):
    """The police's tracked procedures on the seed province; load=False when the test has `loaded_province`."""
    if load:
        load_province()
    return {
        "police": Agency.objects.get(code=POLICE),
        "residence": tracked_procedure(competent=POLICE),
        "justice_tracked": tracked_procedure(competent=JUSTICE),
        "ordinary": tracked_procedure(competent=POLICE, tracked=False, workflow=None),
        "clerk": user("chuyenvien.congan"),
        "head": user("lanhdao.congan"),
    }


def receipt(version, *, received_at=None, reference="", **applicant) -> TrackedReceipt:
    applicant.setdefault("full_name", "Nguyễn Văn An")
    applicant.setdefault("cccd", "072090001234")
    applicant.setdefault("phone", "0912345678")
    return TrackedReceipt(
        procedure_version=version,
        applicant=Applicant(**applicant),
        received_at=received_at or local(2027, 3, 1, 8, 30),
        reference=reference,
    )


HEADERS = [column.header for column in spreadsheets.COLUMNS]


def line(code, **cells) -> list[str]:
    """One spreadsheet line in the template's column order."""
    values = {"procedure_code": code, "full_name": "Nguyễn Văn An", "received_date": "01/03/2027", **cells}
    return [values.get(column.key, "") for column in spreadsheets.COLUMNS]


def xlsx_file(lines, name="ho-so.xlsx"):
    """A filled copy of the downloadable template (as an official would send it)."""
    from openpyxl import load_workbook

    from django.core.files.uploadedfile import SimpleUploadedFile

    workbook = load_workbook(io.BytesIO(spreadsheets.template_xlsx([])))
    sheet = workbook[spreadsheets.SHEET_TITLE]
    for row, values in enumerate(lines, start=2):  # the template's cells are formatted down to line 501
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(lines, name="ho-so.csv", delimiter=","):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    writer.writerows(lines)
    return SimpleUploadedFile(name, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
