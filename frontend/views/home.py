from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from panels.selectors import dashboard_for


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "frontend/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/dashboard.html", {"d": dashboard_for(request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    """For a load balancer or a monitor: the process answers. Touches nothing (no database, no session)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("", home, name="home"),
    path("dashboard/", dashboard, name="dashboard"),
]
