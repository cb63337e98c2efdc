"""The coverage pages (frontend/views/coverage.py): who reads them, what they say after real syncs against the replay
server, and how many queries they make whatever the number of months and runs."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frontend.views.coverage import month_ranges
from panels.models import Membership, Organisation, Panel, StaffRole, User
from scrutiny.models import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus
from scrutiny.records.importing.fetch import RateLimiter
from scrutiny.sync.replay import ReplayServer
from scrutiny.sync.services import SyncSummary, sync_run
from tests.factories import MembershipFactory, OrganisationFactory, StaffRoleFactory, UserFactory, enrol_totp
from tests.frontend.helpers import page_text, visible

pytestmark = pytest.mark.django_db

RECORDINGS = Path(settings.BASE_DIR) / "data" / "police-uk-api"
# The pages' queries: the session and the user, three for the two-factor middleware, the role check; then the forces
# (or the force), their months, the two that say when each force was last checked, and (overview) the last runs.
OVERVIEW_QUERIES = 11
FORCE_QUERIES = 10


@pytest.fixture
def replay(tmp_path: Path, settings: Any) -> Iterator[ReplayServer]:
    settings.POLICE_UK_ATTEMPTS = 2
    settings.POLICE_UK_TIMEOUT = 1
    shutil.copytree(RECORDINGS, tmp_path / "api")
    with ReplayServer(tmp_path / "api") as server:
        yield server


Sync = Callable[..., SyncSummary]


@pytest.fixture
def sync(replay: ReplayServer) -> Sync:
    def run(**kwargs: Any) -> SyncSummary:
        return sync_run(base_url=replay.url, limiter=RateLimiter(rate=1000, burst=1000), **kwargs)

    return run


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_user(**fields: Any) -> User:
    user = UserFactory.create(**fields)
    enrol_totp(user)
    return user


def opcc_officer(panel: Panel) -> User:
    office = OrganisationFactory.create(kind=Organisation.Kind.OPCC, force_area=panel.force_area)
    user = staff_user(email="officer@opcc.example.org")
    StaffRoleFactory.create(user=user, organisation=office, role=StaffRole.Role.OPCC_OFFICER)
    return user


def row(response: Any, police_uk_id: str) -> str:
    """The text of one force's row in the overview table."""
    match = re.search(
        rf'<tr class="govuk-table__row" data-force="{police_uk_id}">(.*?)</tr>', response.content.decode(), re.S
    )
    assert match, police_uk_id
    return visible(match.group(1))


# --- who ------------------------------------------------------------------------------------------------------------


def test_coordinators_opcc_officers_and_site_staff_read_coverage(coordinator: User, panel: Panel) -> None:
    readers = [coordinator, opcc_officer(panel), staff_user(email="staff@example.org", is_staff=True)]
    for user in readers:
        client = signed_in(user)
        assert client.get(reverse("coverage")).status_code == 200, user.email
        assert client.get(reverse("coverage-force", args=["cheshire"])).status_code == 200, user.email
        assert client.get(reverse("api-coverage")).status_code == 200, user.email
        assert client.get(reverse("api-coverage-force", args=["cheshire"])).status_code == 200, user.email


def test_members_chairs_observers_liaisons_and_outsiders_are_refused(
    panel: Panel, member: User, outsider: User
) -> None:
    chair = MembershipFactory.create(panel=panel, role=Membership.Role.CHAIR).user
    observer = MembershipFactory.create(panel=panel, role=Membership.Role.OBSERVER).user
    liaison = staff_user(email="liaison@force.example.org")
    StaffRoleFactory.create(
        user=liaison, organisation=Organisation.objects.get(police_uk_id="cheshire"), role=StaffRole.Role.FORCE_LIAISON
    )
    for user in (member, chair, observer, liaison, outsider):
        client = signed_in(user)
        response = client.get(reverse("coverage"))
        assert response.status_code == 403, user.email
        assert "Only coordinators, OPCC officers and site staff" in response.content.decode()
        assert client.get(reverse("coverage-force", args=["cheshire"])).status_code == 403, user.email
        assert client.get(reverse("api-coverage")).status_code == 403, user.email
        assert client.get(reverse("api-coverage-force", args=["cheshire"])).status_code == 403, user.email


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("coverage"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(reverse("api-coverage")).status_code == 401


def test_a_force_that_is_not_one_is_a_404(coordinator: User) -> None:
    client = signed_in(coordinator)
    assert client.get(reverse("coverage-force", args=["atlantis"])).status_code == 404
    assert client.get(reverse("api-coverage-force", args=["atlantis"])).status_code == 404


# --- what -----------------------------------------------------------------------------------------------------------


def test_before_any_sync_every_force_is_not_synced_yet(coordinator: User) -> None:
    response = signed_in(coordinator).get(reverse("coverage"))

    text = page_text(response)
    assert "No sync has run yet" in text
    assert response.content.decode().count('data-force="') == 44
    assert "Not synced yet" in row(response, "metropolitan")


def test_after_a_sync_each_force_says_what_is_held_and_what_the_source_lacks(
    coordinator: User, sync: Sync, replay: ReplayServer
) -> None:
    replay.add_fault("cheshire", "2025-08", "503", times=2)
    sync()

    response = signed_in(coordinator).get(reverse("coverage"))

    text = page_text(response)
    assert "4 fetched, 4 changed, 1 failed" in text
    assert "January 2023 to September 2025" in text
    avon = row(response, "avon-and-somerset")
    assert "Up to date" in avon
    assert "1 of 1" in avon
    assert "507" in avon
    assert "June 2025 to September 2025" in avon  # its gaps
    cheshire = row(response, "cheshire")
    assert "Failing: retried next run" in cheshire
    assert "3 of 4" in cheshire
    assert "January 2023" in cheshire
    kent = row(response, "kent")
    assert "Not published by data.police.uk" in kent
    assert "Every month listed" in kent
    assert "1 force had months that could not be fetched" in text


def test_a_forces_page_lists_its_months_with_failures_and_revisions(
    coordinator: User, sync: Sync, replay: ReplayServer
) -> None:
    replay.add_fault("cheshire", "2025-08", "503", times=2)
    sync()
    replay.add_fault("cheshire", "2025-09", "empty")
    sync()

    response = signed_in(coordinator).get(reverse("coverage-force", args=["cheshire"]))

    text = page_text(response)
    assert "Cheshire Constabulary" in text
    assert "Up to date" in text  # August came in on the second run
    assert "August 2025" in text
    sm = SourceMonth.objects.get(force__police_uk_id="cheshire", month=date(2025, 9, 1))
    assert (sm.revisions, sm.source_rows) == (1, 0)
    assert "September 2025 Held 0 1" in text  # held, no rows now, one revision, its records withdrawn:
    assert f"and {sm.withdrawn} withdrawn" in text
    assert "January 2023 Not published" in text


def test_a_failure_shows_its_reason_on_the_forces_page(coordinator: User, sync: Sync, replay: ReplayServer) -> None:
    replay.add_fault("cheshire", "2025-08", "503", times=2)
    sync()

    text = page_text(signed_in(coordinator).get(reverse("coverage-force", args=["cheshire"])))

    assert "These months could not be fetched" in text
    assert 'August 2025 : data.police.uk answered 503 Service Unavailable for force "cheshire" in 2025-08' in text


def test_british_transport_police_says_it_has_no_resident_population(coordinator: User) -> None:
    text = page_text(signed_in(coordinator).get(reverse("coverage-force", args=["btp"])))
    assert "no resident population" in text


def test_a_run_for_one_force_updates_only_its_last_checked(coordinator: User, sync: Sync) -> None:
    sync()
    everyone = SyncRun.objects.get()
    SyncRun.objects.filter(pk=everyone.pk).update(finished_at=timezone.now() - timedelta(days=1))
    sync(force_ids=["cheshire"])
    latest = SyncRun.objects.latest("pk")

    data = signed_in(coordinator).get(reverse("api-coverage")).json()

    checked = {f["force"]: f["last_checked"] for f in data["forces"]}
    assert latest.finished_at is not None
    assert checked["cheshire"] == latest.finished_at.isoformat().replace("+00:00", "Z")
    assert checked["kent"] != checked["cheshire"]
    assert checked["kent"] is not None


# --- the API gives the same -----------------------------------------------------------------------------------------


def test_the_api_gives_each_forces_coverage_and_the_runs(coordinator: User, sync: Sync, replay: ReplayServer) -> None:
    replay.add_fault("cheshire", "2025-08", "503", times=2)
    sync()

    data = signed_in(coordinator).get(reverse("api-coverage")).json()

    assert (data["first_month"], data["last_month"]) == ("2023-01", "2025-09")
    assert len(data["forces"]) == 44
    forces = {f["force"]: f for f in data["forces"]}
    avon = forces["avon-and-somerset"]
    assert (avon["state"], avon["months_held"], avon["records"]) == ("complete", 1, 507)
    assert avon["gaps"] == ["2025-06", "2025-07", "2025-08", "2025-09"]
    cheshire = forces["cheshire"]
    assert cheshire["state"] == "failing"
    assert [(f["month"], f["failures"], f["held"]) for f in cheshire["failed"]] == [("2025-08", 1, False)]
    assert "answered 503" in cheshire["failed"][0]["reason"]
    assert forces["btp"]["state"] == "not_published"
    [run] = data["runs"]
    assert (run["status"], run["fetched"], run["failed"], run["latest_month"]) == ("finished", 4, 1, "2025-09")


def test_the_api_gives_a_forces_months_newest_first(coordinator: User, sync: Sync) -> None:
    sync()

    data = signed_in(coordinator).get(reverse("api-coverage-force", args=["cheshire"])).json()

    assert data["coverage"]["months_held"] == 4
    assert [m["month"] for m in data["months"]] == ["2025-09", "2025-08", "2025-07", "2025-06", "2023-01"]
    assert [m["status"] for m in data["months"]] == ["held"] * 4 + ["not_published"]
    assert (
        data["months"][0]["rows"]
        == SourceMonth.objects.get(force__police_uk_id="cheshire", month=date(2025, 9, 1)).source_rows
    )


# --- cost -----------------------------------------------------------------------------------------------------------


def many_months(n_months: int, n_runs: int) -> None:
    """Every force with n_months months (some held, some gaps, some failing) and n_runs finished runs."""
    forces = list(Organisation.objects.filter(kind=Organisation.Kind.FORCE).exclude(police_uk_id=""))
    months = [date(2020 + i // 12, i % 12 + 1, 1) for i in range(n_months)]
    statuses = [SourceMonthStatus.HELD, SourceMonthStatus.NOT_PUBLISHED, SourceMonthStatus.FAILED]
    SourceMonth.objects.bulk_create(
        SourceMonth(
            force=f,
            month=m,
            published=(i % 3) != 1,
            status=statuses[i % 3],
            source_rows=100 if i % 3 == 0 else None,
            failures=1 if i % 3 == 2 else 0,
            last_error="data.police.uk answered 503" if i % 3 == 2 else "",
        )
        for f in forces
        for i, m in enumerate(months)
    )
    for i in range(n_runs):
        SyncRun.objects.create(
            status=SyncRunStatus.FINISHED, finished_at=timezone.now(), forces=[] if i % 2 else ["cheshire"]
        )


@pytest.mark.parametrize(("n_months", "n_runs"), [(3, 1), (36, 20)])
def test_the_pages_make_the_same_few_queries_however_much_there_is(
    coordinator: User, n_months: int, n_runs: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    many_months(n_months, n_runs)
    client = signed_in(coordinator)

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(reverse("coverage"))
    assert response.status_code == 200
    assert response.content.decode().count('data-force="') == 44
    with django_assert_num_queries(FORCE_QUERIES):
        response = client.get(reverse("coverage-force", args=["cheshire"]))
    assert response.content.decode().count("data-month=") == n_months


def test_months_are_written_as_runs_of_consecutive_months() -> None:
    months = [
        date(2023, 1, 1),
        date(2025, 6, 1),
        date(2025, 7, 1),
        date(2025, 8, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
    ]
    assert month_ranges(months) == "January 2023; December 2024 to January 2025; June 2025 to August 2025"
    assert month_ranges([]) == ""


# --- the dashboard ----------------------------------------------------------------------------------------------------


def test_the_dashboard_links_coverage_for_those_who_may_read_it(
    coordinator: User, member: User, outsider: User, panel: Panel
) -> None:
    link = f'href="{reverse("coverage")}"'
    for user in (coordinator, opcc_officer(panel), staff_user(email="staff@example.org", is_staff=True)):
        assert link in signed_in(user).get(reverse("dashboard")).content.decode(), user.email
    for user in (member, outsider):
        assert link not in signed_in(user).get(reverse("dashboard")).content.decode(), user.email
