import pytest

from tests.factories import PASSWORD


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes files under its own temporary root."""
    settings.MEDIA_ROOT = tmp_path / "files"
