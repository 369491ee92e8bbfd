"""Period-lock pages: who sees which locks, locking (optionally from an issued report) and unlocking
with a required reason, for every role; bad input gives a clear message and changes nothing. And
once a period is locked, the domain pages refuse a record dated in it with the lock's reason as a
form error (never a server error), saving nothing."""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns.models import Award
from campaigns.tests.test_award_pages import award_post
from dialogues.models import Dialogue
from dialogues.tests.test_dialogue_pages import create_data as dialogue_post
from programs.models import Program
from programs.tests.test_program_pages import create_data as program_post
from reports.models import BuildState, PeriodLock, Report, ReportStatus
from reports.services import lock_period

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 4, 5, 9, 0, tzinfo=HCM)
REASON = "Báo cáo quý IV năm 2024 đã ban hành."


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def district_lock(tree, district_staff) -> PeriodLock:
    return lock_period(
        user=district_staff, unit=tree.district, start=date(2024, 10, 1), end=date(2024, 12, 31), reason=REASON
    )


@pytest.fixture
def commune_lock(tree, district_staff) -> PeriodLock:
    return lock_period(
        user=district_staff, unit=tree.commune_a, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Quý I/2024"
    )


@pytest.fixture
def issued_report(tree) -> Report:
    """An issued quarterly report, arranged directly (the report pages test the way there)."""
    return Report.objects.create(
        kind="quarter",
        period_start=date(2024, 10, 1),
        period_end=date(2024, 12, 31),
        unit=tree.district,
        issuer=tree.party_committee,
        status=ReportStatus.ISSUED,
        build_state=BuildState.READY,
        figures={"kpis": {}},
    )


def login(client, request, persona: str):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


def text(response) -> str:
    return html.unescape(response.content.decode())


def lock_post(tree, **overrides) -> dict:
    data = {"unit": tree.district.pk, "start": "01/10/2024", "end": "31/12/2024", "reason": REASON}
    data.update(overrides)
    return data


# --- The list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees_district", "sees_commune"),
    [
        ("district_staff", True, True),
        ("leader", True, True),
        ("portal_admin", True, True),
        # A lock on the district covers the communes: their people see why a record is refused.
        ("commune_a_officer", True, True),
        ("viewer", True, True),
        ("commune_b_officer", True, False),
        ("agency_officer", False, False),
    ],
)
def test_list_shows_the_locks_that_concern_the_users_units(
    client, request, district_lock, commune_lock, persona, sees_district, sees_commune
):
    login(client, request, persona)
    response = client.get(reverse("reports:lock_list"))
    assert response.status_code == 200
    pks = {row["lock"].pk for row in response.context["rows"]}
    assert (district_lock.pk in pks, commune_lock.pk in pks) == (sees_district, sees_commune)


def test_anonymous_is_sent_to_login_from_every_lock_page(client, district_lock):
    for url in (
        reverse("reports:lock_list"),
        reverse("reports:lock_create"),
        reverse("reports:lock_unlock", args=[district_lock.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("reports:lock_unlock", args=[district_lock.pk]), {"reason": "x"})
    assert response.status_code == 302
    assert PeriodLock.objects.get(pk=district_lock.pk).unlocked_at is None


def test_list_offers_locking_and_unlocking_to_district_staff_only(client, district_lock, district_staff, leader):
    client.force_login(district_staff)
    response = client.get(reverse("reports:lock_list"))
    assert response.context["may_lock"] and response.context["rows"][0]["may_unlock"]
    assert reverse("reports:lock_unlock", args=[district_lock.pk]) in response.content.decode()
    client.force_login(leader)
    response = client.get(reverse("reports:lock_list"))
    assert not response.context["may_lock"] and not response.context["rows"][0]["may_unlock"]
    assert reverse("reports:lock_unlock", args=[district_lock.pk]) not in response.content.decode()


def test_list_filters_by_state_unit_and_year(client, tree, district_lock, commune_lock, district_staff):
    commune_lock.unlocked_at, commune_lock.unlocked_by = NOW, district_staff
    commune_lock.save()
    client.force_login(district_staff)

    def pks(**params):
        return [row["lock"].pk for row in client.get(reverse("reports:lock_list"), params).context["rows"]]

    assert pks(state="active") == [district_lock.pk]
    assert pks(state="unlocked") == [commune_lock.pk]
    assert set(pks(unit=tree.commune_a.pk)) == {district_lock.pk, commune_lock.pk}  # the district's covers it
    assert pks(unit=tree.commune_b.pk) == [district_lock.pk]
    assert pks(year=2024, sort="-start") == [district_lock.pk, commune_lock.pk]


def test_empty_list_says_how_to_lock(client, tree, district_staff, viewer):
    client.force_login(district_staff)
    assert reverse("reports:lock_create") in client.get(reverse("reports:lock_list")).content.decode()
    client.force_login(viewer)
    assert reverse("reports:lock_create") not in client.get(reverse("reports:lock_list")).content.decode()


def test_export_lists_the_locks(client, district_lock, leader):
    client.force_login(leader)
    response = client.get(reverse("reports:lock_list"), {"export": "csv"})
    assert response.status_code == 200
    assert REASON in response.content.decode("utf-8-sig")


def test_list_query_count_does_not_grow_with_rows(
    client, tree, district_staff, commune_a_officer, django_assert_max_num_queries
):
    for month in range(1, 9):
        lock_period(
            user=district_staff,
            unit=tree.district,
            start=date(2023, month, 1),
            end=date(2023, month, 20),
            reason=f"Tháng {month}",
        )
    client.force_login(commune_a_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:lock_list"))
    assert len(response.context["rows"]) == 8


# --- Locking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("portal_admin", 200),
        ("commune_a_officer", 403),
        ("commune_b_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_lock_page_is_for_district_staff(client, request, tree, persona, expected):
    login(client, request, persona)
    assert client.get(reverse("reports:lock_create")).status_code == expected
    if expected == 403:
        assert client.post(reverse("reports:lock_create"), lock_post(tree)).status_code == 403
        assert not PeriodLock.objects.exists()


def test_district_staff_lock_a_period(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("reports:lock_create"), lock_post(tree))
    assert response.status_code == 302 and response["Location"] == reverse("reports:lock_list")
    lock = PeriodLock.objects.get()
    assert (lock.unit, lock.start, lock.end, lock.reason) == (
        tree.district,
        date(2024, 10, 1),
        date(2024, 12, 31),
        REASON,
    )
    assert lock.locked_by == district_staff and lock.report is None


def test_locking_from_an_issued_report_fills_in_its_unit_and_period(client, tree, issued_report, district_staff):
    client.force_login(district_staff)
    url = f"{reverse('reports:lock_create')}?report={issued_report.pk}"
    form = client.get(url).context["form"]
    assert form.initial["unit"] == tree.district
    assert (form.initial["start"], form.initial["end"]) == (date(2024, 10, 1), date(2024, 12, 31))
    assert form.initial["reason"]
    response = client.post(reverse("reports:lock_create"), lock_post(tree, report=issued_report.pk))
    assert response.status_code == 302
    assert PeriodLock.objects.get().report == issued_report
    # The issued report's page offers the lock to district staff, and lists it afterwards.
    page = client.get(reverse("reports:report_detail", args=[issued_report.pk]))
    assert page.context["may_lock"] and [lock.report for lock in page.context["locks"]] == [issued_report]


def test_a_report_outside_the_users_scope_cannot_prefill_a_lock(client, tree, issued_report, district_staff):
    from organization.tests.factories import MembershipFactory, UserFactory

    other = UserFactory(username="staff_elsewhere")
    MembershipFactory(user=other, unit=tree.commune_b, role="district_staff")
    client.force_login(other)
    assert client.get(f"{reverse('reports:lock_create')}?report={issued_report.pk}").status_code == 404
    assert client.get(f"{reverse('reports:lock_create')}?report=abc").status_code == 404


def test_a_draft_report_cannot_be_locked_from(client, tree, issued_report, district_staff):
    Report.objects.filter(pk=issued_report.pk).update(status=ReportStatus.DRAFT)
    client.force_login(district_staff)
    assert client.get(f"{reverse('reports:lock_create')}?report={issued_report.pk}").context["report_not_issued"]
    response = client.post(reverse("reports:lock_create"), lock_post(tree, report=issued_report.pk))
    assert response.status_code == 200
    assert _("Lock a period after its report is issued.") in text(response)
    assert not PeriodLock.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end": "30/09/2024"}, "end", "The period ends before it starts."),
        ({"reason": "   "}, "reason", "This field is required."),
        ({"start": "31/02/2024"}, "start", "Enter a valid date."),
    ],
)
def test_bad_lock_input_is_refused_with_a_message(client, tree, district_staff, overrides, field, message):
    client.force_login(district_staff)
    response = client.post(reverse("reports:lock_create"), lock_post(tree, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [_(message)]
    assert not PeriodLock.objects.exists()


def test_an_overlapping_lock_is_refused(client, tree, district_lock, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("reports:lock_create"), lock_post(tree, start="01/12/2024", end="31/01/2025"))
    assert response.context["form"].errors["start"] == [_("Part of this period is already locked for this unit.")]
    assert PeriodLock.objects.count() == 1


def test_a_unit_outside_the_staffs_subtree_is_not_offered(client, tree, district_staff):
    from organization.tests.factories import UnitFactory

    elsewhere = UnitFactory(key="t-other-district", name="Huyện Lục Yên", kind="district", parent=tree.province)
    client.force_login(district_staff)
    response = client.post(reverse("reports:lock_create"), lock_post(tree, unit=elsewhere.pk))
    assert "unit" in response.context["form"].errors
    assert not PeriodLock.objects.exists()


# --- Unlocking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "district", "commune"),
    [
        ("district_staff", 200, 200),
        ("portal_admin", 200, 200),
        ("leader", 403, 403),
        ("viewer", 403, 403),
        ("commune_a_officer", 403, 403),
        ("commune_b_officer", 403, 404),
        ("agency_officer", 404, 404),
    ],
)
def test_unlock_page_by_role(client, request, district_lock, commune_lock, persona, district, commune):
    login(client, request, persona)
    for lock, expected in ((district_lock, district), (commune_lock, commune)):
        url = reverse("reports:lock_unlock", args=[lock.pk])
        assert client.get(url).status_code == expected
        if expected != 200:
            assert client.post(url, {"reason": "Sửa số liệu"}).status_code == expected
            assert PeriodLock.objects.get(pk=lock.pk).unlocked_at is None


def test_unlocking_needs_a_reason(client, district_lock, district_staff):
    client.force_login(district_staff)
    url = reverse("reports:lock_unlock", args=[district_lock.pk])
    page = client.get(url)
    assert page.status_code == 200 and "data-confirm" in page.content.decode()
    for reason in ("", "   "):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"] == [_("This field is required.")]
    lock = PeriodLock.objects.get(pk=district_lock.pk)
    assert lock.unlocked_at is None and lock.unlock_reason == ""


def test_unlocking_is_logged_with_who_and_why_and_happens_once(client, district_lock, district_staff):
    client.force_login(district_staff)
    url = reverse("reports:lock_unlock", args=[district_lock.pk])
    response = client.post(url, {"reason": "Bổ sung kiến nghị nhập muộn của xã Vĩnh Yên"})
    assert response.status_code == 302
    lock = PeriodLock.objects.get(pk=district_lock.pk)
    assert lock.unlocked_by == district_staff and lock.unlocked_at == NOW
    assert lock.unlock_reason == "Bổ sung kiến nghị nhập muộn của xã Vĩnh Yên"
    assert lock.history.count() == 2  # locked, then unlocked
    page = client.get(url)
    assert page.context["already_unlocked"]
    response = client.post(url, {"reason": "Lần nữa"})
    assert _("This period is already unlocked.") in text(response)
    assert PeriodLock.objects.get(pk=district_lock.pk).unlock_reason.startswith("Bổ sung")


# --- The lock holds on the domain pages -----------------------------------------------------------------


def locked_message(response) -> bool:
    """Whether the page shows the lock's refusal (its reason is part of the message)."""
    return REASON in text(response)


def test_a_program_dated_in_a_locked_period_is_refused_on_its_page(client, tree, district_lock, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_create"), program_post(tree, date="15/11/2024"))
    assert response.status_code == 200 and locked_message(response)
    assert not Program.objects.exists()
    response = client.post(reverse("programs:program_create"), program_post(tree, date="15/01/2025"))
    assert response.status_code == 302 and Program.objects.count() == 1


def test_a_dialogue_dated_in_a_locked_period_is_refused_on_its_page(client, tree, district_lock, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("dialogues:dialogue_create"), dialogue_post(tree, date="20/12/2024"))
    assert response.status_code == 200 and locked_message(response)
    assert not Dialogue.objects.exists()


def test_an_award_dated_in_a_locked_period_is_refused_on_its_page(client, tree, district_lock, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:award_create"), award_post(tree, date="10/10/2024"))
    assert response.status_code == 200 and locked_message(response)
    assert not Award.objects.exists()
