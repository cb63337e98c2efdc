"""People and groups: users, force areas, organisations, panels, memberships, invitations, meetings."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. The email address is the login; there are no usernames."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField("name", max_length=150, blank=True, help_text="How other panel members see you.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class ForceArea(models.Model):
    """A Census 2021 police force area (ONS PFA22 code), loaded from data/census/ by migration."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        FORCE = "force", "Police force"
        OPCC = "opcc", "Office of the Police and Crime Commissioner"
        COMMUNITY = "community", "Community organisation"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Every organisation belongs to a force area, except British Transport Police, which polices the railways
    # across England, Wales and Scotland and has none (panels/forces.py).
    force_area = models.ForeignKey(
        ForceArea, on_delete=models.PROTECT, related_name="organisations", null=True, blank=True
    )
    police_uk_id = models.SlugField(
        "data.police.uk force id",
        max_length=50,
        blank=True,
        help_text="For a police force: its id on data.police.uk, e.g. metropolitan.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["police_uk_id"], condition=~Q(police_uk_id=""), name="unique_police_uk_id"),
            models.CheckConstraint(
                condition=Q(kind="force") | Q(police_uk_id=""), name="only_forces_have_police_uk_id"
            ),
            models.CheckConstraint(
                condition=Q(kind="force") | Q(force_area__isnull=False), name="only_forces_may_have_no_area"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def active_on(on: date | None = None) -> Q:
    """The one rule for a role held over a period (a membership, a staff role): active on a day (today by default)
    when it has started by then and has not ended, an end date being the first day it no longer holds."""
    on = on or timezone.localdate()
    return Q(Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on)


class StaffRoleQuerySet(models.QuerySet["StaffRole"]):
    def active(self, on: date | None = None) -> StaffRoleQuerySet:
        return self.filter(active_on(on))


class StaffRole(models.Model):
    """A role a person holds for an organisation rather than a panel."""

    class Role(models.TextChoices):
        OPCC_OFFICER = "opcc_officer", "OPCC officer"
        FORCE_LIAISON = "force_liaison", "Force liaison"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    start_date = models.DateField(default=date.today)
    end_date = models.DateField(null=True, blank=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(end_date__isnull=True),
                name="one_active_staff_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"


class Panel(models.Model):
    class Kind(models.TextChoices):
        STOP_SEARCH = "stop_search", "Stop and search scrutiny panel"
        USE_OF_FORCE = "use_of_force", "Use of force scrutiny panel"
        DIVERSITY = "diversity", "Diversity panel"
        YOUTH = "youth", "Youth commission"
        IAG = "iag", "Independent advisory group"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    force_area = models.ForeignKey(ForceArea, on_delete=models.PROTECT, related_name="panels")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="panels",
        null=True,
        blank=True,
        help_text="The organisation that hosts the panel, if any.",
    )
    terms_of_reference = models.TextField(
        blank=True, help_text="Markdown. Headings, lists, links and emphasis are kept; anything else is removed."
    )
    is_public = models.BooleanField("public page", default=False)
    escalation_working_days = models.PositiveSmallIntegerField(
        "days the force has to answer an escalation",
        default=20,
        help_text="Working days: weekends and bank holidays in England are skipped.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("panel-detail", kwargs={"slug": self.slug})

    def get_public_url(self) -> str:
        return reverse("panel-public", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: date | None = None) -> MembershipQuerySet:
        return self.filter(active_on(on))


class Membership(models.Model):
    """A person's role on a panel over a period. Never deleted: ending it sets end_date, so history stays."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        CHAIR = "chair", "Chair"
        COORDINATOR = "coordinator", "Coordinator"
        OBSERVER = "observer", "Observer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField(default=date.today)
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["panel", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "panel"], condition=Q(end_date__isnull=True), name="one_open_membership_per_panel"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.panel}"

    @property
    def is_active(self) -> bool:
        # `active_on` for the one membership in hand, without a query.
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date > today)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An emailed link to join a panel with a role. Only a hash of the token is stored."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.panel}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh token and its hash. The token goes in the email; only the hash is kept."""
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def hash_token(token: str) -> str:
        return _hash_token(token)

    @staticmethod
    def default_expiry() -> Any:
        return timezone.now() + timedelta(days=settings.INVITATION_DAYS)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class Meeting(models.Model):
    class MinutesStatus(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True, help_text="Markdown.")
    minutes = models.TextField(blank=True, help_text="Markdown.")
    minutes_status = models.CharField(max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Attendance", related_name="meetings")

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse("meeting-detail", kwargs={"slug": self.panel.slug, "pk": self.pk})

    def publish_minutes(self) -> None:
        self.minutes_status = self.MinutesStatus.PUBLISHED
        self.minutes_published_at = timezone.now()
        self.save(update_fields=["minutes_status", "minutes_published_at"])


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_attendance_per_person")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()}"


class SelfDescription(models.Model):
    """What a person chooses to say about themselves, kept only with their consent.

    Used only in aggregate (a panel's make-up beside its area's population); never shown per person.
    Deleting it is how consent is withdrawn.
    """

    class AgeBand(models.TextChoices):
        A14_17 = "14-17", "14 to 17"
        A18_24 = "18-24", "18 to 24"
        A25_34 = "25-34", "25 to 34"
        A35_49 = "35-49", "35 to 49"
        A50_64 = "50-64", "50 to 64"
        A65 = "65+", "65 or over"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Disability(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_description")
    # A Census 2021 detailed ethnic group code (1-19, see panels/census.py) or "prefer_not".
    ethnic_group = models.CharField(max_length=20, blank=True)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)
    consented_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Self-description of user {self.user_id}"
