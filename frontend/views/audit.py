"""The panel's audit log page for coordinators: who did what, and when, newest first. Read only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from panels.typing import AuthenticatedHttpRequest
from scrutiny.audit.permissions import get_audit_access
from scrutiny.audit.selectors import panel_audit_events

EVENTS_PER_PAGE = 50


@require_safe
@login_required
def panel_audit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_audit_access(request.user, slug)
    page = Paginator(panel_audit_events(access.panel), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/audit/list.html", {"panel": access.panel, "access": access, "page": page})


urlpatterns = [
    path("panels/<slug:slug>/audit/", panel_audit, name="panel-audit"),
]
