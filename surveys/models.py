"""Every model of the surveys app, gathered where Django and the migrations look for them. Each is defined in the
package that owns it (docs/architecture.md): building (surveys, sections, questions), responding (invitations,
responses, answers) and loop (themes, recommendations). Code imports them from there; nothing else belongs here.
"""

from __future__ import annotations

# new_public_key: migration 0001 names it as `surveys.models.new_public_key`, the public key's default.
from surveys.building.models import Question, Section, Survey, new_public_key
from surveys.loop.models import AnswerTheme, Recommendation, RecommendationUpdate, Theme
from surveys.responding.models import Answer, Response, SurveyInvitation

__all__ = [
    "Answer",
    "AnswerTheme",
    "Question",
    "Recommendation",
    "RecommendationUpdate",
    "Response",
    "Section",
    "Survey",
    "SurveyInvitation",
    "Theme",
    "new_public_key",
]
