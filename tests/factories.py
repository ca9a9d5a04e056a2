"""factory_boy factories for the whole test suite, one section per app."""

import factory

from django.contrib.auth.models import Group
from django.utils import timezone

from onestop_tayninh.accounts.constants import AccountKind
from onestop_tayninh.accounts.models import CitizenProfile, User
from onestop_tayninh.directory.constants import AgencyKind, DeskKind, Tier
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, Official, ReceptionDesk, Role

PASSWORD = "Mat-khau-thu-nghiem-2026"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    # Codes no site file uses (the sites hold provinces 72 and 80, districts 703–712, communes 25xxx–
    # 28xxx), whatever the order tests run in: a test may load a site after others advanced the sequence.
    code = factory.Sequence(lambda n: f"{900 + n % 100}")
    name = factory.Sequence(lambda n: f"Huyện Thử Nghiệm {n}")
    tier = Tier.DISTRICT
    kind = "Huyện"

    class Params:
        province = factory.Trait(code=factory.Sequence(lambda n: f"{97 + n % 3}"), tier=Tier.PROVINCE, kind="Tỉnh")
        commune = factory.Trait(code=factory.Sequence(lambda n: f"{90000 + n % 10000}"), tier=Tier.COMMUNE, kind="Xã")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.T99")  # T99: never a real province
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân thử nghiệm {n}")
    kind = AgencyKind.PEOPLE_COMMITTEE
    unit = factory.SubFactory(UnitFactory)


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceptionDesk

    code = factory.Sequence(lambda n: f"bo-phan-{n}")
    name = factory.Sequence(lambda n: f"Bộ phận Một cửa {n}")
    kind = DeskKind.DISTRICT_DESK
    agency = factory.SubFactory(AgencyFactory)
    unit = factory.SelfAttribute("agency.unit")


def role_group(code: str) -> Group:
    from onestop_tayninh.directory.services import roles_ensure

    roles_ensure()
    return Role.objects.get(code=code).group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    kind = AccountKind.OFFICIAL
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CitizenFactory(factory.django.DjangoModelFactory):
    """A citizen's portal account (an individual with a CCCD, or an organisation with a tax code)."""

    class Meta:
        model = CitizenProfile

    user = factory.SubFactory(
        UserFactory,
        kind=AccountKind.CITIZEN,
        is_staff=False,
        username=factory.Sequence(lambda n: f"congdan{n}"),
        full_name=factory.Sequence(lambda n: f"Trần Thị Dân {n}"),
        phone=factory.Sequence(lambda n: f"09{n:08d}"),
    )
    applicant_kind = "individual"
    cccd = factory.Sequence(lambda n: f"0721{n:08d}")
    address = "Số 1 đường 30/4, phường 1, Tây Ninh"
    # Confirmed by SMS, as registration does; a test of the unconfirmed state passes phone_verified_at=None.
    phone_verified_at = factory.LazyFunction(timezone.now)


class OfficialFactory(factory.django.DjangoModelFactory):
    """An official with roles: OfficialFactory(roles=["agency_head"])."""

    class Meta:
        model = Official
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    position = "Chuyên viên"

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for code in extracted or []:
            obj.user.groups.add(role_group(code))


# --- catalog -------------------------------------------------------------------------------

from django.core.files.base import ContentFile  # noqa: E402

from onestop_tayninh.catalog.models import (  # noqa: E402
    DocumentRequirement,
    DocumentType,
    EFormField,
    Fee,
    Procedure,
    ProcedureVersion,
    Sector,
)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["code"]

    code = "HOTICH"
    name = "Hộ tịch"


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ["code"]

    code = "cccd"
    name = "Căn cước công dân"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"1.{n:06d}")


class ProcedureVersionFactory(factory.django.DjangoModelFactory):
    """A draft version; with complete=True its channels fit its level (add parts with make_publishable)."""

    class Meta:
        model = ProcedureVersion
        skip_postgeneration_save = True

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Đăng ký khai sinh"
    sector = factory.SubFactory(SectorFactory)
    tiers = ["commune"]
    competent_agency = factory.SubFactory(AgencyFactory)
    level = 2
    processing_amount = 3
    processing_unit = "working_days"
    result_name = "Giấy khai sinh"
    submission_methods = ["desk", "post"]
    return_methods = ["desk", "post"]

    class Params:
        complete = factory.Trait(
            submission_methods=factory.LazyAttribute(
                lambda o: ["desk", "post", "online"] if o.level >= 3 else ["desk", "post"]
            ),
            return_methods=factory.LazyAttribute(
                lambda o: ["desk", "post", "online"] if o.level >= 4 else ["desk", "post"]
            ),
            electronic_result_allowed=factory.LazyAttribute(lambda o: o.level >= 4),
            online_payment=factory.LazyAttribute(lambda o: o.level >= 4),
        )


def make_publishable(version: ProcedureVersion, *, fee: int = 8000) -> ProcedureVersion:
    """Give a draft everything its level needs to pass the publishing rules."""
    version.receiving_desks.add(DeskFactory(agency=version.competent_agency))
    Fee.objects.create(version=version, name="Lệ phí", amount=fee)
    form = DocumentRequirement(version=version, position=1, name="Tờ khai", is_form=True)
    form.template.save("to-khai.pdf", ContentFile(tiny_pdf("test")), save=False)
    form.save()
    DocumentRequirement.objects.create(
        version=version, position=2, name="Giấy chứng sinh", document_type=DocumentTypeFactory()
    )
    if version.level >= 3:
        EFormField.objects.create(
            version=version, position=1, key="ho_ten", label="Họ và tên", field_type="text", required=True
        )
    return version


# --- dossiers ------------------------------------------------------------------------------

from onestop_tayninh.catalog.services import procedure_version_publish  # noqa: E402
from onestop_tayninh.dossiers.models import Dossier  # noqa: E402
from tests.support import tiny_pdf  # noqa: E402


def receiving_world(*, amount=3, unit="working_days", same_day_cutoff=None, accepted_types=None):
    """A published procedure received at one desk, with a receiving officer working there.

    The procedure has two required components: "Tờ khai" (a form) and "Giấy chứng sinh".
    """
    version = ProcedureVersionFactory(
        complete=True, processing_amount=amount, processing_unit=unit, same_day_cutoff=same_day_cutoff
    )
    make_publishable(version)
    if accepted_types is not None:
        version.documents.update(accepted_types=accepted_types)
    desk = DeskFactory()
    version.receiving_desks.add(desk)
    procedure_version_publish(version=version)
    version.refresh_from_db()
    official = OfficialFactory(agency=desk.agency, roles=["receiving_officer"])
    official.desks.add(desk)
    return {"version": version, "desk": desk, "agency": desk.agency, "officer": official.user}


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier waiting for the receipt check (no documents yet)."""

    class Meta:
        model = Dossier

    procedure_version = factory.SubFactory(ProcedureVersionFactory)
    receiving_desk = factory.SubFactory(DeskFactory)
    receiving_agency = factory.SelfAttribute("receiving_desk.agency")
    full_name = factory.Sequence(lambda n: f"Trần Thị Người Nộp {n}")
    cccd = factory.Sequence(lambda n: f"{72000000000 + n:012d}")


def hand_built_event(dossier, payload, *, at, actor=None, comment=""):
    """A stored DossierEvent for `payload`, written without running its subscribers: a subscriber's
    test calls the handler itself. The event carries `dossier` as given (in-memory edits included)."""
    from onestop_tayninh.dossiers.models import DossierEvent

    event = DossierEvent.objects.create(
        dossier=dossier, action=payload.kind, actor=actor, at=at, comment=comment, data=payload.to_data()
    )
    event.dossier = dossier
    return event


def accepted_event(dossier):
    """The dossier's acceptance event, carrying `dossier` as given (in-memory edits included)."""
    event = dossier.events.get(action="accepted")
    event.dossier = dossier
    return event
