"""Create a demonstration force area with its OPCC, three panels, one login per role, four months of real records, a
review session with a finding escalated to the force, and a youth consultation with its answers, a theme and a
recommendation the PCC has answered.

Safe to run again: it creates what is missing and changes nothing else. It lives in `frontend` because it
composes the apps (people and panels, and encounter records).
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from panels import census
from panels.models import (
    Attendance,
    ForceArea,
    Meeting,
    Membership,
    Organisation,
    Panel,
    SelfDescription,
    StaffRole,
    User,
)
from scrutiny.escalations.services import escalation_send
from scrutiny.models import EncounterRecord, Finding, GroundsRating, ImportBatch
from scrutiny.records.imports import batch_import, file_sha256
from scrutiny.reviews.sampling import STRATIFIED, SampleSpec
from scrutiny.reviews.services import AssessmentInput, FindingInput, assessment_save, finding_create, session_create
from surveys import vocab
from surveys.building.models import Question
from surveys.building.services import (
    QuestionInput,
    question_add,
    section_add,
    survey_add_trust_set,
    survey_create,
    survey_open,
)
from surveys.loop.models import Recommendation, RecommendationUpdate
from surveys.loop.services import (
    answer_tag,
    recommendation_add_update,
    recommendation_create,
    recommendation_publish,
    recommendation_respond,
    recommendation_send,
    theme_create,
)
from surveys.responding.models import Answer
from surveys.responding.services import response_submit

DEMO_PASSWORD = "scrutiny-demo-2026"  # noqa: S105 - demo logins only; the command refuses to run in production
AREA_CODE = "E23000006"  # Cheshire: the demo's real records (data/police-uk/) are Cheshire's

TERMS = """The panel reviews a sample of stop-and-search records at every meeting, scores each one on its own first,
then agrees a view, and escalates concerns to the force.

## Membership

- Members live or work in the force area, and are drawn from the communities most affected by stop and search.
- Members serve for two years, renewable once.

## What we publish

Our minutes, what we found and how the force responded. [Read the College of Policing guidance](https://www.college.police.uk/).
"""

# (email, name, what they are)
ROLES: list[tuple[str, str, str]] = [
    ("admin@demo.example", "Site administrator", "site staff (admin)"),
    ("coordinator@demo.example", "Cara Coordinator", "coordinator of all three panels"),
    ("chair@demo.example", "Chidi Chair", "chair of the stop-and-search panel"),
    ("member@demo.example", "Mo Member", "member of the stop-and-search panel and the youth commission"),
    ("observer@demo.example", "Olu Observer", "observer on the stop-and-search panel"),
    ("youth@demo.example", "Yasmin Youth", "member of the youth commission"),
    ("opcc@demo.example", "Priya OPCC", "OPCC officer for Cheshire"),
    ("liaison@demo.example", "Lee Liaison", "force liaison, Cheshire Constabulary"),
]

# Detailed Census group codes for the demo's extra members, so the make-up table has something to show.
EXTRA_MEMBER_GROUPS = ["13", "13", "13", "6", "7", "11", "3", "4", "17", "18", "13", "prefer_not"]


class Command(BaseCommand):
    help = "Load the demonstration data (idempotent) and print one login per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is false.")
        parser.add_argument(
            "--site", default="http://127.0.0.1:8000", help="Where the site is served, for the sign-in link printed."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to load demo logins with DEBUG=false. Use --force if you really mean it.")
        with transaction.atomic():
            users, force = self._load()
        imported = self._records(force)
        with transaction.atomic():
            self._review(users, force)
        with transaction.atomic():
            self._consultation(users)
        self._print(users, imported, site=options["site"].rstrip("/"))

    def _load(self) -> tuple[dict[str, User], Organisation]:
        area = ForceArea.objects.get(code=AREA_CODE)
        # Every force exists from the first migrate (panels/forces.py).
        force = Organisation.objects.get(kind=Organisation.Kind.FORCE, police_uk_id=census.POLICE_UK_IDS[AREA_CODE])
        opcc, _ = Organisation.objects.get_or_create(
            slug="cheshire-opcc",
            defaults={
                "name": "Office of the Police and Crime Commissioner for Cheshire",
                "kind": Organisation.Kind.OPCC,
                "force_area": area,
            },
        )
        panel_specs: list[tuple[str, str, str, dict[str, Any]]] = [
            (
                "cheshire-stop-search",
                "Cheshire Stop and Search Scrutiny Panel",
                Panel.Kind.STOP_SEARCH,
                {"terms_of_reference": TERMS, "is_public": True},
            ),
            ("cheshire-youth", "Cheshire Youth Commission", Panel.Kind.YOUTH, {"is_public": True}),
            ("cheshire-diversity", "Cheshire Diversity Panel", Panel.Kind.DIVERSITY, {}),
        ]
        panels = {
            kind: Panel.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "kind": kind, "force_area": area, "organisation": opcc, **extra},
            )[0]
            for slug, name, kind, extra in panel_specs
        }
        users = {email: self._user(email, name, staff=email.startswith("admin@")) for email, name, _ in ROLES}
        stop_search, youth, diversity = (
            panels[Panel.Kind.STOP_SEARCH],
            panels[Panel.Kind.YOUTH],
            panels[Panel.Kind.DIVERSITY],
        )
        for panel in (stop_search, youth, diversity):
            self._member(users["coordinator@demo.example"], panel, Membership.Role.COORDINATOR)
        self._member(users["chair@demo.example"], stop_search, Membership.Role.CHAIR)
        self._member(users["member@demo.example"], stop_search, Membership.Role.MEMBER)
        self._member(users["member@demo.example"], youth, Membership.Role.MEMBER)
        self._member(users["observer@demo.example"], stop_search, Membership.Role.OBSERVER)
        self._member(users["youth@demo.example"], youth, Membership.Role.MEMBER)
        StaffRole.objects.get_or_create(
            user=users["opcc@demo.example"], organisation=opcc, role=StaffRole.Role.OPCC_OFFICER, end_date=None
        )
        StaffRole.objects.get_or_create(
            user=users["liaison@demo.example"], organisation=force, role=StaffRole.Role.FORCE_LIAISON, end_date=None
        )
        for n, group in enumerate(EXTRA_MEMBER_GROUPS, start=1):
            extra = self._user(f"member{n:02d}@demo.example", f"Panel member {n}")
            self._member(extra, stop_search, Membership.Role.MEMBER)
            SelfDescription.objects.get_or_create(
                user=extra, defaults={"ethnic_group": group, "consented_at": timezone.now()}
            )
        self._meetings(stop_search, [users["chair@demo.example"], users["member@demo.example"]])
        return users, force

    def _records(self, force: Organisation) -> int:
        """Import the real Cheshire downloads shipped in data/police-uk/, each file once."""
        imported = 0
        for path in sorted(Path(settings.BASE_DIR, "data", "police-uk").glob("*-cheshire-stop-and-search.csv")):
            with path.open("rb") as source:
                if ImportBatch.objects.filter(force=force, file_sha256=file_sha256(source)).exists():
                    continue
                _, result = batch_import(source=source, file_name=path.name, force=force)
                imported += result.imported
        return imported

    def _review(self, users: dict[str, User], force: Organisation) -> None:
        """A review session over a seeded sample of the real records, part scored, with a finding escalated to the
        force: enough to show every step. Only once: if the panel has a session, nothing is added."""
        panel = Panel.objects.get(slug="cheshire-stop-search")
        if panel.review_sessions.exists() or not EncounterRecord.objects.filter(force=force).exists():
            return
        chair, member = users["chair@demo.example"], users["member@demo.example"]
        spec = SampleSpec(method=STRATIFIED, size=2, seed=2026)
        session = session_create(
            panel=panel,
            title="Stop and search review",
            day=timezone.localdate() + timedelta(days=7),
            spec=spec,
            by=chair,
        )
        first = session.items.order_by("position").first()
        if first is None:
            return
        assessment_save(
            item=first,
            member=member,
            data=AssessmentInput(grounds=GroundsRating.UNCLEAR, grade=5, comment="Grounds are thin."),
            submit=True,
        )
        finding = finding_create(
            panel=panel,
            session=session,
            data=FindingInput(
                title="Body-worn video not recorded",
                category=Finding.Category.BODY_WORN_VIDEO,
                rag=Finding.Rag.AMBER,
                observation="In four of the searches reviewed last quarter body-worn video was not recorded.",
                recommendation="Remind officers that searches are recorded on body-worn video.",
                item_ids=[first.pk],
            ),
            by=chair,
        )
        escalation_send(
            finding=finding,
            force=force,
            question="Why was body-worn video not recorded, and what will change?",
            by=chair,
        )

    def _consultation(self, users: dict[str, User]) -> None:
        """The youth commission's consultation: the trust set, a display condition, demographics and 60 paper forms
        typed in by a commissioner (seeded, made up), one theme with a quote, and a recommendation the PCC has
        answered, published with a progress update. Only once: if the commission has a survey, nothing is added."""
        panel = Panel.objects.get(slug="cheshire-youth")
        if panel.surveys.exists():
            return
        youth, opcc = users["youth@demo.example"], users["opcc@demo.example"]
        survey = survey_create(
            panel=panel,
            title="Young people and stop and search",
            introduction="The youth commission asks young people in Cheshire about the police and stop and search.",
            by=users["coordinator@demo.example"],
        )
        first = survey.sections.get()
        K = Question.Kind
        stopped = question_add(
            section=first,
            data=QuestionInput(
                kind=K.SINGLE,
                text="Have you been stopped and searched by the police in the last 12 months?",
                required=True,
                options=["Yes", "No", "Not sure"],
            ),
        )
        treated = question_add(
            section=first,
            data=QuestionInput(
                kind=K.TEXT,
                text="How were you treated, and what would have made it better?",
                show_if_question=stopped,
                show_if_values=["Yes"],
            ),
        )
        survey_add_trust_set(survey=survey)
        about = section_add(survey=survey, title="About you")
        demographics = question_add(section=about, data=QuestionInput(kind=K.DEMOGRAPHICS, text="About you"))
        survey_open(survey=survey)

        rng = random.Random(2026)  # noqa: S311 - made-up demo answers, not security
        ethnic_codes = [code for _, group in vocab.ETHNIC_GROUPS for code, _ in group]
        said = [
            "The officer explained why and was polite.",
            "Nobody told me why they stopped me.",
            "They searched me in front of my friends; it was embarrassing.",
            "Tell us why you stop us and give us the record.",
            "It was fine, quick and respectful.",
        ]
        trust = {q.standard_code: q for q in survey.questions.exclude(standard_code="")}
        for _ in range(60):
            was_stopped = rng.choice(["Yes", "No", "No", "Not sure"])
            data: dict[str, list[str]] = {stopped.field_name: [was_stopped]}
            if was_stopped == "Yes":
                data[treated.field_name] = [rng.choice(said)]
            data[trust["trust.good_job"].field_name] = [rng.choice([c for c, _ in vocab.RATING])]
            matrix = trust["trust.agree_statements"]
            for i in range(len(matrix.options)):
                data[f"{matrix.field_name}_{i}"] = [rng.choice([c for c, _ in vocab.AGREEMENT])]
            fair = trust["trust.stop_search_fair"]
            data[fair.field_name] = [rng.choice(fair.options)]
            data[f"{demographics.field_name}_age_band"] = [rng.choice(["14-17", "14-17", "18-24", "prefer_not"])]
            data[f"{demographics.field_name}_ethnic_group"] = [rng.choice(ethnic_codes)]
            data[f"{demographics.field_name}_sex"] = [rng.choice(["female", "male", "prefer_not"])]
            response_submit(
                survey=survey,
                data=data,
                channel="paper",
                entered_by=youth,
            )
        theme = theme_create(
            survey=survey, name="Not told why", description="Stopped without being told the reason.", by=youth
        )
        for answer in Answer.objects.filter(question=treated, value="Nobody told me why they stopped me."):
            answer_tag(theme=theme, answer_id=answer.pk, is_quote=not theme.tags.exists(), by=youth)
        recommendation = recommendation_create(
            panel=panel,
            title="Tell young people why they are being searched",
            body="Young people told us they were searched without being told why. Officers should explain the "
            "grounds and the record every time.",
            survey=survey,
            themes=[theme],
            by=users["coordinator@demo.example"],
        )
        recommendation_send(recommendation=recommendation)
        recommendation_respond(
            recommendation=recommendation,
            decision=Recommendation.Decision.PARTLY,
            response="The force will add this to officer training and check it in body-worn video reviews.",
            due_by=timezone.localdate() + timedelta(days=90),
            by=opcc,
        )
        recommendation_publish(recommendation=recommendation)
        recommendation_add_update(
            recommendation=recommendation,
            text="The training module has been written and is being tested with the youth commission.",
            source=RecommendationUpdate.Source.OPCC,
            by=opcc,
        )

    def _user(self, email: str, name: str, *, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, name=name, is_staff=staff, is_superuser=staff
            )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _member(self, user: User, panel: Panel, role: str) -> None:
        if not Membership.objects.filter(user=user, panel=panel, end_date__isnull=True).exists():
            Membership.objects.create(
                user=user, panel=panel, role=role, start_date=timezone.localdate() - timedelta(days=200)
            )

    def _meetings(self, panel: Panel, present: list[User]) -> None:
        if panel.meetings.exists():
            return
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        published = Meeting.objects.create(
            panel=panel,
            title="Quarterly review",
            starts_at=now - timedelta(days=56),
            location="Police and Crime Commissioner's office, Chester",
            agenda="1. Welcome\n2. Review of 20 records from the quarter\n3. Findings and escalations",
            minutes="The panel reviewed 20 records. It asked the force to explain why body-worn video was not "
            "recorded in four searches.",
        )
        published.publish_minutes()
        draft = Meeting.objects.create(
            panel=panel,
            title="Monthly review",
            starts_at=now - timedelta(days=7),
            agenda="1. Review of section 60 searches",
            minutes="Draft: the panel reviewed 12 records.",
        )
        Meeting.objects.create(
            panel=panel, title="Monthly review", starts_at=now + timedelta(days=21), agenda="1. Records to be chosen"
        )
        for meeting in (published, draft):
            for user in present:
                Attendance.objects.get_or_create(meeting=meeting, user=user, defaults={"status": "present"})

    def _print(self, users: dict[str, User], imported: int, *, site: str) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("Demo loaded: Cheshire force area, its OPCC, three panels."))
        records = EncounterRecord.objects.filter(force__police_uk_id=census.POLICE_UK_IDS[AREA_CODE]).count()
        note = f", {imported} imported now" if imported else ""
        out.write(
            f"Real stop-and-search records for Cheshire, June to September 2025 (data.police.uk): {records}{note}."
        )
        out.write("A review session with a stratified sample, one finding escalated to the force (liaison login).")
        out.write("A youth consultation with 60 paper forms, a theme and a recommendation the PCC has answered.")
        out.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        out.write("Coordinator, OPCC officer, force liaison and admin are asked to set up an authenticator app first.")
        for email, _, role in ROLES:
            out.write(f"  {email:<28} {role}")
        out.write(f"Sign in at {site}/accounts/login/")
