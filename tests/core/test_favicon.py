"""The site's icon: linked from every page, and at /favicon.ico for browsers that only ask there."""


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/core/favicon.svg")
