"""The one plugin contract (core/plugins.py) that channels, login providers and payments follow."""

from typing import ClassVar, assert_type

import pytest

from onestop_tayninh.accounts.login.base import LoginProvider
from onestop_tayninh.accounts.login.registry import providers
from onestop_tayninh.core.plugins import Plugin, Registry, UnknownPluginError
from onestop_tayninh.notifications.base import Channel, PermanentChannelError
from onestop_tayninh.notifications.registry import channels


class Gateway(Plugin):
    """A family of plugins as a payments app would declare it."""

    fee: ClassVar[int] = 0


class Sandbox(Gateway):
    code = "sandbox"
    label = "Cổng thử nghiệm"


class VNPay(Gateway):
    code = "vnpay"
    label = "VNPay"
    fee = 1100


class Switched(Gateway):
    code = "switched"
    label = "Cổng chưa cấu hình"
    configured = False

    @classmethod
    def is_enabled(cls) -> bool:
        return cls.configured


@pytest.fixture
def gateways() -> Registry[Gateway]:
    return Registry(Gateway, kind="cổng thanh toán")


def test_register_works_as_a_class_decorator_and_get_finds_the_class(gateways):
    @gateways.register
    class Local(Gateway):
        code = "local"

    assert gateways.get("local") is Local
    assert "local" in gateways and len(gateways) == 1


def test_lookup_is_typed_by_the_family_base(gateways):
    gateways.register(VNPay)
    gateway = gateways.get("vnpay")
    assert_type(gateway, type[Gateway])
    assert gateway.fee == 1100


def test_a_class_of_another_family_is_refused(gateways):
    with pytest.raises(TypeError):
        gateways.register(Channel)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gateways.register(object)  # type: ignore[arg-type]


def test_a_second_class_under_a_taken_code_is_refused(gateways):
    gateways.register(VNPay)

    class Impostor(Gateway):
        code = "vnpay"

    with pytest.raises(ValueError, match="already taken by VNPay"):
        gateways.register(Impostor)
    assert gateways.get("vnpay") is VNPay
    # The same class again (a module imported twice) is harmless.
    assert gateways.register(VNPay) is VNPay and gateways.codes() == ["vnpay"]


@pytest.mark.parametrize("code", ["", "VNPay", "vn pay", "-vnpay", "cổng"])
def test_a_code_must_be_a_lowercase_slug(gateways, code):
    plugin = type("Bad", (Gateway,), {"code": code})
    with pytest.raises(ValueError, match="lowercase slug"):
        gateways.register(plugin)


def test_an_unknown_code_raises_a_key_error_that_reads_in_vietnamese(gateways):
    with pytest.raises(UnknownPluginError) as raised:
        gateways.get("momo")
    assert isinstance(raised.value, KeyError) and raised.value.code == "momo"
    assert str(raised.value) == "Cổng thanh toán “momo” chưa được đăng ký."


def test_a_family_may_raise_its_own_error_for_an_unknown_code():
    class UnknownGatewayError(UnknownPluginError):
        pass

    gateways = Registry(Gateway, kind="cổng thanh toán", error=UnknownGatewayError)
    with pytest.raises(UnknownGatewayError):
        gateways.get("momo")


def test_unregister_removes_and_ignores_unknown_codes(gateways):
    gateways.register(VNPay)
    gateways.unregister("vnpay")
    gateways.unregister("vnpay")
    assert "vnpay" not in gateways and gateways.codes() == []
    with pytest.raises(UnknownPluginError):
        gateways.get("vnpay")


def test_codes_and_iteration_keep_registration_order(gateways):
    for plugin in (VNPay, Switched, Sandbox):
        gateways.register(plugin)
    assert gateways.codes() == ["vnpay", "switched", "sandbox"]
    assert list(gateways) == [VNPay, Switched, Sandbox]


def test_without_a_setting_every_usable_plugin_is_enabled(gateways, monkeypatch):
    for plugin in (VNPay, Switched, Sandbox):
        gateways.register(plugin)
    assert gateways.enabled() == [VNPay, Sandbox]
    with pytest.raises(UnknownPluginError, match="chưa được bật"):
        gateways.get_enabled("switched")
    monkeypatch.setattr(Switched, "configured", True)
    assert gateways.get_enabled("switched") is Switched


def test_with_a_setting_only_listed_codes_are_enabled_in_its_order(settings):
    gateways = Registry(Gateway, kind="cổng thanh toán", enabled_setting="ONESTOP_TEST_GATEWAYS")
    for plugin in (VNPay, Switched, Sandbox):
        gateways.register(plugin)
    settings.ONESTOP_TEST_GATEWAYS = ["sandbox", "khong-co", "switched", "vnpay"]
    assert gateways.enabled() == [Sandbox, VNPay]  # unknown and unusable codes are skipped
    settings.ONESTOP_TEST_GATEWAYS = ["sandbox"]
    assert gateways.get_enabled("sandbox") is Sandbox
    with pytest.raises(UnknownPluginError):
        gateways.get_enabled("vnpay")
    assert gateways.get("vnpay") is VNPay  # registered, only not offered


def test_notification_channels_and_login_providers_are_registries_of_this_kind():
    assert channels.codes()[:3] and {"email", "sms", "desk"} <= set(channels.codes())
    assert str(channels.get("email").label) == "Thư điện tử"
    with pytest.raises(PermanentChannelError):  # an unknown channel is not worth retrying
        channels.get("bo-cau")
    assert providers.base is LoginProvider and providers.enabled_setting == "ONESTOP_LOGIN_PROVIDERS"
