"""The receiving side: a package becomes a dossier under its own code, whole or not at all."""

import hashlib

import pytest

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.interconnect.models import ReceivedHandover

from .conftest import file_entry, package

pytestmark = pytest.mark.django_db

URL = "/api/v1/handovers/"


def test_a_package_becomes_a_received_dossier_keeping_its_code_files_and_origin(world, sender):
    sent = package(world["justice"])
    answer = sender["api"].post(URL, sent)
    assert answer.status_code == 201, answer.content
    dossier = Dossier.objects.get(code="000.00.99.H99-270301-0007")
    assert answer.json() == {"code": dossier.code, "dossier": dossier.pk, "status": "received"}
    assert dossier.receiving_desk == world["desk"] and dossier.full_name == "Lê Thị Hồng"
    assert dossier.form_data == {"ghi_chu": "Hồ sơ liên thông"}
    assert dossier.due_at.isoformat() == "2099-03-20T10:00:00+00:00"
    kept = {hashlib.sha256(d.file.read()).hexdigest() for d in dossier.documents.all()}
    assert kept == {f["sha256"] for f in sent["files"]} and len(sent["files"]) == dossier.documents.count()
    accepted = dossier.events.get(action="accepted")
    assert accepted.data["label"] == "Tiếp nhận hồ sơ liên thông từ Hệ thống một cửa tỉnh Bình Dương"
    assert "Trung tâm Phục vụ hành chính công tỉnh Bình Dương" in accepted.comment
    assert ReceivedHandover.objects.get(code=dossier.code).dossier == dossier

    # The same package again (its answer was lost): the same dossier, nothing new.
    again = sender["api"].post(URL, sent)
    assert again.status_code == 200 and again.json()["dossier"] == dossier.pk
    assert Dossier.objects.filter(code=dossier.code).count() == 1 and dossier.documents.count() == len(sent["files"])


def _nothing_made():
    assert not ReceivedHandover.objects.exists()
    assert not Dossier.objects.filter(full_name="Lê Thị Hồng").exists()


def test_a_wrong_checksum_refuses_the_whole_package(world, sender):
    sent = package(world["justice"])
    sent["files"][0]["sha256"] = "0" * 64
    answer = sender["api"].post(URL, sent)
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["title"] and "SHA-256 không khớp" in body["detail"] and "files" in body["errors"]
    _nothing_made()


def test_an_unknown_procedure_and_a_bad_file_are_refused_in_vietnamese(world, sender):
    sent = package(world["justice"])
    sent["procedure_code"] = "9.999999"
    answer = sender["api"].post(URL, sent)
    assert answer.status_code == 422
    assert answer.json()["errors"]["procedure_code"] == ["Không có thủ tục đang công bố mã “9.999999”."]
    # A file that is no PDF nor image (the upload gate), its checksum right.
    sent = package(world["justice"])
    sent["files"][0] = file_entry(b"#!/bin/sh\necho hi\n", name="chay.sh", requirement=sent["files"][0]["requirement"])
    answer = sender["api"].post(URL, sent)
    assert answer.status_code == 422, answer.content
    _nothing_made()


def test_the_same_code_with_other_content_is_a_conflict(world, sender):
    assert sender["api"].post(URL, package(world["justice"])).status_code == 201
    other = package(world["justice"])
    other["applicant"]["full_name"] = "Trần Văn Bình"
    answer = sender["api"].post(URL, other)
    assert answer.status_code == 409 and "đã được nhận với nội dung khác" in answer.json()["detail"]
    assert Dossier.objects.filter(code="000.00.99.H99-270301-0007").get().full_name == "Lê Thị Hồng"


def test_only_a_declared_peer_with_the_scope_may_hand_over(world, sender, centre):
    from tests.api.conftest import Api, token_for

    # The centre's intake software has every other scope but not this one.
    answer = Api(token_for(centre)).post(URL, package(world["justice"]))
    assert answer.status_code == 403
    sender["peer"].api_client = None
    sender["peer"].save()
    answer = sender["api"].post(URL, package(world["justice"]))
    assert answer.status_code == 403 and "chưa được khai báo là hệ thống liên thông" in answer.json()["detail"]
    _nothing_made()


@pytest.mark.django_db(transaction=True)
def test_the_same_package_arriving_twice_at_once_makes_one_dossier(world, sender):
    import threading

    from django.db import connection
    from django.utils import timezone

    from onestop_tayninh.interconnect import services

    sent = package(world["justice"])
    gate = threading.Barrier(2)
    results, errors = [], []

    def receive_once():
        try:
            gate.wait(timeout=10)
            from onestop_tayninh.interconnect.serializers import PackageSerializer

            serializer = PackageSerializer(data=sent)
            serializer.is_valid(raise_exception=True)
            got = services.handover_receive(
                client=sender["client"], package=dict(serializer.validated_data), at=timezone.now()
            )
            results.append((got.dossier.pk, got.replayed))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(replayed for _pk, replayed in results) == [False, True]
    assert len({pk for pk, _replayed in results}) == 1
    assert Dossier.objects.filter(code=sent["code"]).count() == 1 and ReceivedHandover.objects.count() == 1
