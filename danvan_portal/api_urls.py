"""``/api/v1/``: one router; each app registers its viewsets in its ``api.py``."""

from rest_framework.routers import DefaultRouter

from dialogues import api as dialogues_api
from organization import api as organization_api
from organization import api_notifications

router = DefaultRouter()
organization_api.register(router)
dialogues_api.register(router)
api_notifications.register(router)

urlpatterns = [
    *organization_api.urlpatterns,
    *router.urls,
]
