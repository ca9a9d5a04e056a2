"""The checks on an agency's certificate before anything is signed (signing.certificates), and the
PKCS#12 signer's own refusals; no database needed."""

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.signing import demo
from onestop_tayninh.signing.base import SigningError
from onestop_tayninh.signing.certificates import check_signing_certificate
from onestop_tayninh.signing.contrib.pkcs12.plugin import Pkcs12Signer
from tests.signing_support import VALID_FROM, VALID_TO

AT = dt.datetime(2027, 3, 3, 1, 30, tzinfo=dt.UTC)
JUSTICE = Agency(code="000.00.02.H53", name="Sở Tư pháp tỉnh Tây Ninh", short_name="Sở Tư pháp")


def intermediate(root: demo.KeyPair) -> demo.KeyPair:
    """A provider's issuing authority under the trusted root (as real certificates come)."""
    pair = demo.make_ca("CA cấp dưới", valid_from=VALID_FROM, valid_to=VALID_TO)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(pair.certificate.subject)
        .issuer_name(root.certificate.subject)
        .public_key(pair.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_TO)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root.key, hashes.SHA256())
    )
    return demo.KeyPair(certificate, pair.key)


def test_a_certificate_through_an_intermediate_it_came_with_is_accepted(signing_keys):
    middle = intermediate(signing_keys.ca)
    pair = demo.make_signing_certificate(middle, holder=JUSTICE.name, valid_from=VALID_FROM, valid_to=VALID_TO)
    check_signing_certificate(pair.certificate, chain=[middle.certificate], agency=JUSTICE, at=AT)
    with pytest.raises(SigningError, match="không do tổ chức chứng thực được tin cậy cấp"):
        check_signing_certificate(pair.certificate, chain=[], agency=JUSTICE, at=AT)


def test_the_agency_may_be_named_by_its_short_name_or_a_body_above_it(signing_keys):
    short = demo.make_signing_certificate(
        signing_keys.ca, holder="Sở Tư pháp", valid_from=VALID_FROM, valid_to=VALID_TO
    )
    check_signing_certificate(short.certificate, agency=JUSTICE, at=AT)
    province = Agency(code="000.00.00.H53", name="Ủy ban nhân dân tỉnh Tây Ninh")
    department = Agency(code="000.00.02.H53", name="Sở Tư pháp tỉnh Tây Ninh", parent=province)
    committee = demo.make_signing_certificate(
        signing_keys.ca, holder=province.name, valid_from=VALID_FROM, valid_to=VALID_TO
    )
    check_signing_certificate(committee.certificate, agency=department, at=AT)
    with pytest.raises(SigningError, match="không phải cho Ủy ban nhân dân tỉnh Tây Ninh"):
        check_signing_certificate(short.certificate, agency=province, at=AT)


def test_a_certificate_not_yet_valid_is_refused(signing_keys):
    pair = demo.make_signing_certificate(signing_keys.ca, holder=JUSTICE.name, valid_from=VALID_FROM, valid_to=VALID_TO)
    with pytest.raises(SigningError, match="chỉ có hiệu lực từ ngày 01/01/2026"):
        check_signing_certificate(pair.certificate, agency=JUSTICE, at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))


def test_a_pkcs12_file_with_a_wrong_passphrase_is_refused_in_vietnamese(signing_keys, settings):
    pair = signing_keys.issue(JUSTICE.code, JUSTICE.name)
    (signing_keys.directory / f"{JUSTICE.code}.p12").write_bytes(pair.pkcs12(chain=[], passphrase="đúng"))
    settings.ONESTOP_SIGNING_PKCS12_PASSPHRASE = "sai"
    with pytest.raises(SigningError, match="sai mật khẩu hoặc tệp hỏng"), Pkcs12Signer().open(agency=JUSTICE):
        pass


def test_signing_and_verifying_work_where_the_thread_already_runs_an_event_loop(signing_keys):
    """pyHanko starts its own event loop; called from a thread that runs one (an async view, a test driving
    the browser) it used to fail with "asyncio.run() cannot be called from a running event loop"."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from onestop_tayninh.signing.services import pdf_sign
    from onestop_tayninh.signing.verification import verify_pdf
    from tests.signing_support import demo_look, draft_pdf

    signing_keys.issue(JUSTICE.code, JUSTICE.name)
    look = demo_look(JUSTICE.name)

    async def inside_a_loop():
        signed = pdf_sign(pdf=draft_pdf().read(), agency=JUSTICE, at=AT, look=look, reason="Phát hành kết quả")
        return signed, verify_pdf(signed.data)

    # A thread of its own runs the loop (this one may already run the browser tests' loop).
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed, verdict = pool.submit(lambda: asyncio.new_event_loop().run_until_complete(inside_a_loop())).result()
    assert signed.data.startswith(b"%PDF") and verdict.genuine
