"""The receipt form of the desk ("Tiếp nhận hồ sơ"): applicant, one upload per component, the decision."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import DocumentType, ProcedureVersion
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import AdministrativeUnit, ReceptionDesk
from onestop_tayninh.directory.selectors import residence_units

from .applicants import Applicant
from .constants import DESK_CHANNELS, TRACKED_IMPORT_MAX_ROWS, ApplicantKind, Channel, ReturnMethod
from .models import IntakeFile
from .selectors import competent_unit_field
from .services import (
    MAX_PAPER_COUNT,
    DocumentMetadata,
    PaperCounts,
    intake_file_find,
    intake_file_keep,
    intake_file_open,
)

# No applicant living today was born before this day; an earlier date is a typing slip.
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class ProcedurePickerForm(forms.Form):
    """Step 1 (GET): the desk and the procedure; both limited to what the officer may receive."""

    # The search box alone may submit the form (Enter), so the browser must not insist on a choice.
    use_required_attribute = False

    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        help_text=_("Gõ mã hoặc tên thủ tục, có dấu hay không dấu, rồi nhấn Enter."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "type": "search"}),
    )
    desk = forms.ModelChoiceField(ReceptionDesk.objects.none(), label=_("Bộ phận tiếp nhận"))
    procedure = forms.ModelChoiceField(ProcedureVersion.objects.none(), label=_("Thủ tục"))

    def __init__(self, data=None, *args, user, **kwargs):
        query = (data or {}).get("q", "").strip() if data else ""
        super().__init__(data, *args, **kwargs)
        official = getattr(user, "official", None)
        desks = official.desks.filter(is_active=True) if official else ReceptionDesk.objects.none()
        self.fields["desk"].queryset = desks
        self.fields["procedure"].queryset = (
            ProcedureVersion.objects.published()
            .filter(Q(receiving_desks__in=desks) | Q(receipt_anywhere=True), tracked_only=False)
            .select_related("procedure")
            .distinct()
            .order_by("name")
        )
        if desks.count() == 1:
            self.fields["desk"].initial = desks.first()
        if query:
            # Keyboard-first: the search narrows the list; a single match is picked at once.
            matches = self.fields["procedure"].queryset.search(query)
            self.fields["procedure"].queryset = matches
            found = list(matches[:2])
            if self.data and not self.data.get("procedure") and len(found) == 1:
                self.data = self.data.copy()
                self.data["procedure"] = str(found[0].pk)
                if desks.count() == 1 and not self.data.get("desk"):
                    self.data["desk"] = str(desks.first().pk)


class UnitChoiceField(forms.ModelChoiceField):
    """A commune or ward of the province today, named with its district where there is one.
    The form sets the choices (`units_today`) when it is made, not when the module is imported."""

    def __init__(self, **kwargs):
        super().__init__(
            AdministrativeUnit.objects.none(),
            error_messages={
                "invalid_choice": _(
                    "Xã, phường này không thuộc danh mục đơn vị hành chính hiện hành của tỉnh; "
                    "hãy chọn trong danh sách."
                )
            },
            **kwargs,
        )

    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return unit_label(obj)


def unit_label(unit: AdministrativeUnit) -> str:
    """A commune or ward as people name it: with its district where there is one."""
    parent = unit.parent
    if parent is not None and parent.tier == Tier.DISTRICT:
        return f"{unit.name} — {parent.name}"
    return unit.name


def units_today():
    return residence_units(timezone.localdate()).order_by("parent__name", "name")


class ReceiptForm(forms.Form):
    """Step 2 (POST): applicant data, files, and which of the three outcomes (Forms 01, 02, 03)."""

    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(value, label) for value, label in Channel.choices if value in DESK_CHANNELS],
        initial=Channel.DESK,
    )
    applicant_kind = forms.ChoiceField(label=_("Đối tượng"), choices=ApplicantKind.choices)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False)
    cccd = forms.CharField(label=_("Số CCCD"), max_length=12, required=False)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    phone = forms.CharField(label=_("Điện thoại"), max_length=12, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    applicant_unit = UnitChoiceField(
        label=_("Nơi cư trú (xã, phường)"),
        required=False,
        empty_label=_("— Chọn xã, phường —"),
        help_text=_("Tổ chức: nơi đặt trụ sở. Cơ quan giải quyết được xác định theo nơi này, không theo nơi nộp."),
    )
    object_unit = UnitChoiceField(
        label=_("Nơi có đối tượng của thủ tục (xã, phường)"),  # each procedure names it (object_unit_label)
        required=False,
        empty_label=_("— Chọn xã, phường —"),
    )
    organisation_name = forms.CharField(label=_("Tên tổ chức"), max_length=255, required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=14, required=False)
    representative = forms.CharField(label=_("Người đại diện"), max_length=255, required=False)
    return_method = forms.ChoiceField(label=_("Cách nhận kết quả"), choices=ReturnMethod.choices)
    return_address = forms.CharField(label=_("Địa chỉ nhận kết quả"), max_length=500, required=False)
    items = forms.CharField(
        label=_("Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    APPLICANT_FIELDS = (
        "applicant_kind",
        "full_name",
        "cccd",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "applicant_unit",
        "organisation_name",
        "tax_code",
        "representative",
        "return_method",
        "return_address",
    )

    # What was handed in on paper with each component: (field prefix, label, PaperCounts attribute).
    PAPER_COUNTS = (
        ("originals", _("Bản chính"), "originals"),
        ("certified", _("Bản sao chứng thực"), "certified_copies"),
        ("photocopies", _("Bản chụp"), "photocopies"),
    )

    # Shown only for an organisation (the page hides them for an individual; clean() drops what stayed).
    ORGANISATION_FIELDS = ("organisation_name", "tax_code", "representative")

    def __init__(self, *args, version: ProcedureVersion, desk: ReceptionDesk | None = None, officer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.officer = officer
        # Files kept from an earlier try of this form (services.intake_file_keep), by requirement id.
        self.kept: dict[int, IntakeFile] = {}
        today = timezone.localdate()
        if "date_of_birth" in self.fields:
            self.fields["date_of_birth"].widget.attrs["max"] = today.isoformat()
        needed = competent_unit_field(version)
        units = units_today()
        self.fields["applicant_unit"].queryset = self.fields["object_unit"].queryset = units
        self.fields["applicant_unit"].required = needed == "applicant_unit"
        if needed == "object_unit":
            self.fields["object_unit"].required = True
            self.fields["object_unit"].label = version.object_unit_label
            self.fields["object_unit"].help_text = _(
                "Cơ quan giải quyết được xác định theo nơi này, không theo nơi nộp."
            )
        else:
            self.fields.pop("object_unit")
        if needed != "applicant_unit":
            # The residence decides nothing here (a named body, the object's place, the desk's committee).
            self.fields["applicant_unit"].help_text = _("Tổ chức: nơi đặt trụ sở.")
        if desk is not None and desk.unit.tier == Tier.COMMUNE:
            # Most people hand in at their own commune's desk; the officer corrects it for the others.
            self.fields["applicant_unit"].initial = desk.unit_id
        self.requirements = list(version.documents.all())
        for requirement in self.requirements:
            self.fields[self.file_field_name(requirement)] = forms.FileField(
                label=requirement.name,
                required=False,
                help_text=requirement.get_requirement_display(),
                widget=forms.ClearableFileInput(
                    attrs={"accept": ",".join(f".{kind}" for kind in requirement.accepted_types)}
                ),
            )
            self._add_slot_fields(requirement)
            self.fields[f"kept_{requirement.pk}"] = forms.CharField(
                required=False, max_length=32, widget=forms.HiddenInput
            )
            self.fields[f"issue_date_{requirement.pk}"].widget.attrs["max"] = today.isoformat()
            # Prefilled with what the procedure asks for; the officer writes what was really handed in.
            required = PaperCounts.required_by(requirement)
            for prefix, label, attribute in self.PAPER_COUNTS:
                self.fields[self.count_field_name(prefix, requirement)] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=MAX_PAPER_COUNT,
                    initial=getattr(required, attribute),
                    error_messages={
                        "invalid": _("Hãy nhập số bản bằng chữ số."),
                        "min_value": _("Số bản không được âm."),
                        "max_value": _("Mỗi loại bản tối đa %(limit_value)s bản."),
                    },
                    widget=forms.NumberInput(attrs={"class": "paper-count", "min": 0, "max": MAX_PAPER_COUNT}),
                )

    @staticmethod
    def file_field_name(requirement) -> str:
        return f"document_{requirement.pk}"

    @staticmethod
    def count_field_name(prefix: str, requirement) -> str:
        return f"{prefix}_{requirement.pk}"

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("Ngày sinh không được sau ngày hôm nay."))
        if born and born < EARLIEST_BIRTH:
            raise forms.ValidationError(_("Ngày sinh phải từ năm 1900 trở về sau."))
        return born

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if data.get("applicant_kind") != ApplicantKind.ORGANISATION:
            for name in self.ORGANISATION_FIELDS:
                if name in self.fields:
                    data[name] = ""
        # The dossier's own rules (Dossier.clean), said at once with the form's, at their fields.
        if "full_name" in self.fields:
            if data.get("applicant_kind") == ApplicantKind.INDIVIDUAL and not (data.get("full_name") or "").strip():
                self.add_error("full_name", _("Hãy nhập họ và tên người nộp hồ sơ."))
            if (
                data.get("applicant_kind") == ApplicantKind.ORGANISATION
                and not (data.get("organisation_name") or "").strip()
            ):
                self.add_error("organisation_name", _("Hãy nhập tên tổ chức nộp hồ sơ."))
        if "return_method" in self.fields:
            if data.get("return_method") == ReturnMethod.POST and not (data.get("return_address") or "").strip():
                self.add_error("return_address", _("Nhận kết quả qua bưu chính cần địa chỉ nhận."))
        for requirement in self.requirements:
            issued = data.get(f"issue_date_{requirement.pk}")
            if issued and issued > today:
                self.add_error(f"issue_date_{requirement.pk}", _("Ngày cấp không được sau ngày hôm nay."))
            self._use_kept_file(requirement, data)
        # A component handed in must come with at least one sheet of paper; the service checks it
        # too (dossiers.services.PaperCounts.check), the form shows it beside the component.
        for requirement in self.requirements:
            if not data.get(self.file_field_name(requirement)):
                continue
            names = [self.count_field_name(prefix, requirement) for prefix, _label, _attribute in self.PAPER_COUNTS]
            if any(name in self.errors for name in names):
                continue
            values = [data.get(name) for name in names]
            # Left empty altogether: the procedure's numbers (the page prefills them anyway).
            if any(value is not None for value in values) and not any(values):
                self.add_error(
                    self.file_field_name(requirement),
                    _("Hãy ghi số bản chính, bản sao chứng thực hoặc bản chụp đã nhận (ít nhất một bản)."),
                )
        return data

    def _use_kept_file(self, requirement, data) -> None:
        """No new file chosen for the component, but one kept from the earlier try: that one it is."""
        name = self.file_field_name(requirement)
        token = data.get(f"kept_{requirement.pk}") or ""
        if data.get(name) or not token or self.officer is None:
            return
        kept = intake_file_find(officer=self.officer, requirement=requirement, token=token)
        if kept is None:
            self.add_error(name, _("Tệp đã giữ lại cho thành phần này không còn; hãy chọn lại tệp."))
            return
        try:
            data[name] = intake_file_open(kept)
        except (forms.ValidationError, OSError):
            self.add_error(name, _("Tệp đã giữ lại cho thành phần này không còn; hãy chọn lại tệp."))
            return
        self.kept[requirement.pk] = kept

    def keep_files(self, *, at) -> list[str]:
        """The form comes back with an error: keep each new file that passes its component's gate
        (a refused one is named at its component), so the officer does not choose it again.
        Returns the names of every file kept, for the page to say so."""
        if self.officer is None:
            return []
        if self._errors is None:
            self.full_clean()
        for requirement in self.requirements:
            name = self.file_field_name(requirement)
            upload = self.files.get(name) if self.files else None
            if upload is None:
                continue
            try:
                self.kept[requirement.pk] = intake_file_keep(
                    officer=self.officer, requirement=requirement, file=upload, at=at
                )
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return [kept.original_name for kept in self.kept.values()]

    def kept_tokens(self) -> list[str]:
        return [kept.token for kept in self.kept.values()]

    def paper_counts(self) -> dict[int, PaperCounts]:
        """Per requirement id, the paper handed in with its file (components with a file whose
        counts were given; the others get the procedure's numbers from the service)."""
        counts = {}
        for requirement in self.requirements:
            if not self.cleaned_data.get(self.file_field_name(requirement)):
                continue
            values = {
                attribute: self.cleaned_data.get(self.count_field_name(prefix, requirement))
                for prefix, _label, attribute in self.PAPER_COUNTS
            }
            if any(value is not None for value in values.values()):
                counts[requirement.pk] = PaperCounts(**{key: value or 0 for key, value in values.items()})
        return counts

    def applicant(self) -> Applicant:
        data = {name: self.cleaned_data[name] for name in self.APPLICANT_FIELDS}
        data["kind"] = data.pop("applicant_kind")
        data["unit"] = data.pop("applicant_unit")
        return Applicant(**data)

    def object_unit_chosen(self) -> AdministrativeUnit | None:
        return self.cleaned_data.get("object_unit")

    def uploads(self) -> list[tuple]:
        return [
            (requirement, self.cleaned_data[self.file_field_name(requirement)])
            for requirement in self.requirements
            if self.cleaned_data.get(self.file_field_name(requirement))
        ]

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]

    def file_fields(self):
        return [self[self.file_field_name(requirement)] for requirement in self.requirements]

    # --- per component: a document already held instead of a scan, and the digitisation metadata ---

    META_FIELDS = ("doctype", "number", "issuer", "issue_date")

    def _add_slot_fields(self, requirement) -> None:
        pk = requirement.pk
        self.fields[f"reuse_{pk}"] = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
        self.fields[f"doctype_{pk}"] = forms.ModelChoiceField(
            DocumentType.objects.all(),
            label=_("Loại giấy tờ"),
            required=False,
            initial=requirement.document_type_id,
            empty_label=_("— Chưa phân loại —"),
        )
        self.fields[f"number_{pk}"] = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)
        self.fields[f"issuer_{pk}"] = forms.CharField(label=_("Cơ quan cấp"), max_length=255, required=False)
        self.fields[f"issue_date_{pk}"] = forms.DateField(
            label=_("Ngày cấp"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def reuses(self) -> list[tuple]:
        """(requirement, offer key) for each component the officer took from the documents already held."""
        return [
            (requirement, self.cleaned_data[f"reuse_{requirement.pk}"])
            for requirement in self.requirements
            if self.cleaned_data.get(f"reuse_{requirement.pk}")
        ]

    def metadata(self) -> dict[int, DocumentMetadata]:
        """What the officer typed off each paper document (số hóa), by requirement id."""
        return {
            requirement.pk: DocumentMetadata(
                document_type=self.cleaned_data.get(f"doctype_{requirement.pk}"),
                number=self.cleaned_data.get(f"number_{requirement.pk}") or "",
                issuer=self.cleaned_data.get(f"issuer_{requirement.pk}") or "",
                issue_date=self.cleaned_data.get(f"issue_date_{requirement.pk}"),
            )
            for requirement in self.requirements
        }

    def slots(self, held=()) -> list[dict]:
        """One block per component for the page: its upload, the documents held that could stand for
        it (the same document type first), the one chosen, and the metadata fields."""
        offers = [item for _source, items in held for item in items]
        slots = []
        for requirement in self.requirements:
            pk = requirement.pk
            same_type = requirement.document_type_id
            # The same component of an earlier dossier first, then the same document type, then the rest.
            ranked = sorted(
                offers,
                key=lambda item: (
                    item.title != requirement.name,
                    not (same_type and item.document_type_id == same_type),
                ),
            )
            chosen = (self.data.get(f"reuse_{pk}") if self.is_bound else "") or ""
            slots.append(
                {
                    "requirement": requirement,
                    "file": self[self.file_field_name(requirement)],
                    "reuse_name": f"reuse_{pk}",
                    "chosen": chosen,
                    "offers": ranked,
                    "meta": [self[f"{name}_{pk}"] for name in self.META_FIELDS],
                    "kept": self.kept.get(pk),
                    # What was handed in on paper with the scan (Form 01 lists it).
                    "counts": [
                        self[self.count_field_name(prefix, requirement)] for prefix, _l, _a in self.PAPER_COUNTS
                    ],
                }
            )
        return slots


class CheckForm(ReceiptForm):
    """The check of a dossier already started: more uploads and the decision, no applicant fields."""

    def __init__(self, *args, version: ProcedureVersion, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        for name in (*self.APPLICANT_FIELDS, "channel", "object_unit"):
            self.fields.pop(name, None)


# --- tracked-only procedures: entered by the competent agency itself -----------------------------


class TrackedPickerForm(forms.Form):
    """Step 1 (GET): which of the agency's tracked-only procedures the dossier is for."""

    procedure = forms.ModelChoiceField(ProcedureVersion.objects.none(), label=_("Thủ tục chỉ theo dõi"))

    def __init__(self, data=None, *args, versions: list[ProcedureVersion], **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["procedure"].queryset = (
            ProcedureVersion.objects.filter(pk__in=[v.pk for v in versions])
            .select_related("procedure")
            .order_by("name")
        )
        self.fields["procedure"].label_from_instance = lambda v: f"{v.procedure.code} — {v.name}"
        if len(versions) == 1:
            self.fields["procedure"].initial = versions[0].pk


class TrackedEntryForm(ReceiptForm):
    """Step 2 (POST): when the agency received the dossier, the applicant, optional scans.

    The desk's receipt form without what only a desk decides (channel, Forms 02/03): the dossier was
    received at the agency, and a tracked dossier is entered once it was received.
    """

    reference = forms.CharField(
        label=_("Số tham chiếu"),
        max_length=64,
        required=False,
        help_text=_("Số hồ sơ trong sổ của cơ quan, nếu có: cùng số tham chiếu không được nhập hai lần."),
    )
    received_date = forms.DateField(
        label=_("Ngày tiếp nhận"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Hôm nay hoặc một ngày làm việc đã qua (trong vòng một năm)."),
    )
    received_time = forms.TimeField(
        label=_("Giờ tiếp nhận"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    APPLICANT_FIELDS = tuple(name for name in ReceiptForm.APPLICANT_FIELDS if not name.startswith("return_"))

    def __init__(self, *args, version: ProcedureVersion, today, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        for name in ("channel", "items", "reason", "return_method", "return_address"):
            self.fields.pop(name)
        self.fields["received_date"].widget.attrs["max"] = today.isoformat()
        for requirement in self.requirements:
            self.fields[self.file_field_name(requirement)].help_text = _("Không bắt buộc")

    def received_at(self):
        from onestop_tayninh.calendars.engine import VIETNAM_TZ

        return dt.datetime.combine(
            self.cleaned_data["received_date"], self.cleaned_data["received_time"], tzinfo=VIETNAM_TZ
        )

    def applicant(self) -> Applicant:
        data = {name: self.cleaned_data[name] for name in self.APPLICANT_FIELDS}
        data["kind"] = data.pop("applicant_kind")
        data["unit"] = data.pop("applicant_unit")
        return Applicant(**data)

    #: Where the service's messages go: its field names that are not the form's.
    SERVICE_FIELDS = {"received_at": "received_date", "procedure": None}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            name = self.SERVICE_FIELDS.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class TrackedUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bảng tính đã điền"),
        help_text=format_lazy(
            _("Tệp Excel (.xlsx) hoặc CSV theo mẫu, tối đa {n} dòng hồ sơ."), n=TRACKED_IMPORT_MAX_ROWS
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
