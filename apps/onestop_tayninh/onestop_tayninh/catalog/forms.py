"""Desk forms for the catalogue: JSON list fields shown as checkboxes, and the spreadsheet import's form."""

from import_export.forms import ImportForm

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.accounts.constants import ApplicantKind
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.security.uploads import check_spreadsheet, max_upload_bytes

from .constants import PROCEDURE_CHANNELS, FileKind
from .models import DocumentRequirement, ProcedureVersion


class ChoiceListField(forms.MultipleChoiceField):
    """A JSON list of choice values edited as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        return value or []


CHANNEL_CHOICES = [(str(channel), channel.label) for channel in PROCEDURE_CHANNELS]


class ProcedureVersionForm(forms.ModelForm):
    tiers = ChoiceListField(label=_("Cấp thực hiện"), choices=Tier.choices)
    submission_methods = ChoiceListField(label=_("Cách thức nộp"), choices=CHANNEL_CHOICES)
    return_methods = ChoiceListField(label=_("Cách thức nhận kết quả"), choices=CHANNEL_CHOICES)
    applicant_kinds = ChoiceListField(label=_("Đối tượng thực hiện"), choices=ApplicantKind.choices)

    class Meta:
        model = ProcedureVersion
        fields = "__all__"  # noqa: DJ007 - desk-only form; the admin fieldsets choose what is shown


class DocumentRequirementForm(forms.ModelForm):
    accepted_types = ChoiceListField(label=_("Loại tệp chấp nhận"), choices=FileKind.choices)

    class Meta:
        model = DocumentRequirement
        fields = "__all__"  # noqa: DJ007 - desk-only form; the admin fieldsets choose what is shown


class CatalogImportForm(ImportForm):
    """The catalogue import (django-import-export): a CSV or an Excel workbook, judged from its content;
    a workbook passes the upload gate, viruses included. A refusal says what is expected, in words."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_spreadsheet(upload, max_bytes=max_upload_bytes())
        return upload
