"""Review session pages: a panel's sessions, drawing a sample, the live session page, a member's blind score, the
chair's steps (go to, next, reveal, agree, close) and the summary after the meeting.

Every chair step is a plain POST that redirects back to the session page, so the meeting runs without JavaScript;
review-session.js listens on the session's WebSocket and updates the page in place. Whose scores a user may see is
decided in one place: scrutiny.reviews.selectors.assessments_visible_to.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.months import MonthField
from frontend.forms import form_page
from panels.typing import AuthenticatedHttpRequest
from scrutiny import choices
from scrutiny.models import Assessment, GroundsRating, ReviewSession, SessionRecord
from scrutiny.records import services
from scrutiny.reviews import sampling, selectors
from scrutiny.reviews import services as review_services
from scrutiny.reviews.models import CONCERNS, GRADE_CHOICES, BodyWornVideo, ChecklistAnswer, checklist_for
from scrutiny.reviews.permissions import get_item_for_user, get_review_access, get_session_for_user, sessions_for_user
from scrutiny.stats import SMALL_NUMBER

# --- Forms ----------------------------------------------------------------------------------

FULL_WIDTH_SELECT = forms.Select(attrs={"class": "govuk-!-width-full"})
MONTH_INPUT = forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"})
NUMBER_INPUT = forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"})


def _options(values: Any) -> list[tuple[str, str]]:
    return [(v, label) for v, label in values.choices if v]


class SessionForm(forms.Form):
    """A new session and how its sample is drawn; turned into a scrutiny.reviews.sampling.SampleSpec."""

    title = forms.CharField(max_length=200, error_messages={"required": "Give the session a title"})
    day = forms.DateField(
        label="Date of the meeting",
        help_text="For example, 2026-12-14",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date of the meeting", "invalid": "Enter a date like 2026-12-14"},
    )
    kind = forms.ChoiceField(label="Records", choices=choices.Kind.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(
        label="How to draw the sample", choices=list(sampling.METHODS.items()), widget=forms.RadioSelect
    )
    size = forms.IntegerField(
        label="How many records",
        min_value=0,
        max_value=sampling.MAX_SAMPLE,
        help_text="In all for a random or proportional sample; from each ethnic group for “N per ethnic group”.",
        widget=NUMBER_INPUT,
        error_messages={"required": "Enter how many records to draw", "invalid": "Enter a whole number"},
    )
    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        help_text="Anyone who draws with the same seed over the same records gets the same sample.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )
    month_from = MonthField(label="From month", required=False, help_text="For example, 2025-06", widget=MONTH_INPUT)
    month_to = MonthField(label="To month", required=False, help_text="For example, 2025-09", widget=MONTH_INPUT)
    legislation = forms.MultipleChoiceField(
        label="Legislation", required=False, choices=_options(choices.Legislation), widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.MultipleChoiceField(
        label="Outcome", required=False, choices=_options(choices.Outcome), widget=forms.CheckboxSelectMultiple
    )
    object_of_search = forms.MultipleChoiceField(
        label="Object of search",
        required=False,
        choices=_options(choices.ObjectOfSearch),
        widget=forms.CheckboxSelectMultiple,
    )
    age_range = forms.MultipleChoiceField(
        label="Age range", required=False, choices=_options(choices.AgeRange), widget=forms.CheckboxSelectMultiple
    )
    ethnic_group = forms.MultipleChoiceField(
        label="Ethnic group (self-defined, five groups)",
        required=False,
        choices=choices.EthnicGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    bwv_missing = forms.BooleanField(label="Only records where body-worn video was not used", required=False)
    grounds_flagged = forms.BooleanField(
        label="Only records whose grounds had personal data found (and checked)", required=False
    )
    cannabis_smell_only = forms.BooleanField(
        label="Only records whose recorded grounds are a smell of cannabis and nothing else", required=False
    )
    hand_picked = forms.CharField(
        label="Records to add by hand",
        required=False,
        help_text="Record numbers, separated by commas: records a member asked about.",
    )

    def clean_hand_picked(self) -> tuple[int, ...]:
        text = self.cleaned_data.get("hand_picked", "").replace(";", ",")
        try:
            return tuple(dict.fromkeys(int(p) for p in text.replace(" ", ",").split(",") if p.strip()))
        except ValueError:
            raise forms.ValidationError("Enter record numbers separated by commas, like 120, 455") from None

    def spec(self) -> sampling.SampleSpec:
        """The specification, or a form error (SpecError) on the field it is about."""
        d = self.cleaned_data
        return sampling.SampleSpec.from_json(
            {
                "method": d["method"],
                "size": d["size"],
                "seed": d["seed"],
                "kind": d["kind"],
                "month_from": d.get("month_from") or None,
                "month_to": d.get("month_to") or None,
                "legislation": d.get("legislation", []),
                "outcome": d.get("outcome", []),
                "object_of_search": d.get("object_of_search", []),
                "age_range": d.get("age_range", []),
                "ethnic_group": d.get("ethnic_group", []),
                "bwv_missing": bool(d.get("bwv_missing")),
                "grounds_flagged": bool(d.get("grounds_flagged")),
                "cannabis_smell_only": bool(d.get("cannabis_smell_only")),
                "hand_picked": list(d.get("hand_picked", ())),
            }
        )


MAIN_FIELDS = ("title", "day", "kind", "method", "size", "seed")
FILTER_FIELDS = (
    "month_from",
    "month_to",
    "legislation",
    "outcome",
    "object_of_search",
    "age_range",
    "ethnic_group",
    "bwv_missing",
    "grounds_flagged",
    "cannabis_smell_only",
)


def assessment_form(kind: str) -> type[forms.Form]:
    """A member's score: grounds, the checklist for the record's kind (GOWISELY or PLANTER), body-worn video,
    concerns, grade and comment. Everything is optional for a draft; the service says what a submission needs."""
    fields: dict[str, forms.Field] = {
        "grounds": forms.ChoiceField(
            label="Were the recorded reasons for using force reasonable?"
            if kind == choices.Kind.USE_OF_FORCE
            else "Were the grounds for the search reasonable?",
            required=False,
            choices=GroundsRating.choices,
            widget=forms.RadioSelect,
        ),
    }
    for key, label in checklist_for(kind):
        fields[f"check_{key}"] = forms.ChoiceField(
            label=label, required=False, choices=ChecklistAnswer.choices, widget=forms.RadioSelect
        )
    fields["body_worn_video"] = forms.ChoiceField(
        label="Body-worn video", required=False, choices=BodyWornVideo.choices, widget=forms.RadioSelect
    )
    fields["concerns"] = forms.MultipleChoiceField(
        label="Concerns about conduct", required=False, choices=CONCERNS, widget=forms.CheckboxSelectMultiple
    )
    fields["grade"] = forms.TypedChoiceField(
        label="Grade",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not graded yet"), *GRADE_CHOICES],
        help_text="Green 1 to 3: good; Amber 4 to 6: some concerns; Red 7 to 9: serious concerns.",
        widget=forms.Select,
    )
    fields["comment"] = forms.CharField(
        label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"})
    )
    return type("AssessmentForm", (forms.Form,), fields)


def _initial(assessment: Assessment | None) -> dict[str, Any]:
    if assessment is None:
        return {}
    data: dict[str, Any] = {
        "grounds": assessment.grounds,
        "body_worn_video": assessment.body_worn_video,
        "concerns": assessment.concerns,
        "grade": assessment.grade,
        "comment": assessment.comment,
    }
    data.update({f"check_{k}": v for k, v in (assessment.checklist or {}).items()})
    return data


def _assessment_input(kind: str, data: dict[str, Any]) -> review_services.AssessmentInput:
    return review_services.AssessmentInput(
        grounds=data.get("grounds") or "",
        checklist={k: data[f"check_{k}"] for k, _ in checklist_for(kind) if data.get(f"check_{k}")},
        body_worn_video=data.get("body_worn_video") or "",
        concerns=list(data.get("concerns") or []),
        grade=data.get("grade"),
        comment=data.get("comment") or "",
    )


class AgreeForm(forms.Form):
    grounds = forms.ChoiceField(
        label="The panel's view of the grounds",
        choices=GroundsRating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the panel's view of the grounds"},
    )
    grade = forms.TypedChoiceField(
        label="The panel's grade",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "No grade"), *GRADE_CHOICES],
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AddRecordForm(forms.Form):
    record = forms.IntegerField(
        label="Record number",
        min_value=1,
        widget=NUMBER_INPUT,
        error_messages={"required": "Enter a record number", "invalid": "Enter a record number"},
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 12}), help_text="Markdown.")
    publish = forms.BooleanField(label="Publish the minutes", required=False)


# --- Sessions of a panel --------------------------------------------------------------------


@login_required
def session_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_review_access(request.user, slug)
    sessions = sessions_for_user(request.user).filter(panel=access.panel).order_by("-date", "-pk")
    return render(
        request,
        "frontend/reviews/session_list.html",
        {"panel": access.panel, "access": access, "sessions": sessions},
    )


@login_required
def session_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_review_access(request.user, slug, run=True)
    initial = {
        "day": timezone.localdate(),
        "kind": choices.Kind.STOP_SEARCH,
        "method": sampling.RANDOM,
        "size": 10,
        "seed": secrets.randbelow(1_000_000),
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            spec = form.spec()
            session = review_services.session_create(
                panel=access.panel,
                title=form.cleaned_data["title"],
                day=form.cleaned_data["day"],
                spec=spec,
                by=request.user,
            )
        except (sampling.SpecError, review_services.ReviewError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Session created with {session.items.count()} records.")
            return redirect("review-session-detail", pk=session.pk)
    filters = [form[name] for name in FILTER_FIELDS]
    return form_page(
        request,
        "frontend/reviews/session_new.html",
        {
            "panel": access.panel,
            "access": access,
            "form": form,
            "main_fields": [form[name] for name in MAIN_FIELDS],
            "filter_fields": filters,
            "filters_open": any(f.errors or f.value() not in (None, "", [], False) for f in filters),
        },
        form,
    )


# --- The live session page ------------------------------------------------------------------


@login_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, access = get_session_for_user(request.user, pk)
    items = list(session.items.select_related("record").order_by("position"))
    current = next((i for i in items if i.pk == session.current_id), None)
    counts = selectors.scored_counts(session)
    own = selectors.own_assessments(request.user, session)
    scorers = selectors.scored_count(current)[1] if current else 0
    visible: list[Assessment] = []
    spread = None
    if current is not None:
        services.record_viewed(record=current.record, by=request.user, context="session")
        if current.is_revealed:
            spread = selectors.spread(current)
            visible = list(selectors.assessments_visible_to(request.user, current))
    return render(
        request,
        "frontend/reviews/session_detail.html",
        {
            "panel": session.panel,
            "session": session,
            "access": access,
            "spec": sampling.SampleSpec.from_json(session.sample_spec),
            "items": [(i, counts.get(i.pk, 0), own.get(i.pk)) for i in items],
            "comparison": selectors.sample_comparison(session, items),
            "current": current,
            "current_own": own.get(current.pk) if current else None,
            "current_scored": counts.get(current.pk, 0) if current else 0,
            "scorers": scorers,
            "spread": _spread_rows(spread),
            "visible": visible,
            "present": selectors.present_members(session),
            "agree_form": AgreeForm(initial=_agreed_initial(current)) if current else None,
            "add_form": AddRecordForm(),
            "checklist": dict(checklist_for(session.kind)),
            "is_open": session.status == ReviewSession.Status.OPEN,
        },
    )


def _agreed_initial(item: SessionRecord | None) -> dict[str, Any]:
    if item is None or not item.agreed_at:
        return {}
    return {"grounds": item.agreed_grounds, "grade": item.agreed_grade, "note": item.agreed_note}


def _spread_rows(spread: dict[str, Any] | None) -> dict[str, Any] | None:
    if spread is None:
        return None
    labels = dict(GroundsRating.choices)
    grades = dict(GRADE_CHOICES)
    return {
        "scored": spread["scored"],
        "grounds": [(labels[k], n) for k, n in spread["grounds"].items()],
        "grades": [(grades[int(k)], n) for k, n in spread["grades"].items() if n],
    }


# --- A member's blind score -----------------------------------------------------------------


def _item_in_session(user: Any, pk: int, item_pk: int, *, run: bool = False) -> tuple[SessionRecord, Any]:
    item, access = get_item_for_user(user, item_pk, run=run)
    if item.session_id != pk:
        raise Http404("No such record in this session.")
    return item, access


@login_required
def item_score(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item, access = _item_in_session(request.user, pk, item_pk)
    if not access.can_score:
        raise PermissionDenied("Only the panel's members and chair score records.")
    own = Assessment.objects.filter(item=item, member=request.user).first()
    form = assessment_form(item.session.kind)(request.POST or None, initial=_initial(own))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            review_services.assessment_save(
                item=item,
                member=request.user,
                data=_assessment_input(item.session.kind, form.cleaned_data),
                submit=submit,
            )
        except review_services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Your score for record {item.position} was submitted." if submit else "Your draft was saved.",
            )
            return redirect(reverse("review-session-detail", args=[pk]) + f"#item-{item.position}")
    services.record_viewed(record=item.record, by=request.user, context="session")
    return form_page(
        request,
        "frontend/reviews/item_score.html",
        {
            "panel": item.session.panel,
            "session": item.session,
            "access": access,
            "item": item,
            "record": item.record,
            "own": own,
            "form": form,
            "checklist_name": "PLANTER" if item.session.kind == choices.Kind.USE_OF_FORCE else "GOWISELY",
            "checklist_fields": [form[f"check_{k}"] for k, _ in checklist_for(item.session.kind)],
        },
        form,
    )


# --- The chair's steps ----------------------------------------------------------------------


def _back(pk: int, anchor: str = "current") -> HttpResponse:
    return redirect(reverse("review-session-detail", args=[pk]) + f"#{anchor}")


@login_required
@require_POST
def session_next(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, pk, run=True)
    try:
        review_services.session_next(session=session, by=request.user)
    except review_services.ReviewError as exc:
        messages.error(request, str(exc))
    return _back(pk)


@login_required
@require_POST
def session_go_to(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, pk, run=True)
    item = SessionRecord.objects.filter(session=session, pk=request.POST.get("item") or 0).first()
    if item is None:
        messages.error(request, "Choose a record in this session.")
        return _back(pk)
    try:
        review_services.session_go_to(session=session, item=item, by=request.user)
    except review_services.ReviewError as exc:
        messages.error(request, str(exc))
    return _back(pk)


@login_required
@require_POST
def session_add_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, pk, run=True)
    form = AddRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the number of the record to add.")
        return _back(pk, "sample")
    try:
        item = review_services.session_add_record(
            session=session, record_id=form.cleaned_data["record"], by=request.user
        )
    except review_services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Record {form.cleaned_data['record']} added as number {item.position}.")
    return _back(pk, "sample")


@login_required
@require_POST
def session_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, _ = get_session_for_user(request.user, pk, run=True)
    try:
        review_services.session_close(session=session, by=request.user)
    except review_services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The session is closed.")
    return redirect("review-session-summary", pk=pk)


@login_required
@require_POST
def item_reveal(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item, _ = _item_in_session(request.user, pk, item_pk, run=True)
    try:
        review_services.item_reveal(item=item, by=request.user)
    except review_services.ReviewError as exc:
        messages.error(request, str(exc))
    return _back(pk)


@login_required
@require_POST
def item_agree(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item, _ = _item_in_session(request.user, pk, item_pk, run=True)
    form = AgreeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the panel's view of the grounds.")
        return _back(pk)
    try:
        review_services.item_agree(
            item=item,
            grounds=form.cleaned_data["grounds"],
            grade=form.cleaned_data["grade"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except review_services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The panel's view of record {item.position} was recorded.")
    return _back(pk)


# --- After the session ----------------------------------------------------------------------

SUMMARY_TITLES = {
    "ethnic_group": "By ethnic group (self-defined, five groups)",
    "outcome": "By outcome",
    "legislation": "By legislation",
}


@login_required
def session_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, access = get_session_for_user(request.user, pk)
    form = MinutesForm(request.POST or None, initial={"minutes": session.minutes})
    if request.method == "POST":
        if not access.can_run:
            raise PermissionDenied("Only the panel's chair and coordinators can write the minutes.")
        if form.is_valid():
            review_services.session_minutes_save(
                session=session,
                minutes=form.cleaned_data["minutes"],
                publish=form.cleaned_data["publish"],
                by=request.user,
            )
            messages.success(request, "Minutes saved.")
            return redirect("review-session-summary", pk=pk)
    labels = {
        "ethnic_group": dict(choices.EthnicGroup.choices),
        "outcome": {**dict(choices.Outcome.choices), "not_recorded": "Not recorded"},
        "legislation": {**dict(choices.Legislation.choices), "not_recorded": "Not recorded"},
    }
    summary = [
        (SUMMARY_TITLES[name], [(labels[name].get(s.key, s.key), s) for s in shares])
        for name, shares in selectors.session_summary(session).items()
    ]
    return form_page(
        request,
        "frontend/reviews/session_summary.html",
        {
            "panel": session.panel,
            "session": session,
            "access": access,
            "kappa": selectors.session_kappa(session),
            "summary": summary,
            "small_number": SMALL_NUMBER,
            "form": form,
        },
        form,
    )


urlpatterns: list[URLPattern] = [
    path("panels/<slug:slug>/sessions/", session_list, name="review-session-list"),
    path("panels/<slug:slug>/sessions/new/", session_new, name="review-session-new"),
    path("sessions/<int:pk>/", session_detail, name="review-session-detail"),
    path("sessions/<int:pk>/next/", session_next, name="review-session-next"),
    path("sessions/<int:pk>/go-to/", session_go_to, name="review-session-go-to"),
    path("sessions/<int:pk>/add-record/", session_add_record, name="review-session-add-record"),
    path("sessions/<int:pk>/close/", session_close, name="review-session-close"),
    path("sessions/<int:pk>/summary/", session_summary, name="review-session-summary"),
    path("sessions/<int:pk>/items/<int:item_pk>/score/", item_score, name="review-item-score"),
    path("sessions/<int:pk>/items/<int:item_pk>/reveal/", item_reveal, name="review-item-reveal"),
    path("sessions/<int:pk>/items/<int:item_pk>/agree/", item_agree, name="review-item-agree"),
]
