"""Daily reminders: petitions due soon or overdue (to the agencies), dialogues without minutes (to
the communes). Run by ``dialogues.tasks.send_daily_reminders`` from Celery beat; see
docs/reminders.md.

Each item is reminded once per rule. The ``SentReminder`` row is the claim: it is inserted
first, inside a savepoint, and only the items whose row was actually inserted are notified, in
the same transaction. Two workers running at once therefore cannot both remind the same item:
on PostgreSQL the second insert waits for the first transaction and then fails on the unique
constraint, so the second worker skips it. The e-mail is sent before the transaction commits:
if the mail server is unreachable the claims roll back and the retry (or tomorrow's run) sends
again, rather than recording reminders nobody received.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organization.models import NotificationKind, Role, Unit, User
from organization.notifications import notify, officers_of

from .models import Dialogue, Petition, ReminderRule, SentReminder

logger = logging.getLogger(__name__)

DEFAULT_DUE_DAYS = 3
DEFAULT_MINUTES_DAYS = 7
#: An e-mail lists at most this many items per section; the rest are counted ("and 12 more").
MAX_LISTED = 50


class TransientMailError(Exception):
    """The mail server could not be reached or asked us to try later: worth retrying."""


def is_transient_mail_error(exc: BaseException) -> bool:
    """Network trouble and 4xx answers are temporary; 5xx answers and refused recipients are not."""
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # refused or reset connection, timeout, unknown host


@dataclass
class Counts:
    """What one run did; ``as_dict`` is what the task returns and logs."""

    reminded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ReminderRule.values, 0))
    emails: int = 0
    email_failures: int = 0
    notifications: int = 0
    #: Items left for a later run because nobody holds the role that would receive them.
    without_recipient: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            **self.reminded,
            "emails": self.emails,
            "email_failures": self.email_failures,
            "notifications": self.notifications,
            "without_recipient": self.without_recipient,
        }


@dataclass
class Item:
    rule: str
    obj: Petition | Dialogue
    days: int  # days left before the deadline, days late, or days since the dialogue
    url: str = ""

    @property
    def link(self) -> str:
        return _absolute(self.url)


def _absolute(path: str) -> str:
    """A page's address for an e-mail: absolute when ``DANVAN_SITE_URL`` is set."""
    return getattr(settings, "DANVAN_SITE_URL", "").rstrip("/") + path


def send_reminders(today: date | None = None) -> dict[str, int]:
    """Send every reminder that is due on ``today`` (default: today in Asia/Ho_Chi_Minh) and not
    sent before. Returns how many items were reminded per rule, and the e-mails and
    notifications sent."""
    today = today or timezone.localdate()
    due_days = getattr(settings, "DANVAN_REMINDER_DUE_DAYS", DEFAULT_DUE_DAYS)
    minutes_days = getattr(settings, "DANVAN_MINUTES_DUE_DAYS", DEFAULT_MINUTES_DAYS)
    counts = Counts()
    # Messages are stored and mailed in the portal's language, not the language of whoever
    # happened to trigger the run.
    with translation.override(settings.LANGUAGE_CODE):
        for agency, items in _petition_items(today, due_days).items():
            _remind_agency(agency, items, counts)
        for unit, items in _dialogue_items(today, minutes_days).items():
            _remind_commune(unit, items, counts)
    return counts.as_dict()


# --- What is due ----------------------------------------------------------------------------


def _petition_items(today: date, due_days: int) -> dict[Unit, list[Item]]:
    by_agency: dict[Unit, list[Item]] = defaultdict(list)
    rules = (
        (ReminderRule.PETITION_OVERDUE, Petition.objects.overdue(on=today)),
        (ReminderRule.PETITION_DUE_SOON, Petition.objects.due_within(due_days, on=today)),
    )
    for rule, petitions in rules:
        # Already reminded items are left out here, so a second run costs one query per rule;
        # the unique constraint (see _claim) is what makes concurrent runs safe.
        sent = SentReminder.objects.filter(
            rule=rule, petition=OuterRef("pk"), deadline=OuterRef("deadline"), agency=OuterRef("assigned_agency")
        )
        petitions = petitions.filter(assigned_agency__isnull=False).exclude(Exists(sent))
        for petition in petitions.select_related("assigned_agency", "unit").order_by("deadline", "pk"):
            days = abs((petition.deadline - today).days)
            url = reverse("dialogues:petition_detail", args=[petition.pk])
            by_agency[petition.assigned_agency].append(Item(rule, petition, days, url))
    return by_agency


def _dialogue_items(today: date, minutes_days: int) -> dict[Unit, list[Item]]:
    by_unit: dict[Unit, list[Item]] = defaultdict(list)
    rule = ReminderRule.DIALOGUE_WITHOUT_MINUTES
    dialogues = Dialogue.objects.held().without_minutes().filter(date__lte=today - timedelta(days=minutes_days))
    dialogues = dialogues.exclude(Exists(SentReminder.objects.filter(rule=rule, dialogue=OuterRef("pk"))))
    for dialogue in dialogues.select_related("unit", "commune").order_by("date", "pk"):
        url = reverse("dialogues:dialogue_detail", args=[dialogue.pk])
        by_unit[dialogue.unit].append(Item(rule, dialogue, (today - dialogue.date).days, url))
    return by_unit


# --- Claiming and sending -------------------------------------------------------------------


def _claim(item: Item) -> bool:
    """Insert the item's SentReminder; False when another run (now or before) already did."""
    if isinstance(item.obj, Petition):
        row = SentReminder(
            rule=item.rule, petition=item.obj, deadline=item.obj.deadline, agency=item.obj.assigned_agency
        )
    else:
        row = SentReminder(rule=item.rule, dialogue=item.obj)
    try:
        with transaction.atomic():  # a savepoint: a conflict must not abort the whole group
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _recipients(unit: Unit, roles: tuple[str, ...], items: list[Item], counts: Counts) -> list[User]:
    officers = list(officers_of(unit, *roles).order_by("pk"))
    if not officers:
        # Not claimed: the reminder goes out once someone is given the role.
        logger.warning("Nobody is %s of %s: %d reminder(s) left unsent.", " or ".join(roles), unit, len(items))
        counts.without_recipient += len(items)
    return officers


def _send(subject: str, body: str, officers: list[User], counts: Counts, unit: Unit) -> None:
    addresses = [user.email for user in officers if user.email]
    if not addresses:
        return  # the in-app notifications are all these officers get
    message = EmailMultiAlternatives(subject=subject, body=body, to=addresses)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        if is_transient_mail_error(exc):
            raise TransientMailError(f"Reminder to {unit} not sent: {exc}") from exc
        # A permanent refusal would fail again on every retry: keep the in-app notifications
        # and the claims, and leave the error for the operators.
        logger.exception("Reminder e-mail to %s refused by the mail server.", unit)
        counts.email_failures += 1
        return
    counts.emails += 1


def _subject(summary: str) -> str:
    return _("[Mass mobilization portal] %(summary)s") % {"summary": summary}


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(100)


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@transaction.atomic
def _remind_agency(agency: Unit, items: list[Item], counts: Counts) -> None:
    officers = _recipients(agency, (Role.AGENCY_OFFICER,), items, counts)
    if not officers:
        return
    claimed = [item for item in items if _claim(item)]
    if not claimed:
        return
    for item in claimed:
        petition = item.obj
        values = {"id": petition.pk, "deadline": _day(petition.deadline), "content": _short(petition.content)}
        if item.rule == ReminderRule.PETITION_OVERDUE:
            message = _("Petition #%(id)s is overdue (deadline %(deadline)s): %(content)s") % values
        else:
            message = _("Petition #%(id)s is due on %(deadline)s: %(content)s") % values
        notify(recipients=officers, kind=NotificationKind.REMINDER, message=message, url=item.url)
        counts.notifications += len(officers)
        counts.reminded[item.rule] += 1

    overdue = [item for item in claimed if item.rule == ReminderRule.PETITION_OVERDUE]
    due_soon = [item for item in claimed if item.rule == ReminderRule.PETITION_DUE_SOON]
    parts = []
    if due_soon:
        parts.append(
            ngettext("%(count)d petition due soon", "%(count)d petitions due soon", len(due_soon))
            % {"count": len(due_soon)}
        )
    if overdue:
        parts.append(
            ngettext("%(count)d petition overdue", "%(count)d petitions overdue", len(overdue))
            % {"count": len(overdue)}
        )
    body = render_to_string(
        "emails/petition_reminder.txt",
        {
            "agency": agency,
            "due_soon": due_soon[:MAX_LISTED],
            "due_soon_more": max(0, len(due_soon) - MAX_LISTED),
            "overdue": overdue[:MAX_LISTED],
            "overdue_more": max(0, len(overdue) - MAX_LISTED),
            "inbox_link": _absolute(reverse("dialogues:inbox")),
        },
    )
    _send(_subject(", ".join(parts)), body, officers, counts, agency)


@transaction.atomic
def _remind_commune(unit: Unit, items: list[Item], counts: Counts) -> None:
    # Commune officers file their commune's minutes; a district's own dialogues (held by its
    # Party committee) are filed by the district staff, who hold their role on the district.
    officers = _recipients(unit, (Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF), items, counts)
    if not officers:
        return
    claimed = [item for item in items if _claim(item)]
    if not claimed:
        return
    for item in claimed:
        dialogue = item.obj
        message = _("The dialogue of %(date)s “%(topic)s” has no minutes yet: please file them.") % {
            "date": _day(dialogue.date),
            "topic": _short(dialogue.topic),
        }
        notify(recipients=officers, kind=NotificationKind.REMINDER, message=message, url=item.url)
        counts.notifications += len(officers)
        counts.reminded[item.rule] += 1
    summary = ngettext("%(count)d dialogue without minutes", "%(count)d dialogues without minutes", len(claimed)) % {
        "count": len(claimed)
    }
    body = render_to_string(
        "emails/minutes_reminder.txt",
        {
            "unit": unit,
            "dialogues": claimed[:MAX_LISTED],
            "more": max(0, len(claimed) - MAX_LISTED),
            "minutes_days": getattr(settings, "DANVAN_MINUTES_DUE_DAYS", DEFAULT_MINUTES_DAYS),
        },
    )
    _send(_subject(summary), body, officers, counts, unit)
