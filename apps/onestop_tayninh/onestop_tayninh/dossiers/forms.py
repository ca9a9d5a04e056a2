"""The receipt form of the desk ("Tiếp nhận hồ sơ"): applicant, one upload per component, the decision."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.directory.models import ReceptionDesk

from .applicants import Applicant
from .constants import DESK_CHANNELS, TRACKED_IMPORT_MAX_ROWS, ApplicantKind, Channel, ReturnMethod


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
            .filter(receiving_desks__in=desks, tracked_only=False)
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
        "organisation_name",
        "tax_code",
        "representative",
        "return_method",
        "return_address",
    )

    def __init__(self, *args, version: ProcedureVersion, **kwargs):
        super().__init__(*args, **kwargs)
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

    @staticmethod
    def file_field_name(requirement) -> str:
        return f"document_{requirement.pk}"

    def applicant(self) -> Applicant:
        data = {name: self.cleaned_data[name] for name in self.APPLICANT_FIELDS}
        data["kind"] = data.pop("applicant_kind")
        return Applicant(**data)

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


class CheckForm(ReceiptForm):
    """The check of a dossier already started: more uploads and the decision, no applicant fields."""

    def __init__(self, *args, version: ProcedureVersion, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        for name in (*self.APPLICANT_FIELDS, "channel"):
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
