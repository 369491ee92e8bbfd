"""``GET /healthz``: is the database reachable, and the broker if one is configured?

Load balancers and monitoring call this every few seconds, so every check is bounded: a broker
that accepts the connection but never answers costs at most ``BROKER_TIMEOUT_SECONDS``. (The
database connection's own timeout comes from the database settings.)
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not usable"
        logger.warning("healthz: database unreachable: %s", exc)
        return "unreachable"
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "eager"
    from danvan_portal.celery import app

    timeout = BROKER_TIMEOUT_SECONDS
    try:
        # A fresh connection with short socket timeouts (the app's own pool has none), tried
        # once: retrying with kombu's default back-off would hold the request for seconds.
        with app.connection_for_write(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as exc:
        logger.warning("healthz: broker unreachable: %s", exc)
        return "unreachable"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    body = {"database": _check_database(), "broker": _check_broker()}
    healthy = body["database"] == "ok" and body["broker"] in {"ok", "eager"}
    return JsonResponse(body, status=200 if healthy else 503)
