"""The record browser's filters, declared once for the records page and the API (`GET /api/records/`): their
parameter names, labels, choices, checks and messages, and the OpenAPI description of each.

The filters give a `RecordFilters`; what each one keeps is `selectors.records_matching`'s to say. Parameters that
do not pass the checks filter nothing: the page shows its errors over the unfiltered list (a 400), the API answers
400 with the messages by parameter (django-filter's `DjangoFilterBackend`).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from common.months import MONTH, MonthField
from scrutiny import choices
from scrutiny.records import selectors
from scrutiny.records.permissions import forces_for_user

# A value no select or box on the page offers: only a hand-made address or an API call gives one.
NOT_A_CHOICE = {"invalid_choice": '"%(value)s" is not a valid choice.'}


@extend_schema_field({"type": "string", "pattern": f"^{MONTH.pattern}$", "description": "YYYY-MM"})
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class RecordFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("month_from"), data.get("month_to")
        if start and end and start > end:
            self.add_error("month_to", "The to month must be the same as or after the from month")
        return data


class RecordFilterSet(django_filters.FilterSet):
    """The filters of a record list; the force's choices are the user's forces (`forces`, when the caller has
    them already, saves reading them again)."""

    force = extend_schema_field({"type": "string", "description": "data.police.uk force id, one of yours."})(
        django_filters.ChoiceFilter(
            label="Force",
            choices=[],  # the user's forces, set per request
            empty_label="All your forces",
            error_messages={"invalid_choice": "Not one of your forces."},
        )
    )
    month_from = MonthFilter(
        label="From month",
        help_text="For example, 2025-06",
        error_messages={"invalid": "Enter the from month as a year and month, like 2025-06"},
    )
    month_to = MonthFilter(
        label="To month",
        help_text="For example, 2025-09",
        error_messages={"invalid": "Enter the to month as a year and month, like 2025-09"},
    )
    legislation = django_filters.ChoiceFilter(
        label="Legislation", choices=choices.Legislation.choices[1:], empty_label="Any", error_messages=NOT_A_CHOICE
    )
    outcome = django_filters.ChoiceFilter(
        label="Outcome", choices=choices.Outcome.choices[1:], empty_label="Any", error_messages=NOT_A_CHOICE
    )
    ethnic_group = django_filters.ChoiceFilter(
        label="Ethnic group (self-defined, five groups)",
        choices=choices.EthnicGroup.choices,
        empty_label="Any",
        error_messages=NOT_A_CHOICE,
    )
    flag = django_filters.MultipleChoiceFilter(
        label="Only records with",
        choices=list(selectors.FLAGS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages=NOT_A_CHOICE,
    )

    class Meta:
        form = RecordFilterForm

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: Any,
        prefix: str | None = None,
        forces: list[Any] | None = None,
    ) -> None:
        if queryset is None:
            queryset = selectors.records_for_user(request.user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.forces = list(forces_for_user(request.user)) if forces is None else forces
        self.form.fields["force"].choices = [(f.police_uk_id, f.name) for f in self.forces]

    def record_filters(self) -> selectors.RecordFilters:
        """What the parameters narrow the list to: nothing when there are none or they are not valid."""
        data = self.form.cleaned_data if self.is_valid() else {}
        return selectors.RecordFilters(
            force=data.get("force") or "",
            month_from=data.get("month_from"),
            month_to=data.get("month_to"),
            legislation=data.get("legislation") or "",
            outcome=data.get("outcome") or "",
            ethnic_group=data.get("ethnic_group") or "",
            flags=frozenset(data.get("flag") or ()),
        )

    def filter_queryset(self, queryset: Any) -> Any:
        return selectors.records_matching(queryset, self.record_filters())
