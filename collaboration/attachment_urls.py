from django.urls import path

from . import attachment_views

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/", attachment_views.attachment_file_view, name="file"),
    path("<str:kind>/<int:pk>/", attachment_views.attachment_upload_view, name="upload"),
]
