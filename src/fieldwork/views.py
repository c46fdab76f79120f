"""The technician's phone pages and the QC list. Thin: they call fieldwork.services/selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def my_jobs(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
def qc_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
