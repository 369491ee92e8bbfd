"""gunicorn settings for the portal: ``gunicorn -c deploy/gunicorn.conf.py`` (danvan-web.service).

Every value can be overridden by an environment variable ``GUNICORN_<NAME>`` (set in
/etc/danvan/danvan.env); a malformed one stops start-up with a message naming it, as the
portal's own settings do. The defaults suit nginx on the same host (deploy/nginx.conf.sample).
"""

from __future__ import annotations

import os


def _str(name: str, default: str) -> str:
    return os.environ.get(f"GUNICORN_{name}", "").strip() or default


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = _str(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"GUNICORN_{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise SystemExit(f"GUNICORN_{name}={value} must be at least {minimum}")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = _str(name, "true" if default else "false").lower()
    if raw not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise SystemExit(f"GUNICORN_{name}={raw!r} is not a boolean (true/false)")
    return raw in {"1", "true", "yes", "on"}


def default_workers(cpus: int) -> int:
    """(2 × CPUs) + 1, at most 12.

    Sync workers spend much of a request waiting on PostgreSQL, so about two per core keep the
    CPUs busy. The cap is there because each worker holds its own database connection and some
    100-200 MB of memory (an estimate, see docs/operations.md): past a dozen, a larger host is
    better used by a second gunicorn behind the same nginx, or by more Celery workers.
    """
    return min(2 * cpus + 1, 12)


def _cpus() -> int:
    # The CPUs this process may run on (a container or taskset may allow fewer than exist).
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


wsgi_app = "danvan_portal.wsgi:application"
proc_name = "danvan-web"

# Only nginx on this host talks to gunicorn; it binds to the loopback address.
bind = [address.strip() for address in _str("BIND", "127.0.0.1:8000").split(",") if address.strip()]

# Sync workers: nginx buffers slow clients, so a worker is only held for the time Django needs.
worker_class = _str("WORKER_CLASS", "sync")
workers = _int("WORKERS", default_workers(_cpus()), minimum=1)
threads = _int("THREADS", 1, minimum=1)  # >1 switches gunicorn to its gthread worker

# A request running longer is killed (the worker restarts) and nginx answers 502. Long work
# (report compiles, imports, exports above EXPORT_SYNC_MAX_ROWS) runs on Celery, not in a request.
# nginx's proxy_read_timeout is set a little longer, so that gunicorn is the one that stops it.
timeout = _int("TIMEOUT", 60, minimum=1)
graceful_timeout = _int("GRACEFUL_TIMEOUT", 30, minimum=1)  # on reload/stop, to finish requests
keepalive = _int("KEEPALIVE", 5, minimum=0)  # gthread only: sync workers close each connection

# Restart each worker after about this many requests, so that memory a worker accumulated
# (caches, fragmentation) is returned; the jitter keeps all workers from restarting at once.
max_requests = _int("MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = _int("MAX_REQUESTS_JITTER", max_requests // 10, minimum=0)

# Loading the app in the master before forking shares its memory between workers, but a reload
# (HUP) then keeps the old code: off, so `systemctl reload danvan-web` picks up a deployment.
preload_app = _bool("PRELOAD_APP", False)

# nginx on this host sets X-Forwarded-Proto; only it is trusted to say the request was HTTPS.
forwarded_allow_ips = _str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file of each worker: in memory, so a slow disk cannot make workers look hung.
# gunicorn creates it with mkstemp, so a shared directory is safe here.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _str("WORKER_TMP_DIR", _SHM if os.path.isdir(_SHM) else "") or None

# gunicorn's control socket (for `gunicornc`): in the runtime directory systemd creates for the
# unit (RuntimeDirectory=, /run/danvan-web), since the home directory is read-only there.
_control_dir = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
if os.environ.get("GUNICORN_CONTROL_SOCKET") or _control_dir:
    control_socket = _str("CONTROL_SOCKET", os.path.join(_control_dir, "gunicorn.ctl"))

# Logs go to stdout/stderr, hence to the journal (journalctl -u danvan-web).
accesslog = _str("ACCESS_LOG", "-")
errorlog = _str("ERROR_LOG", "-")
loglevel = _str("LOG_LEVEL", "info")
# The client address nginx saw, nginx's request id (the same in both logs), and the request
# time in milliseconds at the end, where it is easy to sort and alert on.
access_log_format = _str(
    "ACCESS_LOG_FORMAT",
    '%({x-forwarded-for}i)s %({x-request-id}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms',
)

# Request line and headers: gunicorn's limits, stated so an administrator can find them.
limit_request_line = _int("LIMIT_REQUEST_LINE", 4094, minimum=0)
limit_request_fields = _int("LIMIT_REQUEST_FIELDS", 100, minimum=0)
