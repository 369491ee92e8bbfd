"""What each role finds first on the home page for dialogues and petitions (see views_shell)."""

from django.utils.translation import gettext_lazy as _

from organization.models import Role
from organization.views_shell import NextStep

DIALOGUES = NextStep(
    "dialogues:dialogue_list",
    _("Dialogues"),
    _("Dialogues with citizens, their minutes and notices."),
    "bi-chat-square-text",
)
RECORD_DIALOGUE = NextStep(
    "dialogues:dialogue_create",
    _("Record a dialogue"),
    _("The dialogue, its minutes and the petitions raised."),
    "bi-plus-square",
)
PETITIONS = NextStep(
    "dialogues:petition_list", _("Petitions"), _("Follow every petition until it is answered."), "bi-inboxes"
)
OVERDUE = NextStep(
    "dialogues:petition_list",
    _("Overdue petitions"),
    _("Petitions still unanswered after their deadline."),
    "bi-alarm",
    query="overdue=yes",
)
INBOX = NextStep(
    "dialogues:inbox", _("Agency inbox"), _("Petitions assigned to your agency, nearest deadline first."), "bi-inbox"
)
MEETINGS = NextStep(
    "dialogues:engagement_list",
    _("Meetings with clergy and elders"),
    _("Engagement meetings and the opinions raised there."),
    "bi-people-fill",
)

NEXT_STEPS_BY_ROLE = {
    Role.ADMIN: (DIALOGUES, PETITIONS),
    Role.DISTRICT_STAFF: (OVERDUE, DIALOGUES, PETITIONS, RECORD_DIALOGUE, MEETINGS),
    Role.COMMUNE_OFFICER: (RECORD_DIALOGUE, DIALOGUES, PETITIONS, MEETINGS),
    Role.AGENCY_OFFICER: (INBOX,),
    Role.LEADER: (OVERDUE, DIALOGUES, PETITIONS),
    Role.VIEWER: (DIALOGUES, PETITIONS),
}
