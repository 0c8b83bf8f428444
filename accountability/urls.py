from django.urls import path, re_path

from . import supervision_views, views

app_name = "accountability"

urlpatterns = [
    path("violations/", views.violation_list_view, name="violations"),
    path("violations/new/", views.violation_new_view, name="violation-new"),
    path("violations/export.<str:fmt>", views.violation_export_view, name="violation-export"),
    path("violations/<int:pk>/", views.violation_detail_view, name="violation"),
    path("violations/<int:pk>/act/<slug:name>/", views.violation_act_view, name="act"),
    path("interaction/new/", views.interaction_form_view, name="interaction"),
    path("assessments/", views.assessment_view, name="assessment-current"),
    path("assessments/<str:period>/", views.assessment_view, name="assessment"),
    # Only the formats there are: any other suffix (export.exe) is a 404, never a PDF.
    re_path(
        r"^assessments/(?P<period>[^/]+)/export\.(?P<fmt>xlsx|pdf)$",
        views.assessment_export,
        name="assessment-export",
    ),
    path("rankings/", views.rankings_view, name="rankings"),
    path("supervision/", supervision_views.supervision_view, name="supervision"),
    path("supervision/<int:pk>/", supervision_views.sample_view, name="sample"),
    path(
        "supervision/reviews/<int:pk>/",
        supervision_views.sample_review_view,
        name="sample-review",
    ),
]
