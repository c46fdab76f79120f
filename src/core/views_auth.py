"""The console login, with the same guard against password guessing as the API; a user with an
authenticator (or whose role requires one) goes on to the code or the enrolment
(core.two_factor)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _

from core.navigation import landing_url_for
from core.throttle import signin_failed, signin_locked
from core.two_factor import Step, session_begin
from core.views_two_factor import NEXT_KEY, safe_next


class LoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if signin_locked(request, username):
            form = self.get_form()
            form.add_error(None, _("Too many failed sign-ins. Try again in 15 minutes."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            signin_failed(request, username)
            return response
        step = session_begin(request, request.user)
        if step == Step.NONE:
            return response
        request.session[NEXT_KEY] = safe_next(request, self.get_redirect_url())
        return redirect("two_factor_code" if step == Step.CODE else "core:two_factor_enrol")

    def get_success_url(self) -> str:
        """A safe ``next`` wins, except ``next=/``: that is where ``login_required`` sends anyone who
        opened the site's address, not a page they chose, so their role's start page applies."""
        url = self.get_redirect_url()
        if url == resolve_url(settings.LOGIN_REDIRECT_URL):
            url = ""
        return url or self.get_default_redirect_url()

    def get_default_redirect_url(self) -> str:
        """Without ``next``: the start page registered for the user's role (a technician's jobs of
        today, ``core.navigation.register_landing``), else ``LOGIN_REDIRECT_URL``."""
        return landing_url_for(self.request.user) or super().get_default_redirect_url()
