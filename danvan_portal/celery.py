"""The Celery app. Settings come from Django's under the ``CELERY_`` namespace.

Without a broker (``CELERY_BROKER_URL`` / ``REDIS_URL`` unset) ``task_always_eager`` is on, so
every task runs in-process: the zero-setup default needs no Redis and no worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan_portal.settings.dev")

app = Celery("danvan_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
