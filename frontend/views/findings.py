"""Findings, escalations, the force liaison inbox and the OPCC report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from panels.typing import AuthenticatedHttpRequest
from scrutiny.permissions import get_escalation_for_user


@login_required
def escalation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    escalation, access = get_escalation_for_user(request.user, pk)
    return render(request, "frontend/escalations/detail.html", {"escalation": escalation, "access": access})


urlpatterns: list[URLPattern] = [
    path("escalations/<int:pk>/", escalation_detail, name="escalation-detail"),
]
