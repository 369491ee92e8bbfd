"""What each role finds on the home page for movements, models, commitments and awards (see
``organization.views_shell``): the daily work first, then what each role reads."""

from django.utils.translation import gettext_lazy as _

from organization.models import Role
from organization.views_shell import NextStep

MOVEMENTS = NextStep(
    "campaigns:movement_list",
    _("Emulation movements"),
    _("Criteria, monthly scoring rounds, verification and rankings."),
    "bi-trophy",
)
SCORE_UNITS = NextStep(
    "campaigns:movement_list",
    _("Score your units"),
    _("Open the month's round and fill the grid for your villages, offices and schools."),
    "bi-ui-checks-grid",
)
RESULTS = NextStep(
    "campaigns:movement_list",
    _("Emulation results"),
    _("Monthly rankings and the units selected in each movement."),
    "bi-trophy",
)
DVK_MODELS = NextStep(
    "campaigns:dvk_list",
    _("Dân vận khéo models"),
    _("Models and exemplars, from registration to recognition."),
    "bi-stars",
)
COMMITMENTS = NextStep(
    "campaigns:commitment_list",
    _("Household commitments"),
    _("Households who signed a model's commitments, kept or broken."),
    "bi-house-check",
)
AWARDS = NextStep(
    "campaigns:award_list",
    _("Awards"),
    _("Commendations, Giấy khen, Bằng khen and prizes."),
    "bi-award",
)

NEXT_STEPS_BY_ROLE = {
    Role.ADMIN: (MOVEMENTS,),
    Role.DISTRICT_STAFF: (MOVEMENTS, DVK_MODELS, AWARDS, COMMITMENTS),
    Role.COMMUNE_OFFICER: (SCORE_UNITS, DVK_MODELS, COMMITMENTS),
    Role.LEADER: (RESULTS, DVK_MODELS, AWARDS),
    Role.VIEWER: (RESULTS, DVK_MODELS),
}
