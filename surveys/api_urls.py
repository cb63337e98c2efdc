from __future__ import annotations

from django.urls import path

from surveys.building import api as building
from surveys.loop import api as loop
from surveys.responding import api as responding
from surveys.results import api as results

urlpatterns = [
    path("panels/<slug:slug>/surveys/", building.SurveyListApi.as_view(), name="api-survey-list"),
    path("surveys/<int:pk>/", building.SurveyDetailApi.as_view(), name="api-survey-detail"),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/move/",
        building.SurveyQuestionMoveApi.as_view(),
        name="api-survey-question-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/move/",
        building.SurveySectionMoveApi.as_view(),
        name="api-survey-section-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/delete/",
        building.SurveySectionDeleteApi.as_view(),
        name="api-survey-section-delete",
    ),
    path("surveys/<int:pk>/responses/", responding.SurveyResponseListApi.as_view(), name="api-survey-responses"),
    path("surveys/<int:pk>/results/", results.SurveyResultsApi.as_view(), name="api-survey-results"),
    path("surveys/<int:pk>/themes/", loop.ThemeListApi.as_view(), name="api-theme-list"),
    path("surveys/<int:pk>/text-answers/", loop.TextAnswerListApi.as_view(), name="api-text-answer-list"),
    path("themes/<int:pk>/tags/", loop.ThemeTagApi.as_view(), name="api-theme-tag"),
    path("themes/<int:pk>/merge/", loop.ThemeMergeApi.as_view(), name="api-theme-merge"),
    path("public/surveys/<str:public_key>/", responding.PublicSurveyApi.as_view(), name="api-public-survey"),
    path(
        "public/surveys/<str:public_key>/responses/",
        responding.PublicSurveyRespondApi.as_view(),
        name="api-public-survey-respond",
    ),
    path(
        "panels/<slug:slug>/recommendations/",
        loop.RecommendationListApi.as_view(),
        name="api-recommendation-list",
    ),
    path("recommendations/<int:pk>/", loop.RecommendationDetailApi.as_view(), name="api-recommendation-detail"),
    path(
        "recommendations/<int:pk>/send/",
        loop.RecommendationSendApi.as_view(),
        name="api-recommendation-send",
    ),
    path(
        "recommendations/<int:pk>/respond/",
        loop.RecommendationRespondApi.as_view(),
        name="api-recommendation-respond",
    ),
    path(
        "recommendations/<int:pk>/updates/",
        loop.RecommendationUpdateApi.as_view(),
        name="api-recommendation-updates",
    ),
    path(
        "recommendations/<int:pk>/publish/",
        loop.RecommendationPublishApi.as_view(),
        name="api-recommendation-publish",
    ),
]
