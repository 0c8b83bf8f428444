"""The versioned REST API (`/api/v1/`): one router for every app's resources."""

from rest_framework.routers import DefaultRouter

from accountability.api.views import ViolationViewSet
from alerts.api.views import AlertViewSet
from dashboards.api import MetricsViewSet
from incidents.api.complaint_views import ComplaintViewSet
from incidents.api.views import ActionItemViewSet, IncidentViewSet
from organisation.api.views import CityViewSet, DepartmentViewSet

router = DefaultRouter()
router.register("cities", CityViewSet)
router.register("departments", DepartmentViewSet)
router.register("incidents", IncidentViewSet, basename="incident")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("alerts", AlertViewSet, basename="alert")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("violations", ViolationViewSet, basename="violation")
router.register("metrics", MetricsViewSet, basename="metrics")
