"""Daily reminders: who is reminded of what, once per rule, and what a mail server failure does.

Time is frozen on 10/05/2024 (Asia/Ho_Chi_Minh); petitions are received on 02/05/2024.
"""

from __future__ import annotations

import smtplib
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from dialogues import reminders
from dialogues.models import ReminderRule, SentReminder
from dialogues.tasks import send_daily_reminders
from dialogues.tests.factories import DialogueFactory, PetitionFactory, take
from dialogues.workflow import Action
from organization.models import Notification, NotificationKind, Role, UnitKind
from organization.tests.factories import MembershipFactory, UnitFactory, UserFactory

TODAY = date(2024, 5, 10)
RECEIVED = date(2024, 5, 2)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2024, 5, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        yield


def assigned(tree, *, deadline: date, agency=None, content: str | None = None, status: str = "assigned"):
    extra = {"content": content} if content else {}
    return PetitionFactory(
        unit=tree.commune_a,
        received_on=RECEIVED,
        status=status,
        agency=agency or tree.agency,
        deadline=deadline,
        **extra,
    )


def reminders_to(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.REMINDER))


def in_portal_language(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


# --- Petitions due soon and overdue ---------------------------------------------------------


def test_agency_officer_is_mailed_and_notified_of_a_petition_due_in_two_days(tree, agency_officer):
    petition = assigned(
        tree, deadline=TODAY + timedelta(days=2), content="Đề nghị nạo vét mương thủy lợi thôn Tổng Kim."
    )

    counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_DUE_SOON] == 1
    assert counts[ReminderRule.PETITION_OVERDUE] == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agency_officer.email]
    assert f"#{petition.pk}" in message.body
    assert "Đề nghị nạo vét mương thủy lợi thôn Tổng Kim." in message.body
    assert "12/05/2024" in message.body  # the deadline, d/m/Y
    assert reverse("dialogues:petition_detail", args=[petition.pk]) in message.body
    [notification] = reminders_to(agency_officer)
    assert notification.url == reverse("dialogues:petition_detail", args=[petition.pk])
    assert f"#{petition.pk}" in notification.message
    assert notification.read_at is None


def test_overdue_petition_is_reminded_in_its_own_section(tree, agency_officer):
    due = assigned(tree, deadline=TODAY + timedelta(days=1), content="Kiến nghị sắp đến hạn về điện chiếu sáng.")
    late = assigned(tree, deadline=TODAY - timedelta(days=3), content="Kiến nghị quá hạn về cấp nước sinh hoạt.")

    counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_OVERDUE] == 1
    assert counts[ReminderRule.PETITION_DUE_SOON] == 1
    [message] = mail.outbox  # one e-mail per agency, both sections in it
    overdue_header = f"== {in_portal_language('Overdue')} =="
    due_header = f"== {in_portal_language('Due soon')} =="
    body = message.body
    assert body.index(overdue_header) < body.index(late.content) < body.index(due_header) < body.index(due.content)
    assert "07/05/2024" in body
    assert {n.url for n in reminders_to(agency_officer)} == {
        reverse("dialogues:petition_detail", args=[due.pk]),
        reverse("dialogues:petition_detail", args=[late.pk]),
    }


def test_subject_counts_due_soon_and_overdue_petitions(tree, agency_officer):
    for days in (0, 1, 3):
        assigned(tree, deadline=TODAY + timedelta(days=days))
    assigned(tree, deadline=TODAY - timedelta(days=1), status="in_progress")

    reminders.send_reminders()

    [message] = mail.outbox
    with translation.override("vi"):
        expected = gettext("[Mass mobilization portal] %(summary)s") % {
            "summary": ", ".join(
                [
                    translation.ngettext("%(count)d petition due soon", "%(count)d petitions due soon", 3)
                    % {"count": 3},
                    translation.ngettext("%(count)d petition overdue", "%(count)d petitions overdue", 1) % {"count": 1},
                ]
            )
        }
    assert message.subject == expected
    assert len(reminders_to(agency_officer)) == 4


def test_petitions_outside_the_window_or_no_longer_open_are_not_reminded(tree, agency_officer):
    assigned(tree, deadline=TODAY + timedelta(days=4))  # beyond DANVAN_REMINDER_DUE_DAYS = 3
    assigned(tree, deadline=TODAY - timedelta(days=2), status="answered")  # the agency has answered
    assigned(tree, deadline=TODAY - timedelta(days=2), status="resolved")

    counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_DUE_SOON] == counts[ReminderRule.PETITION_OVERDUE] == 0
    assert mail.outbox == []
    assert reminders_to(agency_officer) == []


def test_due_window_follows_the_setting(tree, agency_officer, settings):
    settings.DANVAN_REMINDER_DUE_DAYS = 5
    assigned(tree, deadline=TODAY + timedelta(days=5))

    assert reminders.send_reminders()[ReminderRule.PETITION_DUE_SOON] == 1


def test_second_run_sends_nothing_new(tree, agency_officer, commune_a_officer, django_assert_max_num_queries):
    assigned(tree, deadline=TODAY + timedelta(days=2))
    assigned(tree, deadline=TODAY - timedelta(days=2))
    DialogueFactory(unit=tree.commune_a, date=TODAY - timedelta(days=8), by=commune_a_officer)
    first = reminders.send_reminders()
    sent, notified = len(mail.outbox), Notification.objects.filter(kind=NotificationKind.REMINDER).count()
    assert (sent, notified) == (2, 3)
    assert first["emails"] == 2 and first["notifications"] == 3

    # Already reminded items are filtered out in the database: one query per rule.
    with django_assert_max_num_queries(3):
        second = reminders.send_reminders()

    assert len(mail.outbox) == sent
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == notified
    assert second["emails"] == second["notifications"] == 0
    assert sum(second[rule] for rule in ReminderRule.values) == 0


def test_due_soon_petition_is_reminded_again_once_overdue(tree, agency_officer):
    petition = assigned(tree, deadline=TODAY + timedelta(days=1))
    reminders.send_reminders()

    with time_machine.travel(datetime(2024, 5, 13, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_OVERDUE] == 1
    assert len(mail.outbox) == 2
    assert set(SentReminder.objects.filter(petition=petition).values_list("rule", flat=True)) == {
        ReminderRule.PETITION_DUE_SOON,
        ReminderRule.PETITION_OVERDUE,
    }


def test_reassignment_with_a_new_deadline_reminds_again(tree, agency_officer, district_staff):
    petition = assigned(tree, deadline=TODAY + timedelta(days=2))
    reminders.send_reminders()
    other_agency = UnitFactory(
        kind=UnitKind.DEPARTMENT, name="Phòng Nông nghiệp", parent=tree.peoples_committee, valid_to=date(2025, 6, 30)
    )
    other_officer = UserFactory(username="nong-nghiep")
    MembershipFactory(user=other_officer, unit=other_agency, role=Role.AGENCY_OFFICER)
    take(petition, Action.REASSIGN, by=district_staff, agency=other_agency, deadline=TODAY + timedelta(days=3))

    counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_DUE_SOON] == 1
    assert mail.outbox[-1].to == [other_officer.email]
    assert len(reminders_to(other_officer)) == 1
    assert len(reminders_to(agency_officer)) == 1  # only the first reminder


def test_reassignment_to_another_agency_with_the_same_deadline_reminds_the_new_agency(
    tree, agency_officer, district_staff
):
    deadline = TODAY + timedelta(days=2)
    petition = assigned(tree, deadline=deadline)
    reminders.send_reminders()
    other_agency = UnitFactory(
        kind=UnitKind.DEPARTMENT, name="Phòng Nông nghiệp", parent=tree.peoples_committee, valid_to=date(2025, 6, 30)
    )
    other_officer = UserFactory(username="nong-nghiep")
    MembershipFactory(user=other_officer, unit=other_agency, role=Role.AGENCY_OFFICER)
    take(petition, Action.REASSIGN, by=district_staff, agency=other_agency, deadline=deadline)

    counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_DUE_SOON] == 1
    assert len(reminders_to(other_officer)) == 1
    assert len(reminders_to(agency_officer)) == 1  # the first agency is not reminded twice
    assert reminders.send_reminders()[ReminderRule.PETITION_DUE_SOON] == 0


def test_agency_officer_without_email_still_gets_the_notification(tree, agency_officer):
    agency_officer.email = ""
    agency_officer.save(update_fields=["email"])
    assigned(tree, deadline=TODAY - timedelta(days=1))

    counts = reminders.send_reminders()

    assert mail.outbox == []
    assert counts["emails"] == 0
    assert len(reminders_to(agency_officer)) == 1


def test_every_officer_of_the_agency_is_notified_and_only_those_with_email_mailed(tree, agency_officer):
    colleague = UserFactory(username="tnmt-2", email="")
    MembershipFactory(user=colleague, unit=tree.agency, role=Role.AGENCY_OFFICER)
    former = UserFactory(username="tnmt-old")
    MembershipFactory(user=former, unit=tree.agency, role=Role.AGENCY_OFFICER, is_active=False)
    assigned(tree, deadline=TODAY)

    reminders.send_reminders()

    assert [message.to for message in mail.outbox] == [[agency_officer.email]]
    assert len(reminders_to(agency_officer)) == len(reminders_to(colleague)) == 1
    assert reminders_to(former) == []


def test_agency_without_officers_is_reminded_once_someone_is_appointed(tree):
    assigned(tree, deadline=TODAY - timedelta(days=1))

    counts = reminders.send_reminders()

    assert counts["without_recipient"] == 1
    assert counts[ReminderRule.PETITION_OVERDUE] == 0
    assert not SentReminder.objects.exists()

    officer = UserFactory(username="new-officer")
    MembershipFactory(user=officer, unit=tree.agency, role=Role.AGENCY_OFFICER)
    assert reminders.send_reminders()[ReminderRule.PETITION_OVERDUE] == 1
    assert len(reminders_to(officer)) == 1


def test_item_claimed_by_a_concurrent_run_is_skipped(tree, agency_officer):
    """Another worker reminded the petition between our query and our claim: we send nothing."""
    petition = assigned(tree, deadline=TODAY + timedelta(days=2))
    find = reminders._petition_items

    def find_then_lose_the_race(*args, **kwargs):
        items = find(*args, **kwargs)
        SentReminder.objects.create(
            rule=ReminderRule.PETITION_DUE_SOON,
            petition=petition,
            deadline=petition.deadline,
            agency=petition.assigned_agency,
        )
        return items

    with mock.patch.object(reminders, "_petition_items", find_then_lose_the_race):
        counts = reminders.send_reminders()

    assert counts[ReminderRule.PETITION_DUE_SOON] == 0
    assert mail.outbox == []
    assert reminders_to(agency_officer) == []


# --- Dialogues without minutes --------------------------------------------------------------


def test_commune_officer_is_reminded_once_of_a_dialogue_held_eight_days_ago_without_minutes(
    tree, commune_a_officer, commune_b_officer
):
    dialogue = DialogueFactory(
        unit=tree.commune_a, date=TODAY - timedelta(days=8), topic="Đối thoại về giải phóng mặt bằng"
    )

    counts = reminders.send_reminders()
    reminders.send_reminders()

    assert counts[ReminderRule.DIALOGUE_WITHOUT_MINUTES] == 1
    [message] = mail.outbox
    assert message.to == [commune_a_officer.email]
    assert "Đối thoại về giải phóng mặt bằng" in message.body
    assert "02/05/2024" in message.body
    [notification] = reminders_to(commune_a_officer)
    assert notification.url == reverse("dialogues:dialogue_detail", args=[dialogue.pk])
    assert reminders_to(commune_b_officer) == []


def test_district_dialogue_without_minutes_is_reminded_to_the_district_staff(tree, district_staff, commune_a_officer):
    DialogueFactory(
        unit=tree.district,
        commune=tree.commune_a,
        level="district",
        host_body="standing_board",
        date=TODAY - timedelta(days=10),
        by=district_staff,
    )

    reminders.send_reminders()

    assert [message.to for message in mail.outbox] == [[district_staff.email]]
    assert len(reminders_to(district_staff)) == 1
    assert reminders_to(commune_a_officer) == []


def test_dialogue_with_minutes_planned_or_recent_is_not_reminded(tree, commune_a_officer):
    DialogueFactory(unit=tree.commune_a, date=TODAY - timedelta(days=8), minutes_text="<p>Biên bản đối thoại</p>")
    DialogueFactory(unit=tree.commune_a, date=TODAY - timedelta(days=6))
    DialogueFactory(unit=tree.commune_a, date=TODAY + timedelta(days=3), status="planned")

    counts = reminders.send_reminders()

    assert counts[ReminderRule.DIALOGUE_WITHOUT_MINUTES] == 0
    assert mail.outbox == []


def test_dialogue_is_reminded_exactly_minutes_due_days_after_it_was_held(tree, commune_a_officer, settings):
    settings.DANVAN_MINUTES_DUE_DAYS = 7
    DialogueFactory(unit=tree.commune_a, date=TODAY - timedelta(days=7))

    assert reminders.send_reminders()[ReminderRule.DIALOGUE_WITHOUT_MINUTES] == 1


# --- Mail server failures and the Celery task -----------------------------------------------


def test_transient_mail_failure_records_nothing_so_the_retry_sends_again(tree, agency_officer):
    assigned(tree, deadline=TODAY + timedelta(days=1))

    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("gone")),
        pytest.raises(reminders.TransientMailError),
    ):
        reminders.send_reminders()

    assert not SentReminder.objects.exists()
    assert reminders_to(agency_officer) == []
    assert reminders.send_reminders()["emails"] == 1


def test_permanent_mail_refusal_keeps_the_notification_and_is_not_retried(tree, agency_officer):
    assigned(tree, deadline=TODAY + timedelta(days=1))
    refused = smtplib.SMTPRecipientsRefused({agency_officer.email: (550, b"no such user")})

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        counts = reminders.send_reminders()

    assert counts["email_failures"] == 1
    assert counts["emails"] == 0
    assert len(reminders_to(agency_officer)) == 1
    assert SentReminder.objects.count() == 1


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("closed"), True),
        (smtplib.SMTPConnectError(421, b"busy"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPRecipientsRefused({}), False),
    ],
)
def test_only_network_errors_and_4xx_answers_are_transient(error, transient):
    assert reminders.is_transient_mail_error(error) is transient


def test_task_returns_the_counts(tree, agency_officer):
    assigned(tree, deadline=TODAY + timedelta(days=1))

    result = send_daily_reminders.delay().get()

    assert result[ReminderRule.PETITION_DUE_SOON] == 1
    assert result["emails"] == 1


def test_task_catches_up_a_given_day(tree, agency_officer):
    assigned(tree, deadline=date(2024, 5, 20))

    assert send_daily_reminders.delay("2024-05-18").get()[ReminderRule.PETITION_DUE_SOON] == 1
    assert send_daily_reminders.delay().get()[ReminderRule.PETITION_DUE_SOON] == 0  # already sent


def test_task_retries_a_transient_mail_failure_and_then_sends(tree, agency_officer):
    assigned(tree, deadline=TODAY + timedelta(days=1))
    real_send = mail.EmailMessage.send
    calls = []

    def flaky_send(message, *args, **kwargs):
        calls.append(message.subject)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.EmailMessage.send", flaky_send):
        # throw=False: as on a worker, the Retry schedules the next attempt (run at once when eager).
        result = send_daily_reminders.apply(throw=False).get()

    assert len(calls) == 2
    assert result["emails"] == 1
    assert len(mail.outbox) == 1
    assert len(reminders_to(agency_officer)) == 1


def test_task_does_not_retry_a_programming_error(tree, agency_officer):
    assigned(tree, deadline=TODAY + timedelta(days=1))

    with (
        mock.patch.object(reminders, "send_reminders", side_effect=ValueError("bug")) as send,
        pytest.raises(ValueError, match="bug"),
    ):
        send_daily_reminders.apply().get()

    assert send.call_count == 1


def test_beat_schedule_runs_the_reminders_daily_at_seven_in_vietnam(db):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from danvan_portal.celery import app

    # What beat does for each CELERY_BEAT_SCHEDULE entry when it starts (update_from_dict); called
    # per entry here because the scheduler also closes "old" database connections, the test's own.
    for name, fields in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **fields)

    entry = PeriodicTask.objects.get(task=send_daily_reminders.name)
    assert (entry.crontab.minute, entry.crontab.hour, entry.crontab.day_of_week) == ("0", "7", "*")
    assert str(entry.crontab.timezone) == "Asia/Ho_Chi_Minh"
    assert entry.enabled
