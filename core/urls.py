from django.urls import path

from . import list_views

app_name = "core"
urlpatterns = [
    path("views/", list_views.saved_view_create_view, name="saved-view-create"),
    path("views/<int:pk>/rename/", list_views.saved_view_rename_view, name="saved-view-rename"),
    path("views/<int:pk>/delete/", list_views.saved_view_delete_view, name="saved-view-delete"),
]
