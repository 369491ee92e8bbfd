from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and dashboard")

    def ready(self) -> None:
        # Period locks guard every domain model's writes (pages, API, imports, admin alike).
        from . import locks

        locks.connect()
