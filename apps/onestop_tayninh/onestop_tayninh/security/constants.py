from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Well-known audit actions; workflow services may record their own snake_case names."""

    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xóa")
    LOGIN = "login", _("Đăng nhập")
    LOGOUT = "logout", _("Đăng xuất")
    LOGIN_FAILED = "login_failed", _("Đăng nhập sai")
    LOCKOUT = "lockout", _("Tạm khóa đăng nhập")
    UNLOCK = "unlock", _("Mở khóa đăng nhập")
    OTP_ENROLLED = "otp_enrolled", _("Đăng ký xác thực hai lớp")
    OTP_VERIFIED = "otp_verified", _("Xác thực hai lớp thành công")
    OTP_FAILED = "otp_failed", _("Xác thực hai lớp thất bại")
    OTP_RESET = "otp_reset", _("Đặt lại xác thực hai lớp")
    EXPORT = "export", _("Xuất dữ liệu")
    DOWNLOAD = "download", _("Tải tệp")
    VIRUS_FOUND = "virus_found", _("Phát hiện mã độc")
    CRON_JOB_RUN_NOW = "cron_job_run_now", _("Chạy ngay tác vụ định kỳ")
