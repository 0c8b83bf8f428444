from django.urls import path

from . import views

urlpatterns = [
    path("hq/warnings/", views.HqWarningView.as_view(), name="hq-warnings"),
    path(
        "incidents/<int:incident_id>/reports/",
        views.ReportListView.as_view(),
        name="incident-reports",
    ),
    path(
        "incidents/<int:incident_id>/reports/<int:pk>/",
        views.ReportDetailView.as_view(),
        name="incident-report",
    ),
    path(
        "incidents/<int:incident_id>/reports/<int:pk>/approve/",
        views.ReportApproveView.as_view(),
        name="incident-report-approve",
    ),
    path(
        "incidents/<int:incident_id>/reports/<int:pk>/send/",
        views.ReportSendView.as_view(),
        name="incident-report-send",
    ),
]
