from __future__ import annotations

from django.urls import path

from surveys import api

urlpatterns = [
    path("panels/<slug:slug>/surveys/", api.SurveyListApi.as_view(), name="api-survey-list"),
    path("surveys/<int:pk>/", api.SurveyDetailApi.as_view(), name="api-survey-detail"),
    path(
        "surveys/<int:pk>/questions/<int:question_pk>/move/",
        api.SurveyQuestionMoveApi.as_view(),
        name="api-survey-question-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/move/",
        api.SurveySectionMoveApi.as_view(),
        name="api-survey-section-move",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_pk>/delete/",
        api.SurveySectionDeleteApi.as_view(),
        name="api-survey-section-delete",
    ),
    path("surveys/<int:pk>/responses/", api.SurveyResponseListApi.as_view(), name="api-survey-responses"),
    path("surveys/<int:pk>/results/", api.SurveyResultsApi.as_view(), name="api-survey-results"),
    path("surveys/<int:pk>/themes/", api.ThemeListApi.as_view(), name="api-theme-list"),
    path("surveys/<int:pk>/text-answers/", api.TextAnswerListApi.as_view(), name="api-text-answer-list"),
    path("themes/<int:pk>/tags/", api.ThemeTagApi.as_view(), name="api-theme-tag"),
    path("themes/<int:pk>/merge/", api.ThemeMergeApi.as_view(), name="api-theme-merge"),
    path("public/surveys/<str:public_key>/", api.PublicSurveyApi.as_view(), name="api-public-survey"),
    path(
        "public/surveys/<str:public_key>/responses/",
        api.PublicSurveyRespondApi.as_view(),
        name="api-public-survey-respond",
    ),
    path("panels/<slug:slug>/recommendations/", api.RecommendationListApi.as_view(), name="api-recommendation-list"),
    path("recommendations/<int:pk>/", api.RecommendationDetailApi.as_view(), name="api-recommendation-detail"),
    path("recommendations/<int:pk>/send/", api.RecommendationSendApi.as_view(), name="api-recommendation-send"),
    path(
        "recommendations/<int:pk>/respond/", api.RecommendationRespondApi.as_view(), name="api-recommendation-respond"
    ),
    path("recommendations/<int:pk>/updates/", api.RecommendationUpdateApi.as_view(), name="api-recommendation-updates"),
    path(
        "recommendations/<int:pk>/publish/", api.RecommendationPublishApi.as_view(), name="api-recommendation-publish"
    ),
]
