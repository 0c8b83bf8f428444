from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("all/", views.alert_index, name="list"),
    path("waiting/", views.waiting, name="waiting"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("recipients/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("recipients/<int:pk>/phone/", views.record_phone, name="phone"),
    path("ack/<str:token>/", views.acknowledge_by_link, name="ack"),
]
