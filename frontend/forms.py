"""Forms for the pages, the renderer that draws every Django form (allauth's too) as GOV.UK components, and how a
page with a form answers (form_page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from panels import census
from panels.models import Attendance, Membership, Panel, SelfDescription


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


def form_page(request: HttpRequest, template: str, context: dict[str, Any], form: forms.BaseForm) -> HttpResponse:
    """A page showing a form: 400 when the form was sent and refused, so the answer says so, 200 otherwise."""
    return render(request, template, context, status=400 if form.errors else 200)


# --- Page forms: parse and validate input; the services enforce the rules. -------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the right format, like name@example.org",
        },
    )
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150, required=False, help_text="How other members see you.")
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password.",
    )
    password2 = forms.CharField(
        label="Confirm your password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return data


class PanelSettingsForm(forms.ModelForm):
    class Meta:
        model = Panel
        fields = ["name", "terms_of_reference", "is_public"]
        labels = {"is_public": "Show a public page for this panel"}
        widgets = {"terms_of_reference": forms.Textarea(attrs={"rows": 12})}


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(
        label="Date and time",
        help_text="For example, 2026-12-14 18:30",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(max_length=200, required=False)
    agenda = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text="Markdown.")


class MinutesForm(forms.Form):
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 16}), help_text="Markdown.")


def attendance_form(members: list[Membership], current: dict[int, str]) -> type[forms.Form]:
    """A form with one attendance choice per current member."""
    fields: dict[str, forms.Field] = {
        f"attendance_{m.user_id}": forms.ChoiceField(
            label=str(m.user),
            choices=[("", "Not recorded"), *Attendance.Status.choices],
            required=False,
            initial=current.get(m.user_id, ""),
        )
        for m in members
    }
    return type("AttendanceForm", (forms.Form,), fields)


_PREFER_NOT = ("prefer_not", "Prefer not to say")


class SelfDescriptionForm(forms.Form):
    ethnic_group = forms.ChoiceField(
        label="Ethnic group (Census 2021 categories)",
        required=False,
        choices=[
            ("", "Not answered"),
            *[
                (group_name, [(g.code, g.label) for g in census.DETAILED_GROUPS if g.five_group == group_name])
                for group_name in census.FIVE_GROUPS
            ],
            _PREFER_NOT,
        ],
    )
    age_band = forms.ChoiceField(
        label="Age", required=False, choices=[("", "Not answered"), *SelfDescription.AgeBand.choices]
    )
    sex = forms.ChoiceField(label="Sex", required=False, choices=[("", "Not answered"), *SelfDescription.Sex.choices])
    disability = forms.ChoiceField(
        label="Do you consider yourself to have a disability?",
        required=False,
        choices=[("", "Not answered"), *SelfDescription.Disability.choices],
    )
    consent = forms.BooleanField(
        label="I agree that these answers can be kept and used, only in aggregate, to compare the make-up of my "
        "panels with the population they serve.",
        required=True,
        error_messages={"required": "Tick the box to agree, or leave this page without saving."},
    )
