"""Forms of the citizen account pages, and the desk's account form. They check shapes; the services decide
(duplicates, rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, ReadOnlyPasswordHashWidget, UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import AccountKind, ApplicantKind, NoticeChannel, Sex
from .identifiers import EMAIL_INVALID, login_interpretations, normalise_email, normalise_phone
from .selectors import citizen_candidates

PASSWORD_MISMATCH = _("Hai mật khẩu đã nhập không giống nhau.")


def _password_help() -> str:
    # The configured validators' own texts (Django's Vietnamese translation), so the hint never
    # drifts from the rules in settings.AUTH_PASSWORD_VALIDATORS.
    return " ".join(str(text) for text in password_validation.password_validators_help_texts())


class RegisterForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=_("Đăng ký cho"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.INDIVIDUAL,
        error_messages={"required": _("Hãy chọn cá nhân hoặc tổ chức.")},
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        error_messages={"required": _("Hãy nhập họ và tên.")},
        help_text=_("Đầy đủ, có dấu, như trên CCCD. Tổ chức: họ tên người đăng ký."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    cccd = forms.CharField(
        label=_("Số CCCD"),
        required=False,
        max_length=20,
        help_text=_("12 chữ số trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={"invalid": _("Ngày sinh không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 17/05/1990.")},
        help_text=_("Như trên thẻ CCCD."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday"}),
    )
    sex = forms.ChoiceField(
        label=_("Giới tính"),
        required=False,
        choices=Sex.choices,
        error_messages={"invalid_choice": _("Hãy chọn giới tính Nam hoặc Nữ.")},
        widget=forms.RadioSelect,
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        required=False,
        max_length=20,
        help_text=_("10 chữ số; chi nhánh: 10 chữ số, dấu gạch và 3 chữ số (0312345678-001)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": "20"}),
    )
    organisation_name = forms.CharField(
        label=_("Tên tổ chức"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=128,
        error_messages={"required": _("Hãy nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        max_length=128,
        error_messages={"required": _("Hãy nhập lại mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _password_help()
        self.fields["phone"].help_text = _(
            "Chúng tôi gửi mã xác nhận qua SMS đến số này; cần xác nhận số điện thoại trước khi nộp hồ sơ."
        )

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", PASSWORD_MISMATCH)
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for services.citizen_registration_start (whose error keys are these field names)."""
        data = getattr(self, "cleaned_data", {})
        names = ["applicant_kind", "full_name", "cccd", "tax_code", "organisation_name", "phone", "email", "password"]
        arguments: dict[str, Any] = {name: data.get(name) or "" for name in names}
        arguments["date_of_birth"] = data.get("date_of_birth")
        arguments["sex"] = data.get("sex") or ""
        return arguments


class LoginForm(AuthenticationForm):
    """Phone, e-mail, CCCD or tax code, and the password; only citizen accounts get in."""

    username = forms.CharField(
        label=_("Số điện thoại, thư điện tử hoặc số CCCD/mã số thuế"),
        max_length=254,
        error_messages={"required": _("Hãy nhập số điện thoại, thư điện tử hoặc số CCCD/mã số thuế.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=128,
        error_messages={"required": _("Hãy nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Thông tin đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra lại rồi thử lần nữa, "
            "hoặc dùng chức năng “Quên mật khẩu”."
        ),
        "inactive": _("Thông tin đăng nhập hoặc mật khẩu không đúng."),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sizes the field to the username column; ours takes e-mail addresses.
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = "254"

    @staticmethod
    def lockout_name(identifier: str) -> str:
        """The name django-axes counts failures under: the account's username when the identifier
        names exactly one account, so that phone, e-mail and CCCD share one counter; otherwise
        the identifier's normalised form, so "+84 912…" and "0912…" still count as one.
        """
        candidates = citizen_candidates(identifier)
        if len(candidates) == 1:
            return candidates[0].username
        readings = login_interpretations(identifier)
        for kind in ("email", "phone", "cccd", "tax_code"):
            if kind in readings:
                return readings[kind]
        return identifier.strip()

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier and password:
            self.user_cache = authenticate(
                self.request, username=self.lockout_name(identifier), password=password, portal=True
            )
            # An official's username and password are right for the desk, not here: same answer as a wrong one.
            if self.user_cache is None or self.user_cache.kind != AccountKind.CITIZEN:
                self.user_cache = None
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class PasswordResetRequestForm(forms.Form):
    contact = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại đã đăng ký"),
        max_length=254,
        error_messages={"required": _("Hãy nhập địa chỉ thư điện tử hoặc số điện thoại đã đăng ký.")},
        help_text=_("Có thư điện tử: chúng tôi gửi liên kết đặt lại mật khẩu. Chỉ có số điện thoại: gửi mã 6 chữ số."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        try:
            if "@" in value:
                self.channel, normalised = "email", normalise_email(value)
            else:
                self.channel, normalised = "sms", normalise_phone(value)
        except ValidationError:
            raise ValidationError(
                _("Hãy nhập địa chỉ thư điện tử hoặc số điện thoại di động đã đăng ký."), code="invalid"
            ) from None
        return normalised


class ResetCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Mã xác nhận"),
        regex=r"^[0-9]{6}$",
        max_length=6,
        error_messages={"invalid": _("Mã xác nhận gồm 6 chữ số."), "required": _("Hãy nhập mã xác nhận.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "maxlength": "6"}
        ),
    )


class DeskVerifyForm(forms.Form):
    """The officer's confirmation that they looked at the person's CCCD card."""

    card_checked = forms.BooleanField(
        label=_("Tôi đã kiểm tra thẻ CCCD bản gốc: ảnh đúng người đến quầy, số CCCD và họ tên khớp với tài khoản."),
        required=False,
    )


class DeskClaimForm(forms.Form):
    """At the desk, the holder of a CCCD that another (unverified) account registered takes it back."""

    cccd = forms.CharField(
        label=_("Số CCCD trên thẻ"),
        max_length=20,
        error_messages={"required": _("Hãy nhập số CCCD trên thẻ.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Họ và tên trên thẻ"), max_length=150, required=False)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh trên thẻ"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={"invalid": _("Ngày sinh không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 17/05/1990.")},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    sex = forms.ChoiceField(label=_("Giới tính trên thẻ"), required=False, choices=[("", "—"), *Sex.choices])
    phone = forms.CharField(
        label=_("Số điện thoại di động của chủ thẻ"),
        max_length=20,
        required=False,
        help_text=_("Chủ thẻ đặt mật khẩu bằng chức năng “Quên mật khẩu”: mã được gửi qua SMS đến số này."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    card_checked = forms.BooleanField(
        label=_("Tôi đã kiểm tra thẻ CCCD bản gốc: ảnh đúng người đến quầy, số CCCD, họ tên, ngày sinh khớp với thẻ."),
        required=False,
    )


class ProfileForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID},
        help_text=_("Đổi địa chỉ thì cần xác thực lại: chúng tôi gửi liên kết đến địa chỉ mới."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        # ISO from the date picker; day/month/year typed by hand where there is no picker (never US order).
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={"invalid": _("Ngày sinh không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 17/05/1990.")},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ liên hệ"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def __init__(self, *args, individual: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not individual:
            del self.fields["date_of_birth"]


class NoticeChannelsForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Nhận thông báo về hồ sơ qua"),
        choices=NoticeChannel.choices,
        required=False,  # at least one: the service says so, with its own message
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Zalo chỉ gửi được khi tài khoản đã liên kết với Zalo của Cổng dịch vụ công. Nếu không kênh nào bạn "
            "chọn liên lạc được, thông báo vẫn được gửi qua thư điện tử và SMS."
        ),
    )


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    """Whether the account has a password, and the button to set a new one.

    Django's widget lists the hash's algorithm, iterations and the first characters of its salt: of
    no use to an administrator, and random text on a page that is otherwise plain Vietnamese.
    """

    template_name = "accounts/widgets/password_state.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        context["state"] = _("Đã đặt mật khẩu.") if usable else _("Chưa đặt mật khẩu.")
        return context


class DeskUserChangeForm(UserChangeForm):
    """The desk's account form: the password shown as a state, never as its hash."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordStateWidget()
