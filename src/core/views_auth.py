"""The console login, with the same guard against password guessing as the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.throttle import signin_failed, signin_locked


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
