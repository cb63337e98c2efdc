"""Surveys built from sections and questions: their details, dates, versions and the rule for whether one is taking
responses (`Survey.accepting_state`)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from panels.models import Panel
from surveys import vocab
from surveys.stats import SamplingDesign


def new_public_key() -> str:
    return secrets.token_urlsafe(9)


# How the respondents were found decides how results may be reported (docs/survey-methods.md): only a probability
# sample is weighted and given a margin of error.
SAMPLING_DESIGN_CHOICES = [
    (SamplingDesign.OPT_IN.value, "Opt-in: anyone with the link, at an event or on paper could answer"),
    (SamplingDesign.PROBABILITY.value, "Probability sample: the people asked were drawn at random from a known list"),
]


# The order questions are asked in, through the whole survey: by section, then by place in the section.
QUESTION_ORDER = ["section__position", "section_id", "position", "pk"]


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
    # Goes up with every change to the survey's sections and questions (surveys.building.services), so a server
    # process may keep a survey's questions between responses (surveys.responding.kept) and know when they are out of
    # date.
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

    # Whether a survey takes responses. The guarded INSERT that stores a response (surveys.responding.store) says it
    # again in SQL; tests/surveys/test_accepting.py checks that the two agree for every state, dates to the
    # microsecond either side of now.
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

    @property
    def takes_paper_forms(self) -> bool:
        """Paper forms can be typed in once a survey is opened, after it closes too (answers given while it was open,
        typed in later). Said again in SQL by the store's guard, as `accepting_state` is."""
        return self.status != self.Status.DRAFT


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
        ordering = QUESTION_ORDER

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


# Kinds whose answer a display condition may name.
CONDITION_KINDS = (
    Question.Kind.SINGLE,
    Question.Kind.MULTIPLE,
    Question.Kind.AGREEMENT,
    Question.Kind.RATING,
    Question.Kind.SCALE,
)


def answer_choices(question: Question) -> list[tuple[str, str]]:
    """(code, label) of the answers a question offers, in order: what its results are counted over and what a
    display condition on it can name. A ranking's "other" is never offered; free text, numbers and demographics have
    no fixed list."""
    K = Question.Kind
    if question.kind in (K.SINGLE, K.MULTIPLE, K.RANKING):
        extra = [(vocab.OTHER, "Other")] if question.allow_other and question.kind != K.RANKING else []
        return [(o, o) for o in question.options] + extra
    if question.kind == K.AGREEMENT:
        return list(vocab.AGREEMENT)
    if question.kind == K.RATING:
        return list(vocab.RATING)
    if question.kind == K.SCALE:
        return [(str(i), str(i)) for i in range(11)]
    if question.kind == K.MATRIX:
        return list(vocab.SCALES.get(question.scale, vocab.AGREEMENT))
    return []


def condition_choices(question: Question) -> list[tuple[str, str]]:
    """The answers a display condition on this question can name (none for the kinds a condition cannot use)."""
    return answer_choices(question) if question.kind in CONDITION_KINDS else []
