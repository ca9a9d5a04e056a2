"""The demo province of the workflow tests, reused by the portal tests."""

from tests.workflows.conftest import world  # noqa: F401 - a fixture, used by name
