"""`manage.py loaddemo`: safe to run again, prints a working login for every role, refuses production."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from panels.models import (
    Attendance,
    Meeting,
    Membership,
    Organisation,
    Panel,
    SelfDescription,
    StaffRole,
    User,
)
from panels.selectors import panel_make_up
from scrutiny.models import (
    Assessment,
    EncounterRecord,
    Escalation,
    EscalationEvent,
    Finding,
    ImportBatch,
    ReviewSession,
    SessionRecord,
)
from surveys.building.models import Question, Survey
from surveys.loop.models import AnswerTheme, Recommendation, RecommendationUpdate, Theme
from surveys.responding.models import Answer, Response

pytestmark = pytest.mark.django_db

MODELS = [
    ReviewSession,
    SessionRecord,
    Assessment,
    Finding,
    Escalation,
    EscalationEvent,
    User,
    EmailAddress,
    Organisation,
    Panel,
    Membership,
    StaffRole,
    Meeting,
    Attendance,
    SelfDescription,
    ImportBatch,
    EncounterRecord,
    Survey,
    Question,
    Response,
    Answer,
    Theme,
    AnswerTheme,
    Recommendation,
    RecommendationUpdate,
]
EMAIL = re.compile(r"^\s+(\S+@\S+)\s+\S", re.MULTILINE)


def load(*args: str) -> str:
    out = StringIO()
    call_command("loaddemo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def printed_password(output: str) -> str:
    match = re.search(r"password: (\S+)", output)
    assert match, output
    return match.group(1)


def roles_of(user: User) -> set[str]:
    roles = set(Membership.objects.active().filter(user=user).values_list("role", flat=True))
    roles |= set(StaffRole.objects.filter(user=user, end_date__isnull=True).values_list("role", flat=True))
    if user.is_staff:
        roles.add("staff")
    return roles


@pytest.fixture
def debug(settings: Settings) -> None:
    settings.DEBUG = True


@pytest.mark.usefixtures("debug")
def test_running_it_twice_creates_nothing_twice() -> None:
    load()
    first = counts()
    load()
    assert counts() == first
    assert first["Panel"] == 3
    assert all(n > 0 for n in first.values()), first


@pytest.mark.usefixtures("debug")
def test_running_it_again_changes_nothing_someone_edited() -> None:
    load()
    Panel.objects.filter(kind=Panel.Kind.DIVERSITY).update(is_public=True, name="Renamed by the coordinator")
    load()
    panel = Panel.objects.get(kind=Panel.Kind.DIVERSITY)
    assert (panel.name, panel.is_public) == ("Renamed by the coordinator", True)


@pytest.mark.usefixtures("debug")
def test_it_prints_one_working_login_per_role() -> None:
    output = load()
    emails = EMAIL.findall(output)
    password = printed_password(output)

    assert len(emails) == len(set(emails))
    covered: set[str] = set()
    for email in emails:
        user = User.objects.get(email=email)
        assert user.check_password(password), email
        assert EmailAddress.objects.filter(user=user, email=email, verified=True).exists(), email
        covered |= roles_of(user)
    assert covered >= {*Membership.Role.values, *StaffRole.Role.values, "staff"}


@pytest.mark.usefixtures("debug")
def test_a_printed_member_login_reaches_the_dashboard() -> None:
    output = load()
    member = next(e for e in EMAIL.findall(output) if roles_of(User.objects.get(email=e)) == {"member"})
    client = Client()

    response = client.post(reverse("account_login"), {"login": member, "password": printed_password(output)})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.usefixtures("debug")
def test_the_demo_is_one_force_area_with_its_opcc_and_three_panels() -> None:
    load()
    panels = list(Panel.objects.all())
    assert sorted(p.kind for p in panels) == sorted([Panel.Kind.STOP_SEARCH, Panel.Kind.YOUTH, Panel.Kind.DIVERSITY])
    assert len({p.force_area_id for p in panels}) == 1
    area = panels[0].force_area
    assert Organisation.objects.filter(kind=Organisation.Kind.OPCC, force_area=area).count() == 1
    force = Organisation.objects.get(kind=Organisation.Kind.FORCE, force_area=area)
    assert force.police_uk_id
    stop_search = Panel.objects.get(kind=Panel.Kind.STOP_SEARCH)
    # Enough members describe themselves for the make-up table to show, and some minutes are published.
    assert panel_make_up(stop_search).ethnicity.shown
    assert stop_search.meetings.filter(minutes_status=Meeting.MinutesStatus.PUBLISHED).exists()
    assert stop_search.meetings.filter(minutes_status=Meeting.MinutesStatus.DRAFT).exists()


def test_it_refuses_to_run_with_debug_false(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=false"):
        load()
    assert not User.objects.exists()
    assert not Panel.objects.exists()


def test_force_runs_it_with_debug_false(settings: Settings) -> None:
    settings.DEBUG = False
    output = load("--force")
    assert Panel.objects.count() == 3
    assert EMAIL.findall(output)


@pytest.mark.usefixtures("debug")
def test_it_imports_the_shipped_cheshire_records_once() -> None:
    data = Path(settings.BASE_DIR, "data", "police-uk")
    files = sorted(data.glob("*-cheshire-stop-and-search.csv"))
    # An independent count: data rows are the lines that are neither blank nor a header.
    rows = sum(
        1
        for path in files
        for line in path.read_text(encoding="utf-8-sig").splitlines()
        if line.strip() and not line.startswith("Type,Date,")
    )
    output = load()
    assert ImportBatch.objects.count() == len(files) == 4
    assert EncounterRecord.objects.filter(force__police_uk_id="cheshire").count() == rows
    assert f"{rows}, {rows} imported now" in output
    second = load()
    assert ImportBatch.objects.count() == len(files)
    assert "imported now" not in second


@pytest.mark.usefixtures("debug")
def test_it_loads_a_review_session_with_a_finding_escalated_to_the_force() -> None:
    load()
    session = ReviewSession.objects.get(panel__slug="cheshire-stop-search")
    # Stratified, 2 from each of the five groups (the four months hold every group).
    assert session.items.count() == 10
    assert session.sample_spec["method"] == "stratified"
    escalation = Escalation.objects.get()
    assert escalation.force.slug == "cheshire-constabulary"
    assert escalation.finding.session == session
    liaison = User.objects.get(email="liaison@demo.example")
    assert StaffRole.objects.filter(user=liaison, organisation=escalation.force).exists()


@pytest.mark.usefixtures("debug")
def test_it_loads_a_youth_consultation_answered_on_paper_with_a_published_recommendation() -> None:
    load()
    survey = Survey.objects.get(panel__slug="cheshire-youth")
    assert survey.status == Survey.Status.OPEN
    # The trust set, a question shown only to those stopped, and the demographics block.
    assert survey.questions.filter(standard_code__startswith="trust.").count() == 3
    assert survey.questions.filter(show_if_question__isnull=False).count() == 1
    assert survey.questions.filter(kind=Question.Kind.DEMOGRAPHICS).count() == 1
    responses = survey.responses.all()
    assert responses.count() == 60
    youth = User.objects.get(email="youth@demo.example")
    assert {(r.channel, r.entered_by_id) for r in responses} == {(Response.Channel.PAPER, youth.pk)}
    # Some respondents are 14 to 17: the demo shows the young people's side of the results.
    assert responses.filter(under_18=True).exists()
    theme = Theme.objects.get(survey=survey)
    assert theme.tags.filter(is_quote=True).count() == 1
    recommendation = Recommendation.objects.get(panel__slug="cheshire-youth")
    assert recommendation.status == Recommendation.Status.RESPONDED
    assert recommendation.is_published
    assert recommendation.updates.count() == 1


@pytest.mark.usefixtures("debug")
def test_the_consultation_shows_on_the_youth_commissions_public_page() -> None:
    load()
    recommendation = Recommendation.objects.get(panel__slug="cheshire-youth")
    page = Client().get(reverse("panel-public", args=["cheshire-youth"]))
    assert page.status_code == 200
    assert recommendation.title in page.content.decode()


@pytest.mark.usefixtures("debug")
def test_it_prints_the_sign_in_link_for_where_the_site_is_served() -> None:
    out = StringIO()
    call_command("loaddemo", "--site", "http://127.0.0.1:8011/", stdout=out)
    assert "Sign in at http://127.0.0.1:8011/accounts/login/" in out.getvalue()
