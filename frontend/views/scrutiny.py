"""Encounter record pages for coordinators: upload a file, follow its import, fix rejected rows, browse records."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from common.months import MonthField
from frontend.forms import form_page
from panels.models import Organisation
from panels.typing import AuthenticatedHttpRequest
from scrutiny import choices
from scrutiny.models import RejectedRow
from scrutiny.records import selectors, services
from scrutiny.records.api import rejected_rows_response
from scrutiny.records.filters import RecordFilterSet
from scrutiny.records.importing import ImportFailed
from scrutiny.records.permissions import (
    forces_for_user,
    get_batch_for_user,
    get_record_for_user,
    get_rejected_row_for_user,
    require_records_role,
)

# --- Forms ----------------------------------------------------------------------------------


# Long labels (legislation, formats) must not push a select wider than a 320 px screen.
FULL_WIDTH_SELECT = forms.Select(attrs={"class": "govuk-!-width-full"})


# What the file input offers to pick: text (CSV, or tab-delimited as Excel's "Unicode text" saves it), the API's
# JSON, and Excel workbooks. The importer decides from the content, not the name (docs/import.md).
UPLOAD_ACCEPT = (
    ".csv,.tsv,.txt,.json,.xlsx,text/csv,text/tab-separated-values,application/json,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
# Spreadsheet files the importer cannot read, told by their name before the upload is stored. (The content is
# checked too: sniff.container refuses these whatever they are called.)
OTHER_SPREADSHEETS = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsm": "a macro-enabled Excel workbook (.xlsm)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet (.numbers)",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File to import",
        help_text=(
            "A data.police.uk stop-and-search file (CSV, or the API's JSON), or a force extract, as CSV or as an "
            "Excel workbook (.xlsx, its first sheet). Files re-saved by Excel, LibreOffice or pandas are fine."
        ),
        error_messages={
            "required": "Select a file to import",
            "empty": "The selected file is empty",
            "invalid": "The selected file could not be read",
        },
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    force: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Force",
        queryset=None,  # set per user
        to_field_name="police_uk_id",
        empty_label=None,
        widget=FULL_WIDTH_SELECT,
        error_messages={"required": "Select the force the file is from", "invalid_choice": "Select one of your forces"},
    )
    source_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Work it out from the file"), *choices.SourceFormat.choices],
        widget=FULL_WIDTH_SELECT,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        forces = forces_for_user(user)
        self.fields["force"].queryset = forces  # type: ignore[attr-defined]
        self.fields["force"].initial = next((f.police_uk_id for f in forces[:1]), None)

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        name = (file.name or "").lower()
        for suffix, kind in OTHER_SPREADSHEETS.items():
            if name.endswith(suffix):
                raise forms.ValidationError(
                    f"The selected file is {kind}: save it as an Excel workbook (.xlsx) or as CSV UTF-8, then "
                    "upload that"
                )
        return file


# How the filter form looks on the page (its fields are the record filters': scrutiny/records/filters.py).
MONTH_INPUT_ATTRS = {"class": "govuk-input--width-5", "inputmode": "numeric", "placeholder": ""}


def record_filter_form(filterset: RecordFilterSet) -> forms.Form:
    """The record filters' form, drawn with GOV.UK widths: selects full width, months five characters."""
    form = filterset.form
    for field in form.fields.values():
        if isinstance(field, MonthField):
            field.widget.attrs.update(MONTH_INPUT_ATTRS)
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs.update(FULL_WIDTH_SELECT.attrs)
    return form


def correction_form(row: RejectedRow) -> type[forms.Form]:
    """One text field per column of the row's source, filled with the values as kept."""
    sensitive = selectors.sensitive_labels(row.batch.source_format)
    fields: dict[str, forms.Field] = {}
    for index, (label, value) in enumerate(selectors.rejected_row_values(row)):
        fields[f"col_{index}"] = forms.CharField(
            label=label,
            required=False,
            initial=value,
            strip=False,
            help_text="Not kept as read: leave blank to keep the stored keyed form, or type it again."
            if label in sensitive
            else "",
        )
    return type("CorrectionForm", (forms.Form,), fields)


# --- Imports --------------------------------------------------------------------------------


@login_required
def batch_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_records_role(request.user)
    forces = list(forces_for_user(request.user))
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create_from_upload(
                file=form.cleaned_data["file"],
                force=form.cleaned_data["force"],
                by=request.user,
                source_format=form.cleaned_data["source_format"] or None,
            )
        except ImportFailed as exc:
            form.add_error("file", f"The file cannot be imported: {exc}")
        else:
            messages.success(request, f"{batch.file_name} is being imported.")
            return redirect("batch-detail", pk=batch.pk)
    return form_page(
        request,
        "frontend/scrutiny/upload.html",
        {"form": form, "forces": forces},
        form,
    )


@login_required
def batch_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_records_role(request.user)
    page = Paginator(selectors.batches_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "frontend/scrutiny/batch_list.html", {"page": page})


@login_required
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    rows = Paginator(selectors.rejected_rows_of(batch), selectors.REJECTED_ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    labels = selectors.column_labels(batch.source_format)
    rejected = []
    for row in rows:  # the cells a row has, as kept: blanks left out
        values = selectors.values_by_column(row.raw_values, labels, extra_columns=True)
        rejected.append((row, [(label, value) for label, value in values if value]))
    return render(
        request,
        "frontend/scrutiny/batch_detail.html",
        {"batch": batch, "rows": rows, "rejected": rejected, "progress_max": batch.rows_total or 1},
    )


@login_required
def batch_rejected_csv(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    return rejected_rows_response(get_batch_for_user(request.user, pk), by=request.user)


@login_required
def rejected_row_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = get_rejected_row_for_user(request.user, pk)
    if row.resolved:
        messages.info(request, f"Line {row.line_number} has already been corrected.")
        return redirect("batch-detail", pk=row.batch_id)
    form = correction_form(row)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        labels = [str(form.fields[name].label or "") for name in form.fields]
        sensitive = selectors.sensitive_labels(row.batch.source_format)
        values = {
            label: form.cleaned_data[name]
            for label, name in zip(labels, form.fields, strict=True)
            if not (label in sensitive and not form.cleaned_data[name])
        }
        try:
            outcome = services.rejected_row_correct(row=row, values=values, by=request.user)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            if outcome["status"] == "rejected":
                for reason in outcome["reasons"]:
                    form.add_error(None, reason)
                row.refresh_from_db()
            else:
                what = "a duplicate of a record already held" if outcome["status"] == "duplicate" else "imported"
                messages.success(request, f"Line {row.line_number} was corrected and is now {what}.")
                return redirect("batch-detail", pk=row.batch_id)
    return form_page(
        request,
        "frontend/scrutiny/correct.html",
        {"row": row, "batch": row.batch, "form": form},
        form,
    )


# --- Records --------------------------------------------------------------------------------


@login_required
def record_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_records_role(request.user)
    forces = list(forces_for_user(request.user))
    filterset = RecordFilterSet(request.GET or None, request=request, forces=forces)
    form = record_filter_form(filterset)
    records, counts = selectors.records_for_coordinator(request.user, filterset.record_filters())
    page = selectors.record_page(records, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return form_page(
        request,
        "frontend/scrutiny/record_list.html",
        {
            "form": form,
            "forces": forces,
            "page": page,
            "counts": counts,
            "group_counts": [(code, label, counts["groups"][code]) for code, label in choices.EthnicGroup.choices],
            "query": urlencode(list(query.lists()), doseq=True),
        },
        form,
    )


@login_required
def record_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    services.record_viewed(record=record, by=request.user, context="record page")
    return render(request, "frontend/scrutiny/record_detail.html", {"record": record})


@login_required
@require_POST
def record_redaction_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    services.record_redaction_check(record=record, by=request.user)
    messages.success(request, "Redaction checked: panel members may now see these grounds in a review session.")
    return redirect("record-detail", pk=record.pk)


urlpatterns = [
    path("records/", record_list, name="record-list"),
    path("records/<int:pk>/", record_detail, name="record-detail"),
    path("records/<int:pk>/redaction-check/", record_redaction_check, name="record-redaction-check"),
    path("imports/", batch_list, name="batch-list"),
    path("imports/new/", batch_upload, name="batch-upload"),
    path("imports/<int:pk>/", batch_detail, name="batch-detail"),
    path("imports/<int:pk>/rejected.csv", batch_rejected_csv, name="batch-rejected-csv"),
    path("imports/rejected/<int:pk>/", rejected_row_correct, name="rejected-row-correct"),
]
