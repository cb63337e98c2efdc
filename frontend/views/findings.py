"""Finding pages: a panel's findings, writing and changing one (optimistic locking), publishing and escalating.

The escalation pages (detail, steps, the liaison inbox and the OPCC report) are in frontend/views/escalations.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from frontend.forms import form_page
from panels.models import Organisation, Panel
from panels.typing import AuthenticatedHttpRequest
from scrutiny.escalations.services import escalation_send
from scrutiny.models import Escalation, Finding, ReviewSession, SessionRecord
from scrutiny.reviews.permissions import get_finding_for_user, get_review_access, get_session_for_user
from scrutiny.reviews.selectors import finding_records
from scrutiny.reviews.services import (
    FindingConflict,
    FindingInput,
    ReviewError,
    finding_create,
    finding_publish,
    finding_update,
    finding_values,
)

# --- Forms ----------------------------------------------------------------------------------


class FindingForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the finding a title"},
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )
    category = forms.ChoiceField(
        choices=[("", "Choose a category"), *Finding.Category.choices],
        error_messages={"required": "Choose a category"},
        widget=forms.Select(attrs={"class": "govuk-!-width-full"}),
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Finding.Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose red, amber or green"},
    )
    observation = forms.CharField(
        label="What the panel saw",
        widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
        error_messages={"required": "Say what the panel saw"},
    )
    recommendation = forms.CharField(
        label="What the panel recommends",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
    )
    items = forms.TypedMultipleChoiceField(
        label="Records this finding is about",
        help_text="None for a theme across the panel's work.",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    # Optimistic locking: the version the form was drawn from; a save names it, and is refused if it moved on.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = SessionRecord.objects.filter(session__panel=panel).select_related("session", "record")
        self.fields["items"].choices = [(i.pk, _item_label(i)) for i in items]  # type: ignore[attr-defined]

    def to_input(self) -> FindingInput:
        return FindingInput.from_values(self.cleaned_data)


def _item_label(item: SessionRecord) -> str:
    r = item.record
    what = ", ".join(x for x in (r.get_legislation_display(), r.get_outcome_display()) if x)
    return f"{item.session.title}, record {item.position}: {r.occurred_at:%d %b %Y}{', ' + what if what else ''}"


def _session_of(request: AuthenticatedHttpRequest, form: FindingForm) -> ReviewSession | None:
    """The session a finding comes from, when every record it names is from that one session."""
    ids = {item.session_id for item in SessionRecord.objects.filter(pk__in=form.cleaned_data["items"])}
    if len(ids) != 1:
        return None
    session, _ = get_session_for_user(request.user, ids.pop())
    return session


def finding_initial(finding: Finding) -> dict[str, Any]:
    return {**finding_values(finding), "version": finding.version}


class EscalateForm(forms.Form):
    force: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Force",
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "govuk-!-width-full"}),
        error_messages={"required": "Choose the force", "invalid_choice": "Choose a force in the panel's area"},
    )
    question = forms.CharField(
        label="What the panel asks the force",
        widget=forms.Textarea(attrs={"rows": 5, "class": "govuk-textarea"}),
        error_messages={"required": "Say what the panel asks the force"},
    )

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=Organisation.Kind.FORCE, force_area_id=panel.force_area_id
        ).order_by("name")


# --- Pages ----------------------------------------------------------------------------------


@login_required
def finding_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_review_access(request.user, slug)
    findings = Finding.objects.filter(panel=access.panel).select_related("escalation").order_by("-created_at", "-pk")
    return render(
        request,
        "frontend/findings/list.html",
        {"panel": access.panel, "access": access, "findings": findings},
    )


@login_required
def finding_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_review_access(request.user, slug)
    if not access.can_write_findings:
        raise PermissionDenied("Only the panel's members, chair and coordinators write findings.")
    form = FindingForm(request.POST if request.method == "POST" else None, panel=access.panel)
    if request.method == "POST" and form.is_valid():
        try:
            finding = finding_create(
                panel=access.panel, session=_session_of(request, form), data=form.to_input(), by=request.user
            )
        except ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Finding saved.")
            return redirect("finding-detail", pk=finding.pk)
    return form_page(
        request,
        "frontend/findings/form.html",
        {"panel": access.panel, "access": access, "form": form, "finding": None},
        form,
    )


@login_required
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding, access = get_finding_for_user(request.user, pk)
    escalation = Escalation.objects.filter(finding=finding).select_related("force").first()
    return render(
        request,
        "frontend/findings/detail.html",
        {
            "panel": finding.panel,
            "finding": finding,
            "access": access,
            "records": finding_records(finding),
            "escalation": escalation,
        },
    )


@login_required
def finding_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding, access = get_finding_for_user(request.user, pk, write=True)
    conflict = None
    if request.method == "POST":
        form = FindingForm(request.POST, panel=finding.panel)
        if form.is_valid():
            try:
                finding_update(
                    finding=finding,
                    data=form.to_input(),
                    version=form.cleaned_data["version"] or 0,
                    by=request.user,
                )
            except FindingConflict as exc:
                # Nothing was saved. Keep what they typed in the form, show the version that is saved now, and
                # let a second save (made after reading it) go ahead on top of that version.
                conflict = exc.finding
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = FindingForm(data, panel=finding.panel)
                form.is_valid()
                form.add_error(None, str(exc))
            except ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Finding saved.")
                return redirect("finding-detail", pk=finding.pk)
    else:
        form = FindingForm(initial=finding_initial(finding), panel=finding.panel)
    return render(
        request,
        "frontend/findings/form.html",
        {"panel": finding.panel, "access": access, "form": form, "finding": finding, "conflict": conflict},
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
@require_POST
def finding_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding, _ = get_finding_for_user(request.user, pk, run=True)
    finding_publish(finding=finding, by=request.user)
    messages.success(request, "Finding published on the panel's public page.")
    return redirect("finding-detail", pk=finding.pk)


@login_required
def finding_escalate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding, access = get_finding_for_user(request.user, pk, run=True)
    existing = Escalation.objects.filter(finding=finding).first()
    if existing is not None:
        messages.info(request, "This finding has already been escalated.")
        return redirect("escalation-detail", pk=existing.pk)
    form = EscalateForm(request.POST if request.method == "POST" else None, panel=finding.panel)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = escalation_send(
                finding=finding,
                force=form.cleaned_data["force"],
                question=form.cleaned_data["question"],
                by=request.user,
            )
        except ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Escalated to {escalation.force.name}. Due {escalation.due_date:%d %B %Y}.")
            return redirect("escalation-detail", pk=escalation.pk)
    return form_page(
        request,
        "frontend/findings/escalate.html",
        {"panel": finding.panel, "access": access, "finding": finding, "form": form},
        form,
    )


urlpatterns: list[URLPattern] = [
    path("panels/<slug:slug>/findings/", finding_list, name="finding-list"),
    path("panels/<slug:slug>/findings/new/", finding_new, name="finding-create"),
    path("findings/<int:pk>/", finding_detail, name="finding-detail"),
    path("findings/<int:pk>/edit/", finding_edit, name="finding-edit"),
    path("findings/<int:pk>/publish/", finding_publish_view, name="finding-publish"),
    path("findings/<int:pk>/escalate/", finding_escalate, name="finding-escalate"),
]
