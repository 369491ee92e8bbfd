"""``/api/v1/``: one router; each app registers its viewsets in its ``api.py``."""

from rest_framework.routers import DefaultRouter

from organization import api as organization_api

router = DefaultRouter()
organization_api.register(router)

urlpatterns = [
    *organization_api.urlpatterns,
    *router.urls,
]
