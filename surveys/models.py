"""Surveys built from sections and questions, their invitation links and their anonymous responses.

Nothing that identifies a respondent is stored: no account, no IP address, no user agent, and only the day a
response came in. Flood protection keeps a hash of a one-use form token, never the token itself.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from panels.models import Panel
from surveys.stats import SamplingDesign


def new_public_key() -> str:
    return secrets.token_urlsafe(9)


# How the respondents were found decides how results may be reported (docs/survey-methods.md): only a probability
# sample is weighted and given a margin of error.
SAMPLING_DESIGN_CHOICES = [
    (SamplingDesign.OPT_IN.value, "Opt-in: anyone with the link, at an event or on paper could answer"),
    (SamplingDesign.PROBABILITY.value, "Probability sample: the people asked were drawn at random from a known list"),
]


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sampling_design = models.CharField(
        max_length=20, choices=SAMPLING_DESIGN_CHOICES, default=SamplingDesign.OPT_IN.value
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # The public link: /s/<public_key>/. Hard to guess, so a draft's link leads nowhere useful anyway.
    public_key = models.CharField(max_length=20, unique=True, default=new_public_key)
    version = models.PositiveIntegerField(default=1)
    # Goes up with every change to the survey's sections and questions (surveys.services), so a server process may
    # keep a survey's questions between responses (surveys.responding) and know when they are out of date.
    questions_version = models.PositiveIntegerField(default=0, editable=False)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_version"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def accepting_state(self, now: Any = None) -> str:
        """ "open", or why not: "draft", "closed", "not_yet_open" or "past_close"."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status == self.Status.CLOSED:
            return "closed"
        if self.opens_at and now < self.opens_at:
            return "not_yet_open"
        if self.closes_at and now >= self.closes_at:
            return "past_close"
        return "open"

    @property
    def is_accepting(self) -> bool:
        return self.accepting_state() == "open"


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        AGREEMENT = "agreement", "Agreement scale (five points)"
        RATING = "rating", "Rating (Excellent to Very poor)"
        SCALE = "scale", "0 to 10 scale"
        RANKING = "ranking", "Ranking of priorities"
        TEXT = "text", "Free text"
        NUMBER = "number", "Number"
        MATRIX = "matrix", "Statements on one scale"
        DEMOGRAPHICS = "demographics", "About you (demographics)"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=False)
    # Single, multiple and ranking: the options; matrix: the statements. A list of strings.
    options = models.JSONField(default=list, blank=True)
    allow_other = models.BooleanField(default=False)  # multiple/single choice: "Other, please say"
    # Matrix: which scale the statements share ("agreement", "rating" or "confidence").
    scale = models.CharField(max_length=20, blank=True)
    minimum = models.IntegerField(null=True, blank=True)  # number
    maximum = models.IntegerField(null=True, blank=True)  # number
    # A set from the library (e.g. "trust"): results can be compared with national surveys that use the same words.
    standard_code = models.CharField(max_length=40, blank=True)
    # Display condition: show only if the answer to that (earlier) question is one of these values.
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependants"
    )
    show_if_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["section__position", "section_id", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class SurveyInvitation(models.Model):
    """A personal link that takes one response. Only a hash of its token is kept."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label or f"Invitation {self.pk}"


class Response(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        INVITATION = "invitation", "Invitation link"
        EVENT = "event", "Event (kiosk)"
        PAPER = "paper", "Paper form"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # The day only: a time of day could pick one person out at an event.
    submitted_on = models.DateField(default=timezone.localdate)
    # Paper forms: who typed it in (a panel member, never the respondent).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    # Event mode: the id the tablet made up for this response, so a resend after a dropped connection is stored once.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    # Flood protection: the hash of the one-use form token this response came with.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    under_18 = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # str for single/agreement/rating/text; int for scale/number; list for multiple/ranking;
    # dict for matrix (statement index -> value) and demographics (field -> value). "other" text under "other".
    value = models.JSONField()
    other_text = models.CharField(max_length=200, blank=True)  # "Other, please say"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} in response {self.response_id}"


from surveys.loop_models import AnswerTheme, Recommendation, RecommendationUpdate, Theme  # noqa: E402,F401
