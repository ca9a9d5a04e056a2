"""The API's docs page (Swagger UI) draws the contract in Chromium under the site's strict CSP."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_draws_every_operation_without_a_csp_refusal(live_server, page, screenshot):
    refused, outside = [], []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock-summary-path")
    assert (
        "API Hệ thống thông tin một cửa điện tử tỉnh Tây Ninh" in page.locator(".swagger-ui .info .title").inner_text()
    )
    paths = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert "/api/v1/dossiers/" in paths and "/api/v1/dossiers/{id}/actions/" in paths
    assert page.get_by_role("button", name="Authorize").is_visible()
    screenshot(page, "api-docs")
    assert refused == [] and outside == []
