"""The versioned REST API (`/api/v1/`): one router for every app's resources."""

from django.urls import re_path
from rest_framework import exceptions
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from accountability.api.views import ViolationViewSet
from alerts.api.views import AlertViewSet
from collaboration.api.attachments import AttachmentViewSet
from collaboration.api.views import CommentViewSet
from complaints.api.views import ComplaintViewSet
from core.api.saved_views import SavedViewViewSet
from dashboards.api import MetricsViewSet, MyWorkViewSet
from incidents.api.views import ActionItemViewSet, IncidentViewSet
from maintenance.api.views import PlannedWorkViewSet
from notices.api.views import BroadcastViewSet, NoticeViewSet
from organisation.api.permissions import KeyScoped
from organisation.api.views import CityViewSet, DepartmentViewSet


class NoSuchResource(APIView):
    """A path under the API that no route matches is a JSON 404 like every other API error,
    never Django's HTML page; it is the same for everyone, so it needs no credentials."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None  # not an operation

    def dispatch(self, request, *args, **kwargs):
        self.http_method_names = [*APIView.http_method_names]
        return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()


class Router(DefaultRouter):
    def get_urls(self):
        # Only paths ending in a slash: one without still gets Django's redirect to its
        # slashed form (APPEND_SLASH), which then answers here if nothing else does.
        not_found = re_path(r"^[\s\S]*/$", NoSuchResource.as_view(), name="api-not-found")
        return [*super().get_urls(), not_found]


class ScopedSavedViewViewSet(KeyScoped, SavedViewViewSet):
    """A person's saved list views (core knows no API-key scopes; they are added here): any
    key reads its own person's, and a key that acts (``department``) keeps them."""


router = Router()
router.register("cities", CityViewSet)
router.register("departments", DepartmentViewSet)
router.register("incidents", IncidentViewSet, basename="incident")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("alerts", AlertViewSet, basename="alert")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("planned-work", PlannedWorkViewSet, basename="planned-work")
router.register("violations", ViolationViewSet, basename="violation")
router.register("metrics", MetricsViewSet, basename="metrics")
router.register("my-work", MyWorkViewSet, basename="my-work")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("saved-views", ScopedSavedViewViewSet, basename="saved-view")
router.register("notices", NoticeViewSet, basename="notice")
router.register("broadcasts", BroadcastViewSet, basename="broadcast")
router.register("comments", CommentViewSet, basename="comment")
