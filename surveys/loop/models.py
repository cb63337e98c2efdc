"""Closing the loop: themes coded from free-text answers, and recommendations to the PCC with the PCC's response
and progress updates ("you said, we did"). Gathered by surveys/models.py so Django finds them.

Nothing here names a respondent. Who wrote a recommendation or a response is kept for the panel's own pages, never
shown on the public page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panels.models import Panel


class Theme(models.Model):
    """A theme commissioners code free-text answers of one survey into."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "name"], name="one_theme_name_per_survey")]

    def __str__(self) -> str:
        return self.name


class AnswerTheme(models.Model):
    """One free-text answer tagged with one theme; `is_quote` marks it as a quote to show for the theme."""

    answer = models.ForeignKey("surveys.Answer", on_delete=models.CASCADE, related_name="theme_tags")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tags")
    is_quote = models.BooleanField(default=False)
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    tagged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["answer", "theme"], name="one_tag_per_answer_and_theme")]

    def __str__(self) -> str:
        return f"{self.theme} on answer {self.answer_id}"


class Recommendation(models.Model):
    """A recommendation to the PCC, usually from a consultation, and the PCC's response to it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING = "awaiting", "Awaiting the PCC's response"
        RESPONDED = "responded", "Responded"

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="recommendations")
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="What the panel recommends, and why: what people said.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The PCC's response.
    decision = models.CharField(max_length=15, choices=Decision.choices, blank=True)
    response = models.TextField(blank=True, help_text="What will be done (or why not).")
    due_by = models.DateField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="responded", responded_at__isnull=False) | ~Q(status="responded"),
                name="a_responded_recommendation_has_a_response_time",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(status="draft"),
                name="a_draft_recommendation_is_not_published",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class RecommendationUpdate(models.Model):
    """Progress on a recommendation the PCC responded to: what has been done since."""

    class Source(models.TextChoices):
        OPCC = "opcc", "Office of the PCC"
        PANEL = "panel", "The panel"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices)
    complete = models.BooleanField(default=False, help_text="This finishes what was promised.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Update on {self.recommendation}"
