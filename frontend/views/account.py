"""Joining by invitation, and the pages about your own account."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from frontend.forms import AcceptInvitationForm, SelfDescriptionForm, form_page
from panels import services
from panels.models import SelfDescription, User
from panels.permissions import user_has_mfa, user_requires_mfa
from panels.typing import AuthenticatedHttpRequest


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link may open it: the token is the credential. Nothing changes until they confirm."""
    try:
        invitation = services.invitation_for_token(token)
    except ValidationError as exc:
        return render(
            request, "frontend/account/invitation_invalid.html", {"reason": " ".join(exc.messages)}, status=410
        )

    user = request.user
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None) if not user.is_authenticated and not has_account else None

    if request.method == "POST":
        try:
            if user.is_authenticated:
                membership = services.invitation_accept(token=token, user=user)
            elif form is not None and form.is_valid():
                membership = services.invitation_accept_new_user(
                    token=token, password=form.cleaned_data["password1"], name=form.cleaned_data["name"]
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return _accept_page(request, invitation, form, has_account, status=400)
        except ValidationError as exc:
            if form is not None and not user.is_authenticated:
                form.add_error(None, " ".join(exc.messages))
                return _accept_page(request, invitation, form, has_account, status=400)
            messages.error(request, " ".join(exc.messages))
            return _accept_page(request, invitation, form, has_account, status=400)
        messages.success(request, f"You have joined {membership.panel.name}.")
        if user_requires_mfa(membership.user) and not user_has_mfa(membership.user):
            messages.info(request, "Your role needs two-factor authentication. Set it up now to continue.")
        return redirect(membership.panel)
    return _accept_page(request, invitation, form, has_account)


def _accept_page(
    request: HttpRequest, invitation: object, form: object, has_account: bool, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "frontend/account/invitation_accept.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
        status=status,
    )


@login_required
def account_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "frontend/account/settings.html",
        {
            "has_mfa": user_has_mfa(user),
            "requires_mfa": user_requires_mfa(user),
            "has_self_description": SelfDescription.objects.filter(user=user).exists(),
            "token": Token.objects.filter(user=user).first(),
            "email_verified": EmailAddress.objects.filter(user=user, verified=True).exists(),
        },
    )


@login_required
def self_description(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    existing = SelfDescription.objects.filter(user=user).first()
    initial = {f: getattr(existing, f) for f in ("ethnic_group", "age_band", "sex", "disability")} if existing else {}
    form = SelfDescriptionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.self_description_delete(user=user)
            messages.success(request, "Your answers have been deleted.")
            return redirect("account-settings")
        if form.is_valid():
            data = dict(form.cleaned_data)
            consent = data.pop("consent")
            try:
                services.self_description_save(user=user, consent=consent, **data)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, "Thank you. Your answers are saved.")
                return redirect("account-settings")
    return form_page(
        request,
        "frontend/account/self_description.html",
        {"form": form, "existing": existing},
        form,
    )


@login_required
@require_POST
def api_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.POST.get("action") == "create":
        key = services.api_token_replace(user=request.user)
        messages.success(request, f"Your new API token is {key}. Keep it secret; it acts as you.")
    else:
        services.api_token_delete(user=request.user)
        messages.success(request, "Your API token was deleted.")
    return redirect("account-settings")


urlpatterns = [
    path("invitations/<str:token>/", invitation_accept, name="invitation-accept"),
    path("account/", account_settings, name="account-settings"),
    path("account/about-you/", self_description, name="self-description"),
    path("account/api-token/", api_token, name="api-token"),
]
