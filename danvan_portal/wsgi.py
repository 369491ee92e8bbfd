"""WSGI entry point (gunicorn ``danvan_portal.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan_portal.settings.production")

application = get_wsgi_application()
