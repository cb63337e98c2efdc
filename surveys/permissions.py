"""Who may build and run surveys. Deny by default; roles are described in docs/surveys.md.

Builders: the coordinators of any panel; and on youth commissions and diversity panels, whose work is consulting
their communities, the chair and members too. Observers never build. Respondents need no account at all.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404

from panels.models import Membership, Panel
from panels.permissions import PanelAccess, get_panel_access
from surveys.models import Question, Section, Survey

COMMUNITY_PANEL_KINDS = {Panel.Kind.YOUTH, Panel.Kind.DIVERSITY}
BUILD_ROLES_ANY_PANEL = {Membership.Role.COORDINATOR}
BUILD_ROLES_COMMUNITY_PANEL = {Membership.Role.COORDINATOR, Membership.Role.CHAIR, Membership.Role.MEMBER}


def can_build_surveys(access: PanelAccess) -> bool:
    if access.is_superuser or access.role in BUILD_ROLES_ANY_PANEL:
        return True
    return access.panel.kind in COMMUNITY_PANEL_KINDS and access.role in BUILD_ROLES_COMMUNITY_PANEL


def get_survey_panel_access(user: Any, slug: str) -> PanelAccess:
    """The panel, if the user may build and run its surveys; 404 if no such panel, 403 otherwise."""
    access = get_panel_access(user, slug)
    if not can_build_surveys(access):
        raise PermissionDenied("Only the people who run this panel's consultations can do this.")
    return access


def get_survey_for_user(user: Any, pk: int) -> tuple[Survey, PanelAccess]:
    """A survey the user may build and run (and see the responses count of); 404 if none, 403 if not theirs."""
    survey = Survey.objects.select_related("panel", "panel__force_area").filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey, get_survey_panel_access(user, survey.panel.slug)


def get_section_on_survey(survey: Survey, pk: int) -> Section:
    section = Section.objects.filter(survey=survey, pk=pk).first()
    if section is None:
        raise Http404("No such section.")
    return section


def get_question_on_survey(survey: Survey, pk: int) -> Question:
    question = Question.objects.select_related("survey").filter(survey=survey, pk=pk).first()
    if question is None:
        raise Http404("No such question.")
    return question


def get_public_survey(public_key: str) -> Survey:
    """A survey by its public link: anyone may reach it; whether it takes responses is the page's to say.

    Read by a plain SELECT of the survey's own row (its panel is read when a page names it), each value turned into
    its field's Python value by the same converters the ORM applies: this is the first read of every response sent,
    and the ORM's query for it (select_related, then raw()) cost two to three times as much as sending it and reading
    the row."""
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    fields = Survey._meta.concrete_fields
    table, key = quote(Survey._meta.db_table), quote(str(Survey._meta.get_field("public_key").column))
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(str(f.column)) for f in fields)} FROM {table} WHERE {key} = %s",  # noqa: S608 - names from the model
            [public_key],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such survey.")
    values = []
    for field, value in zip(fields, row, strict=True):
        column = field.get_col(Survey._meta.db_table)
        for convert in db.ops.get_db_converters(column) + field.get_db_converters(db):
            value = convert(value, column, db)
        values.append(value)
    survey = Survey.from_db(db.alias, [f.attname for f in fields], values)
    if survey.status == Survey.Status.DRAFT:
        raise Http404("No such survey.")
    return survey
