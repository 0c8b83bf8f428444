from django.urls import path

from . import views

app_name = "maintenance"
urlpatterns = [
    path("", views.planned_work_list_view, name="list"),
    path("new/", views.planned_work_new_view, name="new"),
    path("<int:pk>/", views.planned_work_detail_view, name="detail"),
    path("<int:pk>/edit/", views.planned_work_edit_view, name="edit"),
    path("<int:pk>/act/<slug:name>/", views.planned_work_act_view, name="act"),
    path(
        "unannounced/<int:incident_pk>/",
        views.unannounced_view,
        name="unannounced",
    ),
]
