"""Permissions named in Vietnamese: "Thêm hồ sơ" where Django would store "Can add hồ sơ".

Django names the four permissions of each model in English ("Can add %s") and the libraries we use
name their models in English too ("TOTP device"). The role editor lists every permission, so each
is named here from its codename and model: the stored names are rewritten after every migration
(`permission_names_translate`, connected in core.apps) and the editor's labels come from the same
function, so a database migrated before this code still reads in Vietnamese.
"""

from django.apps import AppConfig
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, router
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ACTIONS = {"add": _("Thêm"), "change": _("Sửa"), "delete": _("Xóa"), "view": _("Xem")}

# Apps and models of Django and the libraries, whose own names are English or read oddly here.
APP_NAMES = {
    "admin": _("Bàn làm việc"),
    "auth": _("Phân quyền"),
    "axes": _("Chống dò mật khẩu"),
    "contenttypes": _("Loại dữ liệu"),
    "django_rq": _("Tác vụ nền"),
    "oauth2_provider": _("Xác thực API (OAuth2)"),
    "otp_static": _("Mã dự phòng"),
    "otp_totp": _("Xác thực hai lớp"),
    "sessions": _("Phiên đăng nhập"),
}
MODEL_NAMES = {
    "admin.logentry": _("nhật ký thao tác trên bàn làm việc"),
    "auth.group": _("nhóm quyền"),
    "auth.permission": _("quyền"),
    "axes.accessattempt": _("lần đăng nhập sai"),
    "axes.accessattemptexpiration": _("hạn khóa đăng nhập"),
    "axes.accessfailure": _("lần đăng nhập bị từ chối"),
    "axes.accesslog": _("nhật ký đăng nhập"),
    "contenttypes.contenttype": _("loại dữ liệu"),
    "django_rq.dashboard": _("theo dõi tác vụ nền"),
    "oauth2_provider.accesstoken": _("mã truy cập API"),
    "oauth2_provider.application": _("ứng dụng OAuth2"),
    "oauth2_provider.grant": _("mã cấp quyền OAuth2"),
    "oauth2_provider.idtoken": _("mã định danh OpenID"),
    "oauth2_provider.refreshtoken": _("mã làm mới API"),
    "otp_static.staticdevice": _("bộ mã dự phòng"),
    "otp_static.statictoken": _("mã dự phòng"),
    "otp_totp.totpdevice": _("ứng dụng xác thực"),
    "sessions.session": _("phiên đăng nhập"),
}
# Permissions of their own (Meta.permissions) that a library names in English.
OWN_NAMES = {"django_rq.admin": _("Mở trang theo dõi tác vụ nền")}


def model_name(content_type: ContentType) -> str:
    key = f"{content_type.app_label}.{content_type.model}"
    if key in MODEL_NAMES:
        return str(MODEL_NAMES[key])
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else content_type.model


def app_name(content_type: ContentType) -> str:
    if content_type.app_label in APP_NAMES:
        return str(APP_NAMES[content_type.app_label])
    model = content_type.model_class()
    return str(model._meta.app_config.verbose_name) if model is not None else content_type.app_label


def permission_name(permission: Permission) -> str:
    """The permission as an official reads it: "Thêm hồ sơ", "Xem cơ quan", "Được công bố thủ tục"."""
    content_type = permission.content_type
    action, _sep, model = permission.codename.partition("_")
    if action in ACTIONS and model == content_type.model:
        return f"{ACTIONS[action]} {model_name(content_type)}"
    own = OWN_NAMES.get(f"{content_type.app_label}.{permission.codename}")
    return str(own) if own else permission.name


def permission_label(permission: Permission) -> str:
    """The permission with the part of the system it belongs to, for the role editor's lists."""
    return f"{app_name(permission.content_type)} › {permission_name(permission)}"


def permission_names_translate(app_config: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: object) -> int:
    """Store the Vietnamese names of an app's permissions (after Django created them in English).

    A post_migrate receiver: runs after django.contrib.auth's, which creates missing permissions
    for the same app. Changes only names that differ, so it is cheap and safe to run on every migrate.
    """
    if app_config.models_module is None or not router.allow_migrate_model(using, Permission):
        return 0
    changed = []
    with translation.override("vi"):
        permissions = Permission.objects.using(using).filter(content_type__app_label=app_config.label)
        for permission in permissions.select_related("content_type"):
            name = permission_name(permission)[: Permission._meta.get_field("name").max_length]
            if permission.name != name:
                permission.name = name
                changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
    return len(changed)
