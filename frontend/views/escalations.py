"""Escalation pages: one escalation and its steps, the list (a force liaison officer's inbox), the OPCC report.

Who may take which step: scrutiny.escalations.permissions.EscalationAccess.may_take. What each step needs:
scrutiny.escalations.services.
These pages show the finding and the published data.police.uk fields of its records, never an assessment.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from panels.permissions import opcc_force_area_ids
from panels.typing import AuthenticatedHttpRequest
from scrutiny.audit.services import audit_log
from scrutiny.escalations import report as reports
from scrutiny.escalations import selectors as escalation_selectors
from scrutiny.escalations.permissions import (
    EscalationAccess,
    get_escalation_for_user,
    liaison_force_ids,
    may_read_escalation_report,
    require_escalation_list,
)
from scrutiny.escalations.selectors import escalation_timeline, report_escalations
from scrutiny.escalations.services import EscalationConflict, StepInput, escalation_step
from scrutiny.models import ActionTaken, AuditEvent, Escalation, EscalationOutcome
from scrutiny.reviews.selectors import finding_records
from scrutiny.reviews.services import ReviewError

# --- Forms: one per step, each carrying the version the page was drawn from -------------------


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"})
    )


class RespondForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(
        label="The force's response",
        widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
        error_messages={"required": "Write the force's response"},
    )
    action_taken = forms.ChoiceField(
        label="Action taken",
        choices=ActionTaken.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say what action was taken"},
    )
    no_action_reason = forms.CharField(
        label="Reason no action was taken",
        required=False,
        help_text="Needed if no action was taken.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action_taken") == ActionTaken.NO_ACTION and not (data.get("no_action_reason") or "").strip():
            self.add_error("no_action_reason", "Give the reason no action was taken")
        return data


class DisputeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Why the panel disputes the response",
        help_text="The escalation goes to the OPCC (the Stop and Search Reference Group route).",
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={"required": "Say why the panel disputes the response"},
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=EscalationOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome the escalation closes with"},
    )
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"})
    )


STEP_FORMS: dict[str, type[forms.Form]] = {
    "acknowledge": StepForm,
    "respond": RespondForm,
    "accept": StepForm,
    "dispute": DisputeForm,
    "close": CloseForm,
}
STEP_BUTTONS = {
    "acknowledge": "Acknowledge",
    "respond": "Send the response",
    "accept": "Accept the response",
    "dispute": "Dispute and refer to the OPCC",
    "close": "Close the escalation",
}


def _step_forms(
    escalation: Escalation, access: EscalationAccess, bound: tuple[str, forms.Form] | None = None
) -> list[dict[str, Any]]:
    """The forms for the steps this user may take from the escalation's current status."""
    out = []
    for step in access.steps_now(escalation):
        if bound is not None and bound[0] == step:
            form = bound[1]
        else:
            form = STEP_FORMS[step](initial={"version": escalation.version}, prefix=step)
        out.append({"step": step, "form": form, "button": STEP_BUTTONS[step]})
    return out


def _detail(
    request: AuthenticatedHttpRequest,
    escalation: Escalation,
    access: EscalationAccess,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "frontend/escalations/detail.html",
        {
            "escalation": escalation,
            "finding": escalation.finding,
            "access": access,
            "overdue": escalation.is_overdue(today),
            "records": finding_records(escalation.finding),
            "timeline": escalation_timeline(escalation, panel_view=access.review.can_view),
            "steps": _step_forms(escalation, access, bound),
        },
        status=status,
    )


# --- Pages ----------------------------------------------------------------------------------


@login_required
def escalation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A liaison officer's inbox, an OPCC officer's area, a panel's escalations: whatever the user may read."""
    user = request.user
    require_escalation_list(user)
    today = timezone.localdate()
    rows = [(e, e.is_overdue(today)) for e in escalation_selectors.escalation_list(user)]
    return render(
        request,
        "frontend/escalations/list.html",
        {"rows": rows, "is_liaison": bool(liaison_force_ids(user)), "may_report": may_read_escalation_report(user)},
    )


@login_required
def escalation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    escalation, access = get_escalation_for_user(request.user, pk)
    return _detail(request, escalation, access)


@login_required
@require_POST
def escalation_take_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("No such step.")
    escalation, access = get_escalation_for_user(request.user, pk)
    if not access.may_take(step):
        raise PermissionDenied("You cannot take this step on this escalation.")
    form = STEP_FORMS[step](request.POST, prefix=step)
    if not form.is_valid():
        return _detail(request, escalation, access, (step, form), status=400)
    data = form.cleaned_data
    try:
        escalation_step(escalation=escalation, step=step, by=request.user, data=StepInput.from_values(data))
    except EscalationConflict as exc:
        messages.error(request, str(exc))
        return redirect("escalation-detail", pk=escalation.pk)
    except ReviewError as exc:
        form.add_error(None, str(exc))
        return _detail(request, escalation, access, (step, form), status=400)
    messages.success(request, f"Done: {STEP_BUTTONS[step].lower()}.")
    return redirect("escalation-detail", pk=escalation.pk)


def _report(request: AuthenticatedHttpRequest) -> reports.Report:
    if not may_read_escalation_report(request.user):
        raise PermissionDenied("The escalation report is for OPCC officers.")
    return reports.escalation_report(report_escalations(request.user), today=timezone.localdate())


def _area_name(request: AuthenticatedHttpRequest) -> str:
    from panels.models import ForceArea

    names = ForceArea.objects.filter(pk__in=opcc_force_area_ids(request.user)).values_list("name", flat=True)
    return ", ".join(names) or "All force areas"


@login_required
def escalation_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = _report(request)
    return render(request, "frontend/escalations/report.html", {"report": report, "area": _area_name(request)})


def _audit_export(request: AuthenticatedHttpRequest, fmt: str, report: reports.Report) -> None:
    audit_log(
        by=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=request.user,
        detail={"what": "escalation report", "format": fmt, "rows": report.total, "area": _area_name(request)},
        panel=None,
    )


@login_required
def escalation_report_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = _report(request)
    _audit_export(request, "csv", report)
    response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="escalations-{report.today:%Y-%m-%d}.csv"'
    return response


@login_required
def escalation_report_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = _report(request)
    _audit_export(request, "pdf", report)
    pdf = reports.report_pdf(report, title=f"Escalations: {_area_name(request)}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="escalations-{report.today:%Y-%m-%d}.pdf"'
    return response


urlpatterns: list[URLPattern] = [
    path("escalations/", escalation_list, name="escalation-list"),
    path("escalations/report/", escalation_report, name="escalation-report"),
    path("escalations/report.csv", escalation_report_csv, name="escalation-report-csv"),
    path("escalations/report.pdf", escalation_report_pdf, name="escalation-report-pdf"),
    path("escalations/<int:pk>/", escalation_detail, name="escalation-detail"),
    path("escalations/<int:pk>/<slug:step>/", escalation_take_step, name="escalation-step"),
]
