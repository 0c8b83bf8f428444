from django.urls import path

from . import views

app_name = "collaboration"

urlpatterns = [
    path("comments/<slug:kind>/<int:pk>/", views.comments_view, name="comments"),
    path("comments/<slug:kind>/<int:pk>/people/", views.mentionable_view, name="mentionable"),
    path("comments/<int:pk>/edit/", views.comment_edit_view, name="comment-edit"),
]
