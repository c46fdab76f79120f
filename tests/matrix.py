"""Permission matrices: an app declares its console pages and API endpoints with the roles that may
use them, and this module generates the tests (NetBox's ``ViewTestCases``, as pytest parameters).

For every page or endpoint of a declaration it generates:

- **with permission** — a user of each allowed role, in the unit serving the data (``home``:
  station A for station staff, HQ for everyone else unless the app says otherwise), gets the
  expected status (200); a page renders in zh-hans, the default language (a template error shows
  here), an endpoint answers JSON in zh-hans; ``shows`` text (a row of station A's) is on it.
- **without permission** — a user of every other role in the same unit gets ``denied`` (403, or
  404 where the code hides that the record exists; 200 for a list that answers every role but
  leaves out what the role may not see — then the ``shows`` text must not be on it).
  ``denied_for`` names the roles answered otherwise: on the API a role that may not even read
  the record gets 404 from the scoped selector, one that reads it but may not act 403.
- **other unit** — a user of each allowed role in another station (``org.station_b``) gets 404
  (``other_unit=NOT_FOUND``: a detail; ``not_found=400`` where a create refuses the record it
  names as unknown), or the page without station A's row (``other_unit=HIDES``:
  a list; the row is the ``shows`` text). Admins are superusers and see every unit: not asked.
- **anonymous** — a page sends to the login page, an endpoint answers 401.

A write (a form post, an API POST/PATCH/PUT/DELETE) names ``unchanged``: a callable over the
fixtures returning what the write changes (a count of the model's rows, the object's version, a
status). It is read before and after the request: a refused case (without permission, other unit,
anonymous) must leave it as it was — a refusal writes nothing — and an allowed one must change it
(so the probe is known to see the write; ``changes=False`` where an allowed case may leave it).

URLs and bodies name pytest fixtures: ``"/claims/{claim.pk}/"`` builds the ``claim`` fixture (and
what it needs) only for the cases of that page; a callable gets the same lazy namespace
(``lambda f: reverse("dispatch:plan", args=[f.plan.pk])``). ``fixtures`` lists data a page needs
on it without naming it in its URL. A case that shows a real bug keeps the correct expectation and
is listed in ``xfail`` by ``(kind, role)`` — it runs ``xfail(strict=True)`` until the bug is fixed.

A module declares ``MATRIX = Matrix(...)`` and exposes the tests with
``test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()``.
See docs/decisions/0017-permission-matrix-tests.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from core.choices import Role
from core.testing import Org, make_user

ALL_ROLES: frozenset[str] = frozenset(Role.values)
LANGUAGE = "zh-hans"  # the default language: pages are rendered (and checked) in it

# What another station's user gets: a detail is not found, a list leaves station A's row out.
NOT_FOUND = "not_found"
HIDES = "hides"

# The kinds of generated case (the first part of a case's id, and the key of ``xfail``).
WITH = "with_permission"
WITHOUT = "without_permission"
OTHER_UNIT = "other_unit"
ANONYMOUS = "anonymous"

Builder = str | Callable[["Fixtures"], Any]


class Fixtures:
    """The test's fixtures by name, built on first use (``f.claim``, ``"{claim.pk}"``)."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def __getitem__(self, name: str) -> Any:
        return self._request.getfixturevalue(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._request.getfixturevalue(name)


def _build(value: Any, fixtures: Fixtures) -> Any:
    if callable(value):
        return value(fixtures)
    if isinstance(value, str):
        return value.format_map(fixtures)
    return value


@dataclass(frozen=True)
class Target:
    """A page or endpoint of the matrix; see the module docstring for what each field means."""

    name: str
    url: Builder
    roles: frozenset[str]
    method: str = "GET"
    body: Any = None  # form data (pages) or a JSON object (endpoints); a dict or a callable
    status: int = 200
    denied: int = 403
    denied_for: Mapping[str, int] = field(default_factory=dict)  # a role's own ``denied`` (see below)
    other_unit: str | None = None  # NOT_FOUND, HIDES or None (organisation-wide: not scoped)
    not_found: int = 404  # what NOT_FOUND answers (400 where a create refuses a record as unknown)
    shows: Builder | None = None  # text the allowed users see (station A's row)
    fixtures: tuple[str, ...] = ()
    content_type: str = ""
    unchanged: Callable[[Fixtures], Any] | None = None  # what a refused write must leave as it was
    changes: bool = True  # an allowed write changes ``unchanged`` (checked when it is given)
    xfail: Mapping[tuple[str, str], str] = field(default_factory=dict)

    kind = ""

    def __post_init__(self) -> None:
        assert self.roles <= ALL_ROLES, (self.name, self.roles - ALL_ROLES)
        assert self.other_unit != HIDES or self.shows is not None, f"{self.name}: HIDES needs the shown text"
        unknown = {key for key in self.xfail if key[0] not in {WITH, WITHOUT, OTHER_UNIT, ANONYMOUS}}
        assert not unknown, (self.name, unknown)

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.name}"

    def client(self, user: Any) -> Client:
        raise NotImplementedError

    def send(self, client: Client, url: str, body: Any) -> Any:
        method = self.method.lower()
        if body is None:
            return getattr(client, method)(url)
        return getattr(client, method)(url, body)

    def text(self, response: Any) -> str:
        if getattr(response, "streaming", False):  # read once; kept for a second look
            response._matrix_text = getattr(response, "_matrix_text", None) or b"".join(
                response.streaming_content
            ).decode("utf-8-sig")
            return str(response._matrix_text)
        return response.content.decode()

    def check_allowed(self, response: Any) -> None:
        raise NotImplementedError

    def check_anonymous(self, response: Any) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Page(Target):
    """A console page (session login)."""

    content_type: str = "text/html"
    kind = "page"

    def client(self, user: Any) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def check_allowed(self, response: Any) -> None:
        assert response["Content-Type"].startswith(self.content_type), response["Content-Type"]
        if self.content_type == "text/html":
            assert response["Content-Language"] == LANGUAGE, response["Content-Language"]
            body = self.text(response)
            if "<html" in body:
                assert f'<html lang="{LANGUAGE}"' in body

    def check_anonymous(self, response: Any) -> None:
        assert response.status_code == 302 and "/login/" in response["Location"], response.status_code


@dataclass(frozen=True)
class Endpoint(Target):
    """An API endpoint (bearer token, ``/api/v1/...``); the body is sent as JSON."""

    content_type: str = "application/json"
    multipart: bool = False  # send the body as a form (a file upload), not as JSON
    kind = "api"

    def client(self, user: Any) -> Client:
        if user is None:
            return Client()
        from tests.conftest import token_client

        return token_client(user)

    def send(self, client: Client, url: str, body: Any) -> Any:
        method = self.method.lower()
        if body is None and method == "get":
            return client.get(url)
        if self.multipart:
            return getattr(client, method)(url, body or {})
        return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")

    def text(self, response: Any) -> str:
        if response["Content-Type"].startswith("application/json"):
            return json.dumps(response.json(), ensure_ascii=False)  # Chinese as written, not \u escapes
        return response.content.decode()

    def check_allowed(self, response: Any) -> None:
        assert response["Content-Type"].startswith(self.content_type), response["Content-Type"]
        assert response["Content-Language"] == LANGUAGE, response["Content-Language"]
        if self.content_type == "application/json":
            response.json()

    def check_anonymous(self, response: Any) -> None:
        assert response.status_code == 401, response.status_code


def form_body(form: Any, **changes: Any) -> dict[str, Any]:
    """The data a browser posts back for an unbound ``form`` as rendered (its initial values:
    an edit form of an instance posts the instance unchanged), with ``changes`` on top."""
    data: dict[str, Any] = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    data.update(changes)
    return data


def formset_body(formset: Any) -> dict[str, Any]:
    """The data a browser posts back for an unbound formset as rendered: its management form and
    every form's initial values."""
    data = form_body(formset.management_form)
    for form in formset.forms:
        data.update(form_body(form))
    return data


def _probe(target: Target, fixtures: Fixtures) -> Any:
    if target.unchanged is None:
        return None
    value = target.unchanged(fixtures)
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes | tuple | dict):
        return list(value)  # a queryset: its rows now
    return value


def _head(response: Any) -> str:
    """The start of a response's body, to say why a case failed."""
    return "" if getattr(response, "streaming", False) else response.content[:300].decode(errors="replace")


def _check_unchanged(target: Target, role: str, probe: tuple[Any, Any] | None) -> None:
    if probe is not None:
        assert probe[0] == probe[1], (target.id, role, "a refused write changed", probe)


def home_unit(org: Org, role: str) -> Any:
    """Who serves station A's data: station staff of station A, everyone else at HQ."""
    return org.station_a if role == Role.STATION else org.hq


def other_station(org: Org, role: str) -> Any:
    return org.station_b


@dataclass
class Matrix:
    """One app's declaration: its pages and endpoints, and the units its users belong to."""

    pages: Sequence[Page] = ()
    endpoints: Sequence[Endpoint] = ()
    fixtures: tuple[str, ...] = ()  # data every case of the app builds first
    home: Callable[[Org, str], Any] = home_unit
    other: Callable[[Org, str], Any] = other_station

    @property
    def targets(self) -> list[Target]:
        targets = [*self.pages, *self.endpoints]
        ids = [target.id for target in targets]
        assert len(ids) == len(set(ids)), f"two targets share a name: {ids}"
        return targets

    def _params(self, kind: str) -> list[Any]:
        params = []
        for target in self.targets:
            if kind == WITH:
                roles: Sequence[str] = sorted(target.roles)
            elif kind == WITHOUT:
                roles = sorted(ALL_ROLES - target.roles)
            elif kind == OTHER_UNIT:
                roles = sorted(target.roles - {Role.ADMIN}) if target.other_unit else []
            else:
                roles = ["nobody"]
            for role in roles:
                reason = target.xfail.get((kind, role))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(pytest.param(target, role, id=f"{target.id}:{role}", marks=marks))
        return params

    def _request(
        self, request: pytest.FixtureRequest, target: Target, user_unit: Any, role: str
    ) -> tuple[Any, str | None, tuple[Any, Any] | None]:
        """Send the target's request as a user of ``user_unit``; return the response, the shown
        text and, for a write with ``unchanged``, its probe's value before and after."""
        fixtures = Fixtures(request)
        for name in (*self.fixtures, *target.fixtures):
            fixtures[name]
        url = _build(target.url, fixtures)
        body = _build(target.body, fixtures)
        shown = _build(target.shows, fixtures) if target.shows is not None else None
        user = None
        if user_unit is not None:
            org = fixtures.org
            unit = user_unit(org, role)
            user = make_user(role, unit, username=f"matrix-{role}-{unit.code}")
        client = target.client(user)
        before = _probe(target, fixtures)
        response = target.send(client, url, body)
        probe = (before, _probe(target, fixtures)) if target.unchanged is not None else None
        return response, shown, probe

    def tests(self) -> tuple[Callable[..., None], ...]:
        """The four generated tests, to be bound to ``test_*`` names in the app's module."""
        matrix = self

        @pytest.mark.django_db
        @pytest.mark.parametrize(("target", "role"), self._params(WITH))
        def test_with_permission(target: Target, role: str, request: pytest.FixtureRequest) -> None:
            response, shown, probe = matrix._request(request, target, matrix.home, role)
            assert response.status_code == target.status, (target.id, role, response.status_code, _head(response))
            target.check_allowed(response)
            if shown is not None:
                assert shown in target.text(response), (target.id, role, shown)
            if probe is not None and target.changes:
                assert probe[0] != probe[1], (target.id, role, "the allowed write changed nothing", probe)

        @pytest.mark.django_db
        @pytest.mark.parametrize(("target", "role"), self._params(WITHOUT))
        def test_without_permission(target: Target, role: str, request: pytest.FixtureRequest) -> None:
            response, shown, probe = matrix._request(request, target, matrix.home, role)
            denied = target.denied_for.get(role, target.denied)
            assert response.status_code == denied, (target.id, role, response.status_code)
            if denied == 200 and shown is not None:  # a list that answers, empty for them
                assert shown not in target.text(response), (target.id, role, shown)
            _check_unchanged(target, role, probe)

        @pytest.mark.django_db
        @pytest.mark.parametrize(("target", "role"), self._params(OTHER_UNIT))
        def test_other_unit(target: Target, role: str, request: pytest.FixtureRequest) -> None:
            response, shown, probe = matrix._request(request, target, matrix.other, role)
            if target.other_unit == NOT_FOUND:
                assert response.status_code == target.not_found, (target.id, role, response.status_code)
            else:
                assert response.status_code == target.status, (target.id, role, response.status_code)
                assert shown not in target.text(response), (target.id, role, shown)
            _check_unchanged(target, role, probe)

        @pytest.mark.django_db
        @pytest.mark.parametrize(("target", "role"), self._params(ANONYMOUS))
        def test_anonymous(target: Target, role: str, request: pytest.FixtureRequest) -> None:
            response, _, probe = matrix._request(request, target, None, role)
            target.check_anonymous(response)
            _check_unchanged(target, role, probe)

        generated = (test_with_permission, test_without_permission, test_other_unit, test_anonymous)
        for test, kind in zip(generated, (WITH, WITHOUT, OTHER_UNIT, ANONYMOUS), strict=True):
            if not self._params(kind):
                test.__test__ = False  # type: ignore[attr-defined]  # nothing of that kind: not collected
        return generated
