"""The OpenAPI schema and its browsable documentation, behind a login where
``API_DOCS_REQUIRE_LOGIN`` is on (production): the schema names every endpoint and field,
which is nobody's business outside. A system reads the schema with its API key."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class SchemaView(SpectacularAPIView):
    def get_permissions(self):
        if settings.API_DOCS_REQUIRE_LOGIN:
            return [IsAuthenticated()]
        return super().get_permissions()


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its set-up script served from a URL of its own (``?script``) and no
    inline style, so that the Content-Security-Policy needs no exception for it."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if settings.API_DOCS_REQUIRE_LOGIN and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
