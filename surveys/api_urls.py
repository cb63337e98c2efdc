from __future__ import annotations

from django.urls import path

from surveys.api import recommendations, results, surveys, themes

urlpatterns = [
    path("panels/<slug:slug>/surveys/", surveys.SurveyListApi.as_view(), name="api-survey-list"),
    path("surveys/<int:pk>/", surveys.SurveyDetailApi.as_view(), name="api-survey-detail"),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/move/",
        surveys.SurveyQuestionMoveApi.as_view(),
        name="api-survey-question-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/move/",
        surveys.SurveySectionMoveApi.as_view(),
        name="api-survey-section-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/delete/",
        surveys.SurveySectionDeleteApi.as_view(),
        name="api-survey-section-delete",
    ),
    path("surveys/<int:pk>/responses/", surveys.SurveyResponseListApi.as_view(), name="api-survey-responses"),
    path("surveys/<int:pk>/results/", results.SurveyResultsApi.as_view(), name="api-survey-results"),
    path("surveys/<int:pk>/themes/", themes.ThemeListApi.as_view(), name="api-theme-list"),
    path("surveys/<int:pk>/text-answers/", themes.TextAnswerListApi.as_view(), name="api-text-answer-list"),
    path("themes/<int:pk>/tags/", themes.ThemeTagApi.as_view(), name="api-theme-tag"),
    path("themes/<int:pk>/merge/", themes.ThemeMergeApi.as_view(), name="api-theme-merge"),
    path("public/surveys/<str:public_key>/", surveys.PublicSurveyApi.as_view(), name="api-public-survey"),
    path(
        "public/surveys/<str:public_key>/responses/",
        surveys.PublicSurveyRespondApi.as_view(),
        name="api-public-survey-respond",
    ),
    path(
        "panels/<slug:slug>/recommendations/",
        recommendations.RecommendationListApi.as_view(),
        name="api-recommendation-list",
    ),
    path(
        "recommendations/<int:pk>/", recommendations.RecommendationDetailApi.as_view(), name="api-recommendation-detail"
    ),
    path(
        "recommendations/<int:pk>/send/",
        recommendations.RecommendationSendApi.as_view(),
        name="api-recommendation-send",
    ),
    path(
        "recommendations/<int:pk>/respond/",
        recommendations.RecommendationRespondApi.as_view(),
        name="api-recommendation-respond",
    ),
    path(
        "recommendations/<int:pk>/updates/",
        recommendations.RecommendationUpdateApi.as_view(),
        name="api-recommendation-updates",
    ),
    path(
        "recommendations/<int:pk>/publish/",
        recommendations.RecommendationPublishApi.as_view(),
        name="api-recommendation-publish",
    ),
]
