"""Every page type sends the security headers (issue 10, point 6): the URL resolver's named
patterns with the demo data and viewers of ``test_every_page`` (its own module: the demo data stays
loaded for the module, and other tests make users of the same names)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .test_every_page import ADMIN, CUSTOMER, PAGES, PARAMETERS, VISITOR, _client, demo_site, site  # noqa: F401
from .test_security_headers import assert_security_headers

pytestmark = pytest.mark.xdist_group("every-page")


def test_every_page_type_sends_the_security_headers(demo_site: Any) -> None:  # noqa: F811
    """Each page once as the administrator, the portal's customer and a visitor (zh-hans)."""
    clients = {viewer: _client(viewer) for viewer in (ADMIN, CUSTOMER, VISITOR)}
    problems: list[str] = []
    fetched = 0
    for page in PAGES:
        argument_sets = PARAMETERS[page.name]() if page.params and page.name in PARAMETERS else [{}]
        if page.params and (page.name not in PARAMETERS or not argument_sets):
            continue
        url = reverse(page.name, kwargs=argument_sets[0])
        for viewer, client in clients.items():
            response = client.get(url)
            fetched += 1
            problems += assert_security_headers(response, f"{url} as {viewer} ({response.status_code})")
    assert fetched > 3 * 100, fetched  # the resolver's pages, not a handful
    assert not problems, "\n".join(problems)
