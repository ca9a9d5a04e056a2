"""The workflows' living province (tests/workflows/conftest.py), plus PDF inspection with poppler and zbar."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import Channel
from onestop_tayninh.dossiers.services import dossier_accept, dossier_document_add, dossier_start
from tests.workflows.conftest import local, pdf, receive, user, world  # noqa: F401 - fixtures and helpers

A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)


def start(world, *, procedure="justice", at=None, officer="tiepnhan.tinh", **applicant):  # noqa: F811
    """A dossier at the receipt check, every applicant field filled, every document attached."""
    at = at or local(2027, 3, 1, 8, 0)
    clerk = user(officer)
    fields = {
        "full_name": "Lê Thị Hồng",
        "cccd": "072190004567",
        "phone": "0912345678",
        "email": "le.thi.hong@example.vn",
        "address": "Số 12 đường Cách Mạng Tháng Tám, Phường 3, thành phố Tây Ninh",
    }
    channel = applicant.pop("channel", Channel.DESK)
    fields.update(applicant)
    dossier = dossier_start(
        desk=world["desk"],
        officer=clerk,
        procedure_version=world[procedure],
        applicant=Applicant(**fields),
        at=at,
        channel=channel,
    )
    for requirement in world[procedure].documents.all():
        dossier_document_add(dossier=dossier, requirement=requirement, file=pdf(), officer=clerk, at=at)
    return dossier


def receive_full(world, *, at=None, officer="tiepnhan.tinh", **kwargs):  # noqa: F811
    at = at or local(2027, 3, 1, 8, 0)
    dossier = start(world, at=at, officer=officer, **kwargs)
    return dossier_accept(dossier=dossier, officer=user(officer), at=at)


class PdfFile:
    """A rendered PDF written to disk, inspected with the poppler and zbar command-line tools."""

    def __init__(self, content: bytes, path: Path) -> None:
        assert content.startswith(b"%PDF-"), "not a PDF"
        self.path = path
        path.write_bytes(content)

    def _run(self, *args: str) -> str:
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout

    def text(self, page: int | None = None) -> str:
        """The text in drawing order (-raw): a table cell's lines stay together."""
        pages = ["-f", str(page), "-l", str(page)] if page else []
        return self._run("pdftotext", "-raw", *pages, str(self.path), "-")

    def flat_text(self, page: int | None = None) -> str:
        """Text with all whitespace runs (line breaks included) collapsed to one space."""
        return " ".join(self.text(page).split())

    def info(self) -> dict[str, str]:
        lines = self._run("pdfinfo", str(self.path)).splitlines()
        return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}

    def page_size(self) -> tuple[float, float]:
        match = re.match(r"([\d.]+) x ([\d.]+) pts", self.info()["Page size"])
        return float(match[1]), float(match[2])

    def pages(self) -> int:
        return int(self.info()["Pages"])

    def fonts(self) -> str:
        return self._run("pdffonts", str(self.path))

    def pixels(self, dpi: int = 100) -> list[bytes]:
        """Every page rasterised in grey (pdftoppm): equal lists mean the pages look the same."""
        prefix = self.path.with_name(self.path.stem + "-px")
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(self.path), str(prefix)], check=True)
        return [image.read_bytes() for image in sorted(prefix.parent.glob(f"{prefix.name}-*.pgm"))]

    def _qr_lines(self) -> list[str]:
        prefix = self.path.with_suffix("")
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", str(self.path), str(prefix)], check=True)
        image = next(prefix.parent.glob(f"{prefix.name}*.png"))
        raw = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True).stdout
        return raw.strip().splitlines()

    def qr(self) -> str:
        """The Circular 01/2023 QR code of page 1 (a receipt also carries the applicant's link, apart)."""
        return "\n".join(line for line in self._qr_lines() if not line.startswith("http"))

    def qr_links(self) -> list[str]:
        """Links in QR codes of page 1: the receipt's link for an applicant without an account."""
        return [line for line in self._qr_lines() if line.startswith("http")]


@pytest.fixture
def as_pdf(tmp_path, request):
    """Write PDF bytes to a file for inspection; PRINTING_KEEP_DIR=/some/dir keeps a copy to look at."""
    counter = iter(range(1000))
    keep = os.environ.get("PRINTING_KEEP_DIR")

    def make(content: bytes) -> PdfFile:
        name = re.sub(r"[^\w.-]+", "_", f"{request.node.name}-{next(counter)}") + ".pdf"
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / name).write_bytes(content)
        return PdfFile(content, tmp_path / name)

    return make
