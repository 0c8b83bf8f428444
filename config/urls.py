from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.views import live_stream
from dashboards.views import my_work_view
from notices import urls as notice_urls
from organisation import views as organisation_views

from .api import router
from .api_docs import DocsView, SchemaView
from .health import healthz

admin.site.site_header = "烽火 Fenghuo"
admin.site.site_title = "烽火 Fenghuo"
# an outage (the database or the broker out of reach) is a 503 with Retry-After, not a 500
handler500 = "core.unavailable.server_error"
# a refusal says who may do it instead (the exception's message)
handler403 = "organisation.views.permission_denied"

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("directory/", organisation_views.directory, name="directory"),
    path("healthz", healthz, name="healthz"),
    path("live/", live_stream, name="live"),
    path("incidents/", include("incidents.urls")),
    path("complaints/", include("complaints.urls")),
    path("planned-work/", include("maintenance.urls")),
    path("notifications/", include("notifications.urls")),
    path("alerts/", include("alerts.urls")),
    path("hq/", include("hq.urls")),
    path("accountability/", include("accountability.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("my-work/", my_work_view, name="my-work"),
    path("attachments/", include("collaboration.attachment_urls")),
    path("lists/", include("core.urls")),
    path("notices/", include("notices.urls")),
    # the public status page: no sign-in (notices.views)
    path("status/", include((notice_urls.public_urlpatterns, "status"))),
    path("together/", include("collaboration.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("hq.api.urls")),  # before the router's catch-all 404
    path("api/v1/", include(router.urls)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]
