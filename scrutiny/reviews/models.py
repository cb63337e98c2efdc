"""Review sessions: a panel's sample of records, each member's blind assessment, the panel's agreed view.

A member's assessment is theirs alone until the chair reveals the record: every read of assessments goes through
`scrutiny.reviews.permissions` / `scrutiny.reviews.selectors`, which hide other members' scores before
`revealed_at` is set.
The live meeting keeps its state here (current record, reveals, agreed views), never in a socket or a process,
so it survives dropped connections and server restarts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panels.models import Panel
from scrutiny import choices
from scrutiny.records.models import EncounterRecord

# The GOWISELY checklist (PACE Code A 3.8): what an officer must tell the person searched.
GOWISELY = (
    ("grounds", "Grounds for the search"),
    ("object", "Object of the search"),
    ("warrant_card", "Warrant card shown (if not in uniform)"),
    ("identity", "Identity of the officer"),
    ("station", "Station the officer is attached to"),
    ("entitlement", "Entitlement to a copy of the record"),
    ("legal_power", "Legal power used"),
    ("you_are_detained", "You are detained for the purpose of a search"),
)
# The PLANTER checklist for use of force.
PLANTER = (
    ("proportionate", "Proportionate to the risk"),
    ("length_of_time", "Length of time acceptable"),
    ("actions_warranted", "The person's actions warranted it"),
    ("necessary", "Necessary"),
    ("type_minimum", "Type of force the minimum appropriate"),
    ("ethical", "Ethical"),
    ("reasonable", "Reasonable overall"),
)
CONCERNS = (
    ("grounds_not_explained", "Grounds not explained"),
    ("grounds_weak", "Grounds weak or generic"),
    ("smell_of_cannabis_only", "Smell of cannabis the only grounds"),
    ("disrespectful", "Disrespectful"),
    ("excessive", "Excessive"),
    ("escalated_not_deescalated", "Escalated rather than de-escalated"),
    ("bwv_not_activated", "Body-worn video not activated"),
    ("record_incomplete", "Record incomplete"),
    ("strip_search_concern", "Concern about removal of clothing"),
)


class ChecklistAnswer(models.TextChoices):
    PRESENT = "present", "Present"
    MISSING = "missing", "Missing"
    CANNOT_TELL = "cannot_tell", "Cannot tell"


class GroundsRating(models.TextChoices):
    REASONABLE = "reasonable", "Reasonable"
    UNCLEAR = "unclear", "Unclear"
    NOT_REASONABLE = "not_reasonable", "Not reasonable"


class BodyWornVideo(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    NOT_AVAILABLE = "not_available", "Not available"
    NOT_ACTIVATED = "not_activated", "Not activated"


# Green 1 to Red 9: 1–3 green, 4–6 amber, 7–9 red.
GRADE_CHOICES = [(n, f"{('Green', 'Amber', 'Red')[(n - 1) // 3]} {n}") for n in range(1, 10)]


def checklist_for(kind: str) -> tuple[tuple[str, str], ...]:
    return PLANTER if kind == choices.Kind.USE_OF_FORCE else GOWISELY


class ReviewSession(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open for scoring"
        CLOSED = "closed", "Closed"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="review_sessions")
    title = models.CharField(max_length=200)
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=choices.Kind.choices, default=choices.Kind.STOP_SEARCH)
    # How the sample was drawn (scrutiny.reviews.sampling.SampleSpec as JSON), seed included: drawing it again over
    # the same records gives the same sample.
    sample_spec = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The record the live meeting is on; None before the chair starts.
    current = models.ForeignKey("SessionRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    minutes = models.TextField(blank=True, help_text="Markdown.")
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %b %Y})"


class SessionRecord(models.Model):
    """One record in a session's sample, with the chair's reveal and the panel's agreed view."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(EncounterRecord, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    # "" for a random draw; the five-group stratum for a stratified draw; "hand-picked" for an addition.
    stratum = models.CharField(max_length=20, blank=True)
    hand_picked = models.BooleanField(default=False)
    revealed_at = models.DateTimeField(null=True, blank=True)
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_grounds = models.CharField(max_length=20, choices=GroundsRating.choices, blank=True)
    agreed_grade = models.PositiveSmallIntegerField(choices=GRADE_CHOICES, null=True, blank=True)
    agreed_note = models.TextField(blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "record"], name="session_record_once"),
            models.UniqueConstraint(fields=["session", "position"], name="session_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.position}"

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None


class Assessment(models.Model):
    """One member's own view of one record. Hidden from everyone else until the record is revealed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    item = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="assessments")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    grounds = models.CharField(max_length=20, choices=GroundsRating.choices, blank=True)
    # GOWISELY (stop and search) or PLANTER (use of force): {element: ChecklistAnswer}.
    checklist = models.JSONField(default=dict, blank=True)
    body_worn_video = models.CharField(max_length=20, choices=BodyWornVideo.choices, blank=True)
    concerns = models.JSONField(default=list, blank=True)
    grade = models.PositiveSmallIntegerField(choices=GRADE_CHOICES, null=True, blank=True)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_assessment_per_member"),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=9), name="assessment_grade_1_to_9"
            ),
            # A submitted score has at least the grounds rating and a grade.
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(grounds="") & Q(grade__isnull=False)),
                name="submitted_assessment_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.item}"


class Finding(models.Model):
    """What the panel saw, about one record or a theme across several, and what it recommends."""

    class Category(models.TextChoices):
        GROUNDS = "grounds", "Grounds for the search"
        CONDUCT = "conduct", "Officer conduct"
        BODY_WORN_VIDEO = "body_worn_video", "Body-worn video"
        RECORDING = "recording", "Quality of the record"
        GOWISELY = "gowisely", "GOWISELY / information given"
        USE_OF_FORCE = "use_of_force", "Use of force"
        DISPROPORTIONALITY = "disproportionality", "Disproportionality"
        GOOD_PRACTICE = "good_practice", "Good practice"
        OTHER = "other", "Other"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="findings")
    session = models.ForeignKey(
        ReviewSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    items = models.ManyToManyField(SessionRecord, blank=True, related_name="findings")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=30, choices=Category.choices)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices)
    observation = models.TextField("what the panel saw")
    recommendation = models.TextField("what the panel recommends", blank=True)
    # Optimistic locking: every change must name the version it started from (scrutiny.reviews.services.finding_update).
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SessionPresence(models.Model):
    """One open connection to a session's live page. Rows are written by the consumer on connect and removed on
    disconnect; `last_seen` is refreshed by the page's heartbeat, so rows left by a crashed server go stale and
    stop counting (scrutiny.reviews.selectors.present_members)."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="presence")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id}"
