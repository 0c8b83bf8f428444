from django.urls import include, path
from rest_framework.routers import SimpleRouter

from bench.bare.api import BareComplaintViewSet

router = SimpleRouter()
router.register("bare/complaints", BareComplaintViewSet)

urlpatterns = [path("api/", include(router.urls)), path("", include("config.urls"))]
