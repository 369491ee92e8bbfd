"""What each role finds on the home page for the dashboard and reports (see views_shell)."""

from django.utils.translation import gettext_lazy as _

from organization.models import Role
from organization.views_shell import NextStep

DASHBOARD = NextStep(
    "reports:dashboard",
    _("Dashboard"),
    _("Key figures, trends, communes and overdue petitions."),
    "bi-speedometer2",
)
REPORTS = NextStep(
    "reports:report_list",
    _("Periodic reports"),
    _("Monthly, quarterly and annual reports, compiled in the official format."),
    "bi-file-earmark-text",
)

NEXT_STEPS_BY_ROLE = {
    Role.ADMIN: (DASHBOARD, REPORTS),
    Role.LEADER: (DASHBOARD, REPORTS),
    Role.DISTRICT_STAFF: (REPORTS, DASHBOARD),
    Role.COMMUNE_OFFICER: (DASHBOARD,),
    Role.VIEWER: (DASHBOARD,),
}
