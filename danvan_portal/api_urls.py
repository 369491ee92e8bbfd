"""``/api/v1/``: one router; each app registers its viewsets in its ``api.py``."""

from rest_framework.routers import DefaultRouter

from campaigns import api as campaigns_api
from dialogues import api as dialogues_api
from exports import api as exports_api
from imports import api as imports_api
from organization import api as organization_api
from organization import api_notifications
from programs import api as programs_api
from reports import api as reports_api

router = DefaultRouter()
organization_api.register(router)
dialogues_api.register(router)
api_notifications.register(router)
programs_api.register(router)
campaigns_api.register(router)
reports_api.register(router)
imports_api.register(router)
exports_api.register(router)

urlpatterns = [
    *organization_api.urlpatterns,
    *reports_api.urlpatterns,
    *router.urls,
]
