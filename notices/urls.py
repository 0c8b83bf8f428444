from django.urls import path

from . import views

app_name = "notices"

# under /status/: the public pages
public_urlpatterns = [
    path("", views.status_page, name="page"),
    path("feed.json", views.status_feed, name="feed"),
    path("language/<str:code>/", views.status_language, name="language"),
    path("<str:public_id>/", views.status_detail, name="detail"),
]

# under /notices/: the staff's actions and the gateway's callback
urlpatterns = [
    path("incident/<int:pk>/draft/", views.notice_draft, name="draft"),
    path("<int:pk>/edit/", views.notice_edit, name="edit"),
    path("<int:pk>/approve/", views.notice_approve, name="approve"),
    path("<int:pk>/resolve/", views.notice_resolve, name="resolve"),
    path("incident/<int:pk>/broadcasts/", views.broadcast_create, name="broadcast_create"),
    path("broadcasts/<int:pk>/start/", views.broadcast_start, name="broadcast_start"),
    path("sms/opt-out/", views.sms_opt_out, name="sms_opt_out"),
]
