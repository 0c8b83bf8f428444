from django.urls import path

from . import improvement_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list_view, name="list"),
    path("new/", views.incident_create_view, name="create"),
    path("export.<str:fmt>", views.incident_export_view, name="export"),
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
]
