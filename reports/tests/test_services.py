"""reports.services: who may do what to a report and a period lock, one report per (kind,
period, unit), issuing numbers, frozen issued reports, new versions, and a new commune's report
counting the old communes it continues.

Compiling is ``reports.tasks``'s business (tested in test_tasks.py): here ``compiled`` runs the
real task with small stand-ins for the sections and the renderers, so a service test does not
pay for a full compile.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from organization.models import Document, Role, Unit, UnitKind
from organization.tests.factories import MembershipFactory, TermFactory, UnitFactory, UserFactory
from reports import services, tasks
from reports.models import BuildState, PeriodLock, Report, ReportStatus

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 5, 10, 9, 0, tzinfo=TZ)
APRIL = {"kind": "month", "period_start": date(2024, 4, 1), "period_end": date(2024, 4, 30)}
MARCH = {"kind": "month", "period_start": date(2024, 3, 1), "period_end": date(2024, 3, 31)}
Q1 = {"kind": "quarter", "period_start": date(2024, 1, 1), "period_end": date(2024, 3, 31)}
ROLES = ("district_staff", "commune_a_officer", "commune_b_officer", "leader", "viewer", "agency_officer", "admin")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen(time_machine):
    # Inside the tree's Party term (2020–2025), so issuing can number the report.
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fake_render_all(report):
    return {name: (f"r{report.pk}.{name[:4]}", b"file") for name in ("xlsx_file", "docx_file", "pdf_file")}


@pytest.fixture
def fake_files(monkeypatch):
    """Small stand-ins for the renderers (they have tests of their own)."""
    monkeypatch.setattr("reports.render.render_all", fake_render_all)


@pytest.fixture
def light_compile(monkeypatch, fake_files):
    """Tiny figures and files instead of the full sections and renderers (see the docstring)."""

    def build(units, period, progress=None):
        return {
            "schema": 1,
            "period": {"kind": period.kind, "start": period.start.isoformat()},
            "kpis": {"programs": 0},
        }

    monkeypatch.setattr("reports.sections.build", build)


@pytest.fixture
def commune_committee(tree) -> Unit:
    """The Party committee of commune A, so commune A can issue its own reports ("…-BC/ĐU")."""
    committee = UnitFactory(
        key="t-vinh-yen-du",
        name="Đảng ủy xã Vĩnh Yên",
        kind=UnitKind.PARTY_COMMITTEE,
        parent=tree.commune_a,
        doc_symbol="ĐU",
        valid_to=date(2025, 6, 30),
    )
    TermFactory(unit=committee, name="nhiệm kỳ 2020–2025", start_date=date(2020, 8, 1), end_date=date(2025, 6, 30))
    return committee


@pytest.fixture
def cast(
    tree, district_staff, commune_a_officer, commune_b_officer, leader, viewer, agency_officer, portal_admin
) -> dict:
    return {
        "district_staff": district_staff,
        "commune_a_officer": commune_a_officer,
        "commune_b_officer": commune_b_officer,
        "leader": leader,
        "viewer": viewer,
        "agency_officer": agency_officer,
        "admin": portal_admin,
    }


def create(user, unit, period=APRIL, **extra) -> Report:
    return services.report_create(user=user, unit=unit, **period, **extra)


def compiled(report: Report) -> Report:
    assert tasks.compile_report(report.pk) == "ready"
    report.refresh_from_db()
    return report


def issued(report: Report, leader, day: date | None = None) -> Report:
    return services.issue(user=leader, report=compiled(report), day=day)


def outcome(call) -> str:
    """What a service call did: "ok", "denied" (403) or "outside" (the unit is not the user's)."""
    try:
        call()
    except PermissionDenied:
        return "denied"
    except ValidationError as error:
        assert "outside your units" in str(error), error
        return "outside"
    return "ok"


# --- Role matrix ----------------------------------------------------------------------------------

#: Who may run reports (create, retry, edit the narrative, submit, correct by a new version) on
#: commune A: district staff and A's officer; B's officer and the agency do not even see A;
#: the leader and the viewer see it but may not write.
RUN_ON_A = {
    "district_staff": "ok",
    "commune_a_officer": "ok",
    "commune_b_officer": "outside",
    "leader": "denied",
    "viewer": "denied",
    "agency_officer": "outside",
    "admin": "ok",
}
#: Who may issue: leaders (and the admin). District staff prepare, they do not sign.
ISSUE_ON_A = {**RUN_ON_A, "district_staff": "denied", "commune_a_officer": "denied", "leader": "ok"}
#: Who may lock and unlock a period: district staff (and the admin).
LOCK_ON_A = {**RUN_ON_A, "commune_a_officer": "denied"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_a_commune_report(cast, tree, commune_committee, role):
    result = outcome(lambda: create(cast[role], tree.commune_a))

    assert result == RUN_ON_A[role]
    assert Report.objects.count() == (1 if result == "ok" else 0)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("district_staff", "ok"),
        ("commune_a_officer", "outside"),
        ("commune_b_officer", "outside"),
        ("leader", "denied"),
        ("viewer", "outside"),
        ("agency_officer", "outside"),
        ("admin", "ok"),
    ],
)
def test_who_may_create_a_district_report(cast, tree, role, expected):
    assert outcome(lambda: create(cast[role], tree.district)) == expected
    assert Report.objects.count() == (1 if expected == "ok" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_retry_a_failed_compile(cast, tree, commune_committee, role):
    report = create(cast["district_staff"], tree.commune_a)
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.FAILED, build_error="ValueError: boom")

    result = outcome(lambda: services.retry(user=cast[role], report=report))

    report.refresh_from_db()
    assert result == RUN_ON_A[role]
    assert report.build_state == (BuildState.QUEUED if result == "ok" else BuildState.FAILED)
    assert report.build_error == ("" if result == "ok" else "ValueError: boom")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_the_narrative(cast, tree, commune_committee, role):
    report = create(cast["district_staff"], tree.commune_a)

    result = outcome(
        lambda: services.narrative_update(
            user=cast[role], report=report, values={"strengths": "Làm tốt công tác dân vận."}
        )
    )

    report.refresh_from_db()
    assert result == RUN_ON_A[role]
    assert report.strengths == ("Làm tốt công tác dân vận." if result == "ok" else "")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_submit(cast, tree, commune_committee, light_compile, role):
    report = compiled(create(cast["district_staff"], tree.commune_a))

    result = outcome(lambda: services.submit(user=cast[role], report=report))

    report.refresh_from_db()
    assert result == RUN_ON_A[role]
    assert report.status == (ReportStatus.SUBMITTED if result == "ok" else ReportStatus.DRAFT)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_issue(cast, tree, commune_committee, light_compile, role):
    report = compiled(create(cast["district_staff"], tree.commune_a))

    result = outcome(lambda: services.issue(user=cast[role], report=report))

    report.refresh_from_db()
    assert result == ISSUE_ON_A[role]
    assert report.status == (ReportStatus.ISSUED if result == "ok" else ReportStatus.DRAFT)
    assert Document.objects.count() == (1 if result == "ok" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_a_new_version(cast, tree, commune_committee, light_compile, role):
    report = issued(create(cast["district_staff"], tree.commune_a), cast["leader"])

    result = outcome(lambda: services.new_version(user=cast[role], report=report, change_note="Sửa số liệu."))

    assert result == RUN_ON_A[role]
    assert Report.objects.count() == (2 if result == "ok" else 1)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_lock_a_period(cast, tree, role):
    result = outcome(
        lambda: services.lock_period(
            user=cast[role],
            unit=tree.commune_a,
            start=date(2024, 1, 1),
            end=date(2024, 3, 31),
            reason="Đã báo cáo quý I.",
        )
    )

    assert result == LOCK_ON_A[role]
    assert PeriodLock.objects.count() == (1 if result == "ok" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_unlock_a_period(cast, tree, role):
    lock = services.lock_period(
        user=cast["district_staff"], unit=tree.commune_a, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Quý I."
    )

    result = outcome(lambda: services.unlock_period(user=cast[role], lock=lock, reason="Bổ sung số liệu."))

    lock.refresh_from_db()
    assert result == LOCK_ON_A[role]
    assert (lock.unlocked_at is not None) == (result == "ok")


# --- Creating: the period, the unit, one report per (kind, period, unit) --------------------------


def test_create_stores_the_draft_queued_with_the_units_committee_as_issuer(tree, district_staff):
    report = create(district_staff, tree.district, Q1)

    assert report.status == ReportStatus.DRAFT
    assert report.build_state == BuildState.QUEUED
    assert report.issuer == tree.party_committee  # the Huyện ủy, the body with the symbol "HU"
    assert report.version_no == 1
    assert report.created_by == district_staff
    assert report.history.count() == 1


def test_create_queues_the_compile_only_once_the_row_is_committed(
    tree, district_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        create(district_staff, tree.district)

    assert len(callbacks) == 1


def test_a_period_not_matching_its_kind_is_refused_and_nothing_is_stored(tree, district_staff):
    with pytest.raises(ValidationError) as caught:
        create(district_staff, tree.district, {**Q1, "period_end": date(2024, 4, 30)})

    assert caught.value.message_dict == {
        "period_start": [
            "A quarterly report runs from 1 January, 1 April, 1 July or 1 October to the end of that quarter."
        ]
    }
    assert not Report.objects.exists()


def test_one_report_per_kind_period_and_unit(tree, district_staff, commune_committee):
    first = create(district_staff, tree.district)

    with pytest.raises(ValidationError) as caught:
        create(district_staff, tree.district)

    assert caught.value.message_dict == {
        "period_start": ["A report of this kind for this period and unit already exists; open it instead."]
    }
    assert list(Report.objects.all()) == [first]
    # Another kind, period or unit is another report.
    create(district_staff, tree.district, MARCH)
    create(district_staff, tree.district, Q1)
    create(district_staff, tree.commune_a)
    assert Report.objects.count() == 4


def test_the_database_refuses_a_second_row_even_if_the_check_is_bypassed(tree, district_staff):
    first = create(district_staff, tree.district)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            kind=first.kind,
            period_start=first.period_start,
            period_end=first.period_end,
            unit=first.unit,
            issuer=first.issuer,
        )


def test_a_unit_without_a_body_with_a_symbol_cannot_issue_reports(tree, district_staff):
    with pytest.raises(ValidationError) as caught:
        create(district_staff, tree.commune_b)

    assert caught.value.message_dict == {"issuer": ["Xã Nghĩa Đô has no body with a document symbol to issue reports."]}
    assert not Report.objects.exists()


def test_the_issuer_must_belong_to_the_unit(tree, district_staff, commune_committee):
    with pytest.raises(ValidationError) as caught:
        create(district_staff, tree.commune_b, issuer=commune_committee)

    assert caught.value.message_dict == {"issuer": ["The issuing body must belong to the unit."]}
    assert not Report.objects.exists()


# --- Submitting and issuing ------------------------------------------------------------------------


def test_a_report_that_has_not_compiled_cannot_be_submitted_or_issued(tree, district_staff, leader):
    report = create(district_staff, tree.district)

    with pytest.raises(ValidationError, match="has not compiled yet"):
        services.submit(user=district_staff, report=report)
    with pytest.raises(ValidationError, match="has not compiled"):
        services.issue(user=leader, report=report)

    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not Document.objects.exists()


def test_issuing_gives_the_next_number_of_the_issuers_register_per_term(
    tree, district_staff, leader, commune_committee, light_compile
):
    # The committee's previous term ends on 31/07/2020; numbers restart with khóa XXII.
    TermFactory(unit=tree.party_committee, name="khóa XXI", start_date=date(2015, 10, 1), end_date=date(2020, 7, 31))
    june_2020 = {**APRIL, "period_start": date(2020, 6, 1), "period_end": date(2020, 6, 30)}
    old = issued(create(district_staff, tree.district, june_2020), leader, day=date(2020, 7, 20))
    march = issued(create(district_staff, tree.district, MARCH), leader)
    april = issued(create(district_staff, tree.district, APRIL), leader)
    quarter = issued(create(district_staff, tree.district, Q1), leader)
    commune = issued(create(district_staff, tree.commune_a, APRIL), leader)

    assert old.document.symbol == "1-BC/HU"
    assert old.document.term.name == "khóa XXI"
    assert [march.document.symbol, april.document.symbol, quarter.document.symbol] == ["1-BC/HU", "2-BC/HU", "3-BC/HU"]
    assert march.document.term.name == "khóa XXII"
    # The commune's committee keeps its own register.
    assert commune.document.symbol == "1-BC/ĐU"
    assert march.document.date == date(2024, 5, 10)
    assert march.document.kind == "BC"
    assert march.issued_by == leader and march.issued_at is not None


def test_issuing_freezes_the_report_and_queues_the_files_with_the_number(
    tree, district_staff, leader, light_compile, django_capture_on_commit_callbacks
):
    report = compiled(create(district_staff, tree.district))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.issue(user=leader, report=report)

    report.refresh_from_db()
    assert len(callbacks) == 1
    assert report.status == ReportStatus.ISSUED
    assert report.build_state == BuildState.READY  # rendered again, with the number
    assert report.is_frozen


def test_an_issued_report_cannot_change(tree, district_staff, leader, light_compile):
    report = issued(create(district_staff, tree.district), leader)
    before = (report.figures, report.strengths, report.version)

    with pytest.raises(ValidationError) as caught:
        services.narrative_update(user=district_staff, report=report, values={"strengths": "Sửa sau khi ban hành."})
    assert caught.value.messages == ["An issued report cannot change; create a new version to correct it."]
    with pytest.raises(ValidationError, match="already been issued"):
        services.issue(user=leader, report=report)
    with pytest.raises(ValidationError, match="Only a draft report can be submitted"):
        services.submit(user=district_staff, report=report)
    with pytest.raises(ValidationError, match="Only a draft report can be compiled again"):
        services.retry(user=district_staff, report=report)

    report.refresh_from_db()
    assert (report.figures, report.strengths, report.version) == before
    assert Document.objects.count() == 1


def test_a_stale_version_is_refused(tree, district_staff, light_compile):
    report = create(district_staff, tree.district)
    seen = report.version
    services.narrative_update(user=district_staff, report=report, values={"strengths": "Bản của người thứ nhất."})

    with pytest.raises(ValidationError, match="Someone else changed this record"):
        services.narrative_update(
            user=district_staff, report=report, values={"strengths": "Bản cũ."}, expected_version=seen
        )

    report.refresh_from_db()
    assert report.strengths == "Bản của người thứ nhất."


def test_only_narrative_fields_are_taken_from_the_values(tree, district_staff):
    report = create(district_staff, tree.district)

    services.narrative_update(
        user=district_staff,
        report=report,
        values={"next_tasks": "Tiếp tục đối thoại.", "status": ReportStatus.ISSUED, "figures": {"kpis": {}}},
    )

    report.refresh_from_db()
    assert report.next_tasks == "Tiếp tục đối thoại."
    assert report.status == ReportStatus.DRAFT
    assert report.figures == {}


def test_editing_the_narrative_of_a_ready_report_renders_it_again(
    tree, district_staff, light_compile, django_capture_on_commit_callbacks
):
    report = compiled(create(district_staff, tree.district))

    with django_capture_on_commit_callbacks(execute=True):
        services.narrative_update(user=district_staff, report=report, values={"weaknesses": "Còn chậm."})

    report.refresh_from_db()
    assert report.build_state == BuildState.READY
    assert report.weaknesses == "Còn chậm."


# --- New versions ------------------------------------------------------------------------------------


def test_a_new_version_needs_a_change_note(tree, district_staff, leader, light_compile):
    report = issued(create(district_staff, tree.district), leader)

    for note in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            services.new_version(user=district_staff, report=report, change_note=note)
        assert caught.value.message_dict == {"change_note": ["Say what the new version changes."]}
    assert Report.objects.count() == 1


def test_a_new_version_replaces_the_issued_one_and_keeps_its_narrative(tree, district_staff, leader, light_compile):
    services.narrative_update(
        user=district_staff, report=create(district_staff, tree.district), values={"strengths": "Điểm mạnh."}
    )
    report = issued(Report.objects.get(), leader)

    copy = services.new_version(user=district_staff, report=report, change_note="  Bổ sung 2 cuộc đối thoại.  ")

    report.refresh_from_db()
    assert copy.replaces == report
    assert report.replaced_by == copy
    assert copy.version_no == 2
    assert copy.change_note == "Bổ sung 2 cuộc đối thoại."
    assert copy.status == ReportStatus.DRAFT
    assert copy.build_state == BuildState.QUEUED
    assert copy.document is None
    assert copy.strengths == "Điểm mạnh."
    assert (copy.kind, copy.period_start, copy.period_end, copy.unit, copy.issuer) == (
        report.kind,
        report.period_start,
        report.period_end,
        report.unit,
        report.issuer,
    )
    # The issued version is untouched.
    assert report.status == ReportStatus.ISSUED
    assert report.document.symbol == "1-BC/HU"


def test_only_an_issued_report_gets_a_new_version_and_only_once(tree, district_staff, leader, light_compile):
    draft = create(district_staff, tree.district)
    with pytest.raises(ValidationError, match="edit the draft instead"):
        services.new_version(user=district_staff, report=draft, change_note="Sửa.")

    report = issued(draft, leader)
    second = services.new_version(user=district_staff, report=report, change_note="Sửa lần 1.")
    with pytest.raises(ValidationError, match="already has a newer version"):
        services.new_version(user=district_staff, report=report, change_note="Sửa lần 2.")

    # The second version, once issued, takes the next number and can be corrected in turn.
    second = issued(second, leader)
    third = services.new_version(user=district_staff, report=second, change_note="Sửa lần 2.")
    assert second.document.symbol == "2-BC/HU"
    assert third.version_no == 3
    assert third.replaces == second


# --- Period locks ----------------------------------------------------------------------------------


def test_a_lock_needs_a_reason_an_ordered_period_and_an_issued_report(tree, district_staff, light_compile):
    draft = create(district_staff, tree.district, Q1)
    attempts = [
        ({"reason": " "}, {"reason": ["Say why the period is locked (e.g. the report that was issued)."]}),
        ({"end": date(2023, 12, 31)}, {"end": ["The period ends before it starts."]}),
        ({"report": draft}, {"report": ["Lock a period after its report is issued."]}),
    ]
    for change, message in attempts:
        values = {"unit": tree.district, "start": date(2024, 1, 1), "end": date(2024, 3, 31), "reason": "Quý I."}
        with pytest.raises(ValidationError) as caught:
            services.lock_period(user=district_staff, **{**values, **change})
        assert caught.value.message_dict == message
    assert not PeriodLock.objects.exists()


def test_an_overlapping_lock_on_the_same_unit_is_refused(tree, district_staff):
    services.lock_period(
        user=district_staff, unit=tree.district, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Q1"
    )

    with pytest.raises(ValidationError, match="already locked"):
        services.lock_period(
            user=district_staff, unit=tree.district, start=date(2024, 3, 1), end=date(2024, 3, 31), reason="Tháng 3"
        )
    # Another unit, or a period next to it, is fine.
    services.lock_period(
        user=district_staff, unit=tree.commune_a, start=date(2024, 3, 1), end=date(2024, 3, 31), reason="T3"
    )
    services.lock_period(
        user=district_staff, unit=tree.district, start=date(2024, 4, 1), end=date(2024, 4, 30), reason="T4"
    )
    assert PeriodLock.objects.count() == 3


def test_a_lock_after_issuing_names_the_report(tree, district_staff, leader, light_compile):
    report = issued(create(district_staff, tree.district, Q1), leader)

    lock = services.lock_period(
        user=district_staff,
        unit=tree.district,
        start=report.period_start,
        end=report.period_end,
        reason="Đã ban hành báo cáo quý I.",
        report=report,
    )

    assert lock.report == report
    assert lock.locked_by == district_staff
    assert lock.history.get().history_user == district_staff


def test_unlocking_needs_a_reason_is_logged_and_happens_once(tree, district_staff):
    lock = services.lock_period(
        user=district_staff, unit=tree.district, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Quý I."
    )

    with pytest.raises(ValidationError) as caught:
        services.unlock_period(user=district_staff, lock=lock, reason="  ")
    assert caught.value.message_dict == {"unlock_reason": ["Say why the period is unlocked; the reason is logged."]}

    services.unlock_period(user=district_staff, lock=lock, reason="Bổ sung kiến nghị nhận muộn.")
    lock.refresh_from_db()
    assert lock.unlocked_by == district_staff
    assert lock.unlock_reason == "Bổ sung kiến nghị nhận muộn."
    assert not PeriodLock.objects.active().exists()
    assert [entry.unlock_reason for entry in lock.history.order_by("history_id")] == [
        "",
        "Bổ sung kiến nghị nhận muộn.",
    ]
    with pytest.raises(ValidationError, match="already unlocked"):
        services.unlock_period(user=district_staff, lock=lock, reason="Lần nữa.")
    # Once unlocked, the same period can be locked again.
    services.lock_period(
        user=district_staff, unit=tree.district, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Khóa lại."
    )
    assert PeriodLock.objects.active().count() == 1


# --- A new commune with the units it succeeded (2025 reform) ---------------------------------------


@pytest.fixture
def nghia_do(bao_yen):
    """The real units: the new commune Nghĩa Đô (1/7/2025) continues the old Nghĩa Đô, Vĩnh Yên
    and Tân Tiến."""
    new = Unit.objects.get(key="xa-nghia-do")
    old = {unit.key: unit for unit in new.predecessors.all()}
    assert set(old) == {"bao-yen/nghia-do", "bao-yen/vinh-yen", "bao-yen/tan-tien"}
    return new, old


def test_a_new_communes_report_with_its_predecessors_counts_the_old_communes_records(
    nghia_do, fake_files, time_machine
):
    from dialogues.tests.factories import DialogueFactory

    new, old = nghia_do
    officer = UserFactory(username="nghia-do-officer")
    MembershipFactory(user=officer, unit=new, role=Role.COMMUNE_OFFICER)
    time_machine.move_to(datetime(2025, 8, 5, 9, 0, tzinfo=TZ), tick=False)
    DialogueFactory(unit=old["bao-yen/vinh-yen"], date=date(2024, 5, 10))
    DialogueFactory(unit=old["bao-yen/nghia-do"], date=date(2024, 6, 3))
    other = Unit.objects.get(key="bao-yen/bao-ha")  # continued by xã Bảo Hà, not Nghĩa Đô
    DialogueFactory(unit=other, date=date(2024, 6, 3))

    # The officer of the new commune sees and reports on its own subtree; the old communes are
    # counted through the succession, not through their membership.
    report = services.report_create(
        user=officer,
        kind="half_year",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 6, 30),
        unit=new,
        include_predecessors=True,
    )
    plain = services.report_create(
        user=officer, kind="custom", period_start=date(2024, 1, 1), period_end=date(2024, 6, 30), unit=new
    )

    assert report.issuer.key == "xa-nghia-do/dang-uy"
    assert set(report.scope_units()) == {new, *old.values()}
    assert plain.scope_units() == [new]
    assert compiled(report).figures["kpis"]["dialogues"] == 2
    assert compiled(plain).figures["kpis"]["dialogues"] == 0
    # The commune ranking of the new commune's report lists the old communes it continues.
    assert {row["unit"] for row in report.figures["communes"]} >= {"Xã Vĩnh Yên", "Xã Nghĩa Đô"}
