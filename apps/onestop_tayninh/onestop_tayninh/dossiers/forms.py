"""The receipt form of the desk ("Tiếp nhận hồ sơ"): applicant, one upload per component, the decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.directory.models import ReceptionDesk

from .applicants import Applicant
from .constants import DESK_CHANNELS, ApplicantKind, Channel, ReturnMethod
from .services import MAX_PAPER_COUNT, PaperCounts


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

    # What was handed in on paper with each component: (field prefix, label, PaperCounts attribute).
    PAPER_COUNTS = (
        ("originals", _("Bản chính"), "originals"),
        ("certified", _("Bản sao chứng thực"), "certified_copies"),
        ("photocopies", _("Bản chụp"), "photocopies"),
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

    def clean(self):
        data = super().clean()
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
        """Each component's upload, carrying its paper-count inputs as `.counts` for the template."""
        fields = []
        for requirement in self.requirements:
            field = self[self.file_field_name(requirement)]
            field.counts = [self[self.count_field_name(prefix, requirement)] for prefix, _l, _a in self.PAPER_COUNTS]
            fields.append(field)
        return fields


class CheckForm(ReceiptForm):
    """The check of a dossier already started: more uploads and the decision, no applicant fields."""

    def __init__(self, *args, version: ProcedureVersion, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        for name in (*self.APPLICANT_FIELDS, "channel"):
            self.fields.pop(name, None)
