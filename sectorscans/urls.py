from django.urls import path

from . import views

app_name = "sectorscans"

urlpatterns = [
    path("", views.ScanListView.as_view(), name="scan-list"),
    path("take/", views.TakePickView.as_view(), name="take"),
    path("take/<int:contactperson_pk>/", views.TakeScanView.as_view(), name="take-contact"),
    path("scans/<int:pk>/", views.ScanDetailView.as_view(), name="scan-detail"),
    path("scans/<int:pk>/confirm/", views.ScanConfirmView.as_view(), name="scan-confirm"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/settings/", views.SettingsView.as_view(), name="settings"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire-list"),
    path(
        "questionnaires/copy-default/", views.QuestionnaireCopyDefaultView.as_view(), name="questionnaire-copy-default"
    ),
    path("questionnaires/<int:pk>/", views.QuestionnaireDetailView.as_view(), name="questionnaire-detail"),
    path(
        "questionnaires/<int:pk>/new-version/",
        views.QuestionnaireNewVersionView.as_view(),
        name="questionnaire-new-version",
    ),
    path("questionnaires/<int:pk>/publish/", views.QuestionnairePublishView.as_view(), name="questionnaire-publish"),
]
