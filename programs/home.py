"""What each role finds on the home page for programs, donations and clearance (see views_shell)."""

from django.utils.translation import gettext_lazy as _

from organization.models import Role
from organization.views_shell import NextStep

PROGRAMS = NextStep(
    "programs:program_list",
    _("Programs"),
    _("Grassroots programs: work done, contributions, participation."),
    "bi-flag",
)
RECORD_PROGRAM = NextStep(
    "programs:program_create",
    _("Record a program"),
    _("A program with its work items, contributions and people."),
    "bi-plus-square-dotted",
)
DONATIONS = NextStep(
    "programs:donation_list",
    _("Land donations"),
    _("Land, trees and labour given by households, road by road."),
    "bi-signpost-split",
)
CLEARANCE = NextStep(
    "programs:clearance_list",
    _("Site clearance"),
    _("Households, hectares and compensation paid against the plan."),
    "bi-cone-striped",
)

NEXT_STEPS_BY_ROLE = {
    Role.ADMIN: (PROGRAMS,),
    Role.DISTRICT_STAFF: (PROGRAMS, DONATIONS, CLEARANCE),
    Role.COMMUNE_OFFICER: (RECORD_PROGRAM, PROGRAMS, DONATIONS),
    Role.LEADER: (PROGRAMS, CLEARANCE),
    Role.VIEWER: (PROGRAMS,),
}
