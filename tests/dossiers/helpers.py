from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.services import dossier_document_add, dossier_start

from .conftest import local, pdf


def start(world, *, at=None, **applicant):
    applicant.setdefault("full_name", "Nguyễn Văn An")
    applicant.setdefault("cccd", "072090001234")
    return dossier_start(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=Applicant(**applicant),
        at=at or local(2027, 3, 3, 9, 0),
    )


def attach_all(world, dossier, *, at=None):
    for requirement in world["version"].documents.all():
        dossier_document_add(
            dossier=dossier,
            requirement=requirement,
            file=pdf(),
            officer=world["officer"],
            at=at or local(2027, 3, 3, 9, 5),
        )
    return dossier


def complete_dossier(world, *, at=None, **applicant):
    return attach_all(world, start(world, at=at, **applicant), at=at)
