"""Citizen accounts, mounted at /tai-khoan/ (onestop_tayninh/urls.py)."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("thong-bao/", views.notice_channels, name="notice_channels"),
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/ma-xac-nhan/", views.register_code, name="register_code"),
    path("dien-thoai/gui-ma/", views.phone_code_send, name="phone_code_send"),
    path("dien-thoai/xac-nhan/", views.phone_confirm, name="phone_confirm"),
    path("dang-nhap/vneid-nhan-lai-cccd/", views.provider_claim, name="provider_claim"),
    path("dang-nhap/", views.CitizenLoginView.as_view(), name="login"),
    path("dang-nhap/<slug:provider>/", views.provider_start, name="provider_start"),
    path("dang-nhap/<slug:provider>/callback/", views.provider_callback, name="provider_callback"),
    path("dang-xuat/", views.CitizenLogoutView.as_view(), name="logout"),
    path("xac-thuc-email/gui-lai/", views.verify_email_resend, name="verify_email_resend"),
    path("xac-thuc-email/<str:token>/", views.verify_email, name="verify_email"),
    path("doi-mat-khau/", views.CitizenPasswordChangeView.as_view(), name="password_change"),
    path("quen-mat-khau/", views.PasswordResetRequestView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("quen-mat-khau/ma-xac-nhan/", views.password_reset_code, name="password_reset_code"),
    path("quen-mat-khau/dat-mat-khau/", views.password_reset_code_set, name="password_reset_code_set"),
    path("quen-mat-khau/xong/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("quen-mat-khau/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
]
