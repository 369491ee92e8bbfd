"""Top-level URLs. Each app owns its own ``urls.py`` (pages) and ``api.py`` (API routes)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from danvan_portal.health import healthz

admin.site.site_header = "Cổng thông tin công tác dân vận"
admin.site.site_title = "Quản trị cổng dân vận"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("organization.auth_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("danvan_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("dialogues/", include("dialogues.urls")),
    path("programs/", include("programs.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("imports.urls")),
    path("exports/", include("exports.urls")),
    path("", include("organization.urls")),
]
