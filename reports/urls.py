"""Pages of the reports app under /reports/ (namespace ``reports``): ``views_reports`` (reports,
their compile progress, files, issuing), ``views_locks`` (period locks) and ``views_dashboard``
(the leaders' dashboard)."""

from . import views_dashboard, views_locks, views_reports

app_name = "reports"

urlpatterns = [*views_dashboard.urlpatterns, *views_reports.urlpatterns, *views_locks.urlpatterns]
