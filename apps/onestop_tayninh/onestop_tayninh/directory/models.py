"""The administrative directory: units, agencies, desks, roles and officials.

All of it is data edited in the desk or loaded from `sites/<name>/`, because the
structure changed in 2025 (districts abolished, provinces merged) and will change again.
"""

import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import functions
from django.utils.translation import gettext_lazy as _

from .constants import (
    AGENCY_CODE_REGEX,
    ROLE_CODE_REGEX,
    TIER_RANK,
    AgencyKind,
    Capability,
    DeskKind,
    RoleScope,
    Tier,
)
from .query import AgencyQuerySet, OfficialQuerySet, ReceptionDeskQuerySet

agency_code_validator = RegexValidator(
    AGENCY_CODE_REGEX,
    _("Mã định danh cơ quan phải theo QCVN 102:2016 dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.14.H53."),
)
unit_code_validator = RegexValidator(r"^\d{2,5}$", _("Mã đơn vị hành chính gồm 2 đến 5 chữ số (mã thống kê)."))

# The words naming the kind of an administrative unit, longest first ("Thị xã" before "Xã").
UNIT_KIND_WORDS = re.compile(r"^(thành phố|thị trấn|thị xã|đặc khu|tỉnh|huyện|quận|phường|xã)\s+(.+)$", re.IGNORECASE)


def unit_place_name(unit: "AdministrativeUnit | None") -> str:
    """The place name a body seated in `unit` writes before the date (Nghị định 30/2020/NĐ-CP, Phụ lục I).

    The unit's own name without the word for its kind ("Huyện Tân Biên" → "Tân Biên", "Tỉnh Tây Ninh"
    → "Tây Ninh"), except a unit named by a number, which keeps its full name ("Phường 1"). A unit
    named after a person or a historical event also keeps its full name; that cannot be read from
    the name, so such an agency sets `Agency.place_name`.
    """
    if unit is None:
        return ""
    name = " ".join(unit.name.split())
    match = UNIT_KIND_WORDS.match(name)
    if match is None:
        return name
    rest = match.group(2)
    return name if rest[:1].isdigit() else rest


class AdministrativeUnit(models.Model):
    code = models.CharField(
        _("mã đơn vị"),
        max_length=5,
        unique=True,
        validators=[unit_code_validator],
        help_text=_("Mã thống kê: tỉnh 2 chữ số, huyện 3 chữ số, xã 5 chữ số."),
        error_messages={"unique": _("Mã đơn vị hành chính này đã tồn tại.")},
    )
    name = models.CharField(_("tên đơn vị"), max_length=150, help_text=_("Tên đầy đủ, ví dụ Huyện Tân Biên."))
    tier = models.CharField(_("cấp"), max_length=16, choices=Tier.choices, help_text=_("Cấp hành chính."))
    kind = models.CharField(
        _("loại đơn vị"),
        max_length=32,
        blank=True,
        help_text=_("Tỉnh, thành phố, thị xã, huyện, phường, xã, thị trấn."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Đơn vị hành chính trực tiếp quản lý; để trống với cấp tỉnh."),
    )
    # Materialised path of primary keys ("1/5/23/") so "this unit and below" is one indexed prefix match.
    path = models.CharField(_("đường dẫn"), max_length=255, editable=False, db_index=True, default="")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True, help_text=_("Ngày đơn vị được thành lập."))
    valid_to = models.DateField(
        _("hiệu lực đến"), null=True, blank=True, help_text=_("Ngày cuối cùng tồn tại (đơn vị đã sáp nhập, giải thể).")
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path needs our primary key, so a new unit is saved twice.
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k not in ("force_insert",)}
        old_path = self.path
        self.path = f"{self.parent.path if self.parent_id else ''}{self.pk}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Re-parented: every descendant's path changes by the same prefix.
            AdministrativeUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=functions.Concat(models.Value(self.path), functions.Substr("path", len(old_path) + 1))
            )

    def ancestors(self) -> list["AdministrativeUnit"]:
        chain, node, seen = [], self.parent, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return chain

    def clean(self) -> None:
        errors = {}
        if self.parent_id:
            if self.pk and (self.parent_id == self.pk or any(a.pk == self.pk for a in self.parent.ancestors())):
                errors["parent"] = _("Một đơn vị không thể là cấp trên của chính nó.")
            elif self.tier and TIER_RANK[Tier(self.parent.tier)] >= TIER_RANK[Tier(self.tier)]:
                errors["parent"] = _("Đơn vị cấp trên phải ở cấp cao hơn (tỉnh → huyện → xã).")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("Ngày hết hiệu lực phải sau ngày có hiệu lực.")
        if errors:
            raise ValidationError(errors)


class Agency(models.Model):
    code = models.CharField(
        _("mã định danh"),
        max_length=13,
        unique=True,
        validators=[agency_code_validator],
        help_text=_("Mã định danh theo QCVN 102:2016, ví dụ 000.00.14.H53; dùng làm tiền tố mã hồ sơ."),
        error_messages={"unique": _("Mã định danh cơ quan này đã được dùng.")},
    )
    name = models.CharField(_("tên cơ quan"), max_length=255, help_text=_("Tên đầy đủ của cơ quan."))
    short_name = models.CharField(
        _("tên viết tắt"), max_length=100, blank=True, help_text=_("Tên ngắn gọn để hiển thị.")
    )
    kind = models.CharField(_("loại cơ quan"), max_length=32, choices=AgencyKind.choices, help_text=_("Loại cơ quan."))
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị hành chính"),
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("Địa bàn của cơ quan."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Cơ quan quản lý trực tiếp, nếu có."),
    )
    place_name = models.CharField(
        _("địa danh trên văn bản"),
        max_length=100,
        blank=True,
        help_text=_(
            "Địa danh ghi trước ngày tháng trên văn bản của cơ quan (Nghị định 30/2020/NĐ-CP), ví dụ Tân Biên. "
            "Để trống thì lấy theo đơn vị hành chính nơi cơ quan đóng trụ sở; ghi rõ khi tên đơn vị đặt theo "
            "tên người hoặc sự kiện lịch sử (phải ghi đầy đủ, ví dụ Phường Trần Hưng Đạo)."
        ),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True, help_text=_("Bỏ chọn khi cơ quan giải thể."))

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def place(self) -> str:
        """The place name of the date line of this agency's documents (docs/domain.md §11)."""
        return self.place_name.strip() or unit_place_name(self.unit)

    def clean(self) -> None:
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("Một cơ quan không thể là cấp trên của chính nó.")})
            seen.add(node.pk)
            node = node.parent


class ReceptionDesk(models.Model):
    code = models.SlugField(
        _("mã bộ phận"),
        max_length=64,
        unique=True,
        help_text=_("Mã ngắn, chữ thường không dấu, ví dụ ttphcc-tinh."),
        error_messages={"unique": _("Mã bộ phận một cửa này đã tồn tại.")},
    )
    name = models.CharField(_("tên bộ phận"), max_length=255, help_text=_("Tên Bộ phận Một cửa hoặc Trung tâm."))
    kind = models.CharField(_("loại"), max_length=32, choices=DeskKind.choices, help_text=_("Cấp và loại bộ phận."))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="desks",
        help_text=_("Cơ quan quản lý bộ phận; mã hồ sơ tiếp nhận tại đây mang mã định danh của cơ quan này."),
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị hành chính"),
        on_delete=models.PROTECT,
        related_name="desks",
        help_text=_("Địa bàn đặt bộ phận."),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True, help_text=_("Địa chỉ tiếp nhận hồ sơ."))
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True, help_text=_("Số điện thoại của bộ phận."))
    opening_hours = models.CharField(
        _("giờ tiếp nhận và trả kết quả"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ: Sáng 7:00–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu (trừ ngày lễ)."),
    )
    register_book = models.CharField(
        _("quyển số sổ theo dõi hồ sơ"),
        max_length=50,
        blank=True,
        help_text=_(
            "Quyển số của Sổ theo dõi hồ sơ đang dùng, in ở dòng “Vào Sổ theo dõi hồ sơ, Quyển số” của giấy tiếp "
            "nhận, ví dụ 01/2027. Để trống thì giấy tiếp nhận để chỗ trống cho cán bộ ghi tay."
        ),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True, help_text=_("Bỏ chọn khi ngừng tiếp nhận."))
    transfer_on_receipt = models.BooleanField(
        _("chuyển ngay khi tiếp nhận"),
        default=True,
        help_text=_(
            "Tiếp nhận xong, hồ sơ được chuyển ngay đến cơ quan có thẩm quyền giải quyết (nếu quy trình bắt đầu "
            "bằng bước chuyển cơ quan có thẩm quyền, như quy trình một cơ quan), ghi vào lịch sử như một lần bàn "
            "giao của cán bộ tiếp nhận. Bỏ chọn để bộ phận tự chuyển bằng nút “Chuyển cơ quan giải quyết”."
        ),
    )

    objects = ReceptionDeskQuerySet.as_manager()

    class Meta:
        verbose_name = _("bộ phận một cửa")
        verbose_name_plural = _("bộ phận một cửa")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def role_effect_choices() -> list[tuple[str, str]]:
    """What a role may be allowed to do: every transition effect, then the capabilities outside transitions."""
    from onestop_tayninh.workflows.constants import Effect

    return [*Effect.choices, *Capability.choices]


role_code_validator = RegexValidator(
    ROLE_CODE_REGEX,
    _("Mã vai trò gồm chữ thường không dấu, chữ số, dấu gạch dưới hoặc gạch ngang, bắt đầu bằng một chữ cái."),
)


class Role(models.Model):
    """A role is a permission group plus what the code needs to know about it.

    Roles are data: the five built-in ones (`RoleCode`, directory/roles.py) and any an administrator adds.
    Who may take a workflow transition is the roles on it whose `effects` include its effect.
    """

    group = models.OneToOneField(
        Group,
        verbose_name=_("nhóm quyền"),
        on_delete=models.CASCADE,
        related_name="role",
        help_text=_("Nhóm quyền Django mang các quyền của vai trò này."),
    )
    code = models.CharField(
        _("mã vai trò"),
        max_length=32,
        unique=True,
        validators=[role_code_validator],
        help_text=_("Mã ngắn không dấu, duy nhất, ví dụ van_thu; không đổi sau khi tạo."),
        error_messages={"unique": _("Mã vai trò này đã được dùng.")},
    )
    name = models.CharField(
        _("tên vai trò"),
        max_length=100,
        unique=True,
        help_text=_("Tên hiển thị cho cán bộ, ví dụ Văn thư."),
        error_messages={"unique": _("Tên vai trò này đã được dùng.")},
    )
    scope = models.CharField(
        _("phạm vi xem"),
        max_length=16,
        choices=RoleScope.choices,
        default=RoleScope.AGENCY,
        help_text=_("Phạm vi dữ liệu mà người giữ vai trò được xem."),
    )
    effects = models.JSONField(
        _("được thực hiện"),
        default=list,
        blank=True,
        help_text=_("Các loại thao tác người giữ vai trò được thực hiện trên hồ sơ."),
    )
    requires_two_factor = models.BooleanField(
        _("bắt buộc xác thực hai lớp"), default=True, help_text=_("Người giữ vai trò phải đăng nhập bằng mã OTP.")
    )

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.code

    def may(self, effect: str) -> bool:
        """Whether the role may perform `effect` (a transition's effect or a `Capability`)."""
        return effect in (self.effects or [])

    def clean(self) -> None:
        known = {value for value, _label in role_effect_choices()}
        if not isinstance(self.effects, list) or any(effect not in known for effect in self.effects):
            raise ValidationError({"effects": _("Có thao tác không hợp lệ trong danh sách được thực hiện.")})


class Official(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="official",
        help_text=_("Tài khoản đăng nhập của cán bộ."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="officials",
        help_text=_("Cơ quan cán bộ công tác; quyết định dữ liệu cán bộ được xem."),
        error_messages={"null": _("Cán bộ phải thuộc một cơ quan."), "blank": _("Cán bộ phải thuộc một cơ quan.")},
    )
    position = models.CharField(
        _("chức vụ"), max_length=100, blank=True, help_text=_("Ví dụ Chuyên viên, Phó Giám đốc.")
    )
    desks = models.ManyToManyField(
        ReceptionDesk,
        verbose_name=_("bộ phận làm việc"),
        blank=True,
        related_name="officials",
        help_text=_("Các bộ phận một cửa cán bộ làm việc (với cán bộ tiếp nhận)."),
    )

    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = _("cán bộ, công chức")
        verbose_name_plural = _("cán bộ, công chức")

    def __str__(self) -> str:
        return str(self.user)
