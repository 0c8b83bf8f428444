from django.urls import path

from . import complaint_views, improvement_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list_view, name="list"),
    path("new/", views.incident_create_view, name="create"),
    path("deadlines/", views.my_deadlines_view, name="deadlines"),
    path("<int:pk>/", views.incident_detail_view, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.incident_act_view, name="act"),
    path("<int:pk>/bulletin/", improvement_views.bulletin_view, name="bulletin"),
    path("<int:pk>/bulletin.pdf", improvement_views.bulletin_pdf_view, name="bulletin-pdf"),
    path("rectification/", improvement_views.rectification_list_view, name="rectification"),
    path(
        "rectification/<int:pk>/act/<slug:name>/",
        improvement_views.action_item_act_view,
        name="item-act",
    ),
    path("supervision/", improvement_views.supervision_view, name="supervision"),
    path("supervision/<int:pk>/", improvement_views.sample_view, name="sample"),
    path(
        "supervision/reviews/<int:pk>/",
        improvement_views.sample_review_view,
        name="sample-review",
    ),
    path("complaints/", complaint_views.complaint_list_view, name="complaints"),
    path("complaints/console/", complaint_views.console_view, name="console"),
    path("complaints/console/history/", complaint_views.console_history, name="console-history"),
    path("complaints/console/similar/", complaint_views.console_similar, name="console-similar"),
    path("complaints/mass/", complaint_views.mass_list_view, name="mass"),
    path("complaints/mass/<int:pk>/", complaint_views.mass_detail_view, name="mass-detail"),
    path("complaints/<int:pk>/", complaint_views.complaint_detail_view, name="complaint"),
    path(
        "complaints/<int:pk>/act/<slug:name>/",
        complaint_views.complaint_act_view,
        name="complaint-act",
    ),
]
