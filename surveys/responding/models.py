"""A survey's invitation links and its anonymous responses and answers.

Nothing that identifies a respondent is stored: no account, no IP address, no user agent, and only the day a
response came in. Flood protection keeps a hash of a one-use form token, never the token itself.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from surveys.building.models import Question, Survey


def hash_token(token: str) -> str:
    """What is kept of a one-use token (an invitation link's, a form's): its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


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
