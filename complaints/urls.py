from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list_view, name="list"),
    path("bulk/", views.complaint_bulk_view, name="bulk"),
    path("export.<str:fmt>", views.complaint_export_view, name="export"),
    path("console/", views.console_view, name="console"),
    path("console/history/", views.console_history, name="console-history"),
    path("console/similar/", views.console_similar, name="console-similar"),
    path("console/check/", views.console_check, name="console-check"),
    path("console/planned-work/", views.console_planned_work, name="console-planned-work"),
    path("mass/", views.mass_list_view, name="mass"),
    path("mass/<int:pk>/", views.mass_detail_view, name="mass-detail"),
    path("mass/<int:pk>/raise/", views.mass_raise_view, name="mass-raise"),
    path("<int:pk>/", views.complaint_detail_view, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.complaint_act_view, name="act"),
]
