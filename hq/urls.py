from django.urls import path

from . import views

app_name = "hq"

urlpatterns = [
    path(
        "incidents/<int:incident_id>/reports/new/",
        views.report_prepare_view,
        name="report-prepare",
    ),
    path("incidents/<int:incident_id>/relay/", views.relay_view, name="relay"),
    path(
        "incidents/<int:incident_id>/attachment/",
        views.warning_attachment_view,
        name="attachment",
    ),
    path("reports/<int:pk>/", views.report_view, name="report"),
    path("reports/<int:pk>.pdf", views.report_pdf_view, name="report-pdf"),
]
