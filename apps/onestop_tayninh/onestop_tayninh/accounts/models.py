from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import AccountKind, IdentityCheck, IdentityState, Sex


class User(AbstractUser):
    """One login table for officials and citizens; `kind` keeps them apart.

    Officials get a `directory.Official` profile (agency, desks, position);
    citizens get their own profile in the portal.
    """

    kind = models.CharField(
        _("loại tài khoản"),
        max_length=16,
        choices=AccountKind.choices,
        default=AccountKind.OFFICIAL,
        help_text=_("Cán bộ làm việc trên bàn làm việc; công dân dùng cổng dịch vụ công."),
    )
    full_name = models.CharField(
        _("họ và tên"), max_length=150, blank=True, help_text=_("Họ tên đầy đủ, có dấu, ví dụ Nguyễn Thị Lan.")
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, help_text=_("Số điện thoại liên hệ."))

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == AccountKind.OFFICIAL

    def access_scope(self, *, dossiers: bool = False) -> str:
        """The widest row-level scope among this user's roles, or among those reading dossiers (see core.rowlevel)."""
        from onestop_tayninh.directory.selectors import user_access_scope

        return user_access_scope(self, dossiers=dossiers)


class CitizenProfile(models.Model):
    """A citizen's or organisation's identity on the portal (docs/domain.md §8: the repository's metadata).

    The identifier (CCCD for a person, tax code for an organisation) is unique: one account
    per person, so the dossiers and the vault of a person are in one place.
    """

    user = models.OneToOneField(
        User,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="citizen",
        help_text=_("Tài khoản đăng nhập của công dân, tổ chức."),
    )
    applicant_kind = models.CharField(
        _("cá nhân hay tổ chức"),
        max_length=16,
        choices=[("individual", _("Cá nhân")), ("organisation", _("Tổ chức"))],
        default="individual",
        help_text=_("Cá nhân đăng ký bằng CCCD; tổ chức đăng ký bằng mã số thuế."),
    )
    cccd = models.CharField(
        _("số CCCD"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Số căn cước công dân 12 chữ số (cá nhân)."),
    )
    tax_code = models.CharField(
        _("mã số thuế"),
        max_length=14,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mã số thuế của tổ chức (10 hoặc 13 chữ số, có thể có dấu gạch)."),
    )
    organisation_name = models.CharField(
        _("tên tổ chức"), max_length=255, blank=True, help_text=_("Tên đầy đủ của tổ chức (nếu là tổ chức).")
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True, help_text=_("Ngày sinh (cá nhân)."))
    sex = models.CharField(
        _("giới tính"),
        max_length=8,
        choices=Sex.choices,
        blank=True,
        help_text=_("Giới tính như trên thẻ CCCD (chữ số thứ tư của số CCCD phải khớp)."),
    )
    phone_verified_at = models.DateTimeField(
        _("xác nhận số điện thoại lúc"),
        null=True,
        blank=True,
        help_text=_("Lúc công dân nhập đúng mã gửi qua SMS đến số điện thoại hiện tại; cần có trước khi nộp hồ sơ."),
    )
    identity_verified_at = models.DateTimeField(
        _("xác minh danh tính lúc"),
        null=True,
        blank=True,
        help_text=_(
            "Lúc xác minh người dùng tài khoản đúng là chủ số CCCD (qua VNeID hoặc tại quầy); trống là chưa xác minh."
        ),
    )
    identity_verified_via = models.CharField(
        _("xác minh danh tính qua"),
        max_length=16,
        choices=IdentityCheck.choices,
        blank=True,
        help_text=_("VNeID, hoặc cán bộ bộ phận một cửa đã kiểm tra thẻ CCCD."),
    )
    identity_verified_by = models.ForeignKey(
        User,
        verbose_name=_("cán bộ xác minh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ đã kiểm tra thẻ CCCD tại quầy (nếu xác minh tại quầy)."),
    )
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True, help_text=_("Địa chỉ liên hệ."))
    email_verified_at = models.DateTimeField(
        _("xác thực thư điện tử lúc"),
        null=True,
        blank=True,
        help_text=_("Lúc công dân bấm liên kết xác thực gửi đến hộp thư."),
    )
    identity_provider = models.CharField(
        _("đăng nhập qua"),
        max_length=32,
        default="password",
        help_text=_("Phương thức xác thực đã tạo tài khoản (mật khẩu, VNeID…)."),
    )
    # Empty until the citizen first chooses: every channel that can reach them, a channel added later
    # included. notifications.services.citizen_messages reads it.
    notice_channels = models.JSONField(
        _("nhận thông báo qua"),
        default=list,
        blank=True,
        help_text=_(
            "Các kênh công dân chọn để nhận thông báo về hồ sơ (email, sms, zalo); trống: mọi kênh liên lạc được. "
            "Nếu không kênh nào đã chọn liên lạc được, thông báo gửi qua mọi kênh liên lạc được."
        ),
    )
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True, help_text=_("Lúc tạo tài khoản."))

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")
        permissions = [("verify_citizen_identity", _("Xác minh danh tính công dân tại quầy (kiểm tra thẻ CCCD)"))]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation_name or self.user.full_name or self.user.username

    @property
    def identifier(self) -> str:
        return self.cccd or self.tax_code or ""

    @property
    def identity_state(self) -> str:
        """Verified once VNeID or an officer proved the person holds the CCCD; only then do documents
        tied to the CCCD from other sources (counter dossiers, results) show in the account."""
        return IdentityState.VERIFIED if self.cccd and self.identity_verified_at else IdentityState.UNVERIFIED

    @property
    def identity_verified(self) -> bool:
        return self.identity_state == IdentityState.VERIFIED

    @property
    def phone_confirmed(self) -> bool:
        return bool(self.user.phone and self.phone_verified_at)
