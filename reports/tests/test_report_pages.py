"""Report pages: the scoped list (filters, search, sort, export, empty state, query count), creating
a report with its period pickers, the report page with its compile progress, figures, files and
narrative, and the workflow steps (submit, issue with its number, a corrected version), for every
role; bad input gives a clear message and changes nothing.

Compiling is queued on commit; ``django_capture_on_commit_callbacks(execute=True)`` runs it here,
in-process (CELERY_TASK_ALWAYS_EAGER). The files are small stand-ins (``fake_files``) except in
``test_the_real_renderers_write_files_the_page_serves``, which runs the renderers end to end.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues.models import PetitionField
from dialogues.tests.factories import DialogueFactory, petition_input
from organization.models import Document, Unit, UnitKind
from organization.tests.factories import PersonFactory, TermFactory, UnitFactory
from programs.tests.factories import ProgramFactory, contribution, participation
from reports import services
from reports.models import BuildState, Report, ReportStatus
from reports.periods import month_end

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 4, 5, 9, 0, tzinfo=HCM)
Q4 = {"kind": "quarter", "period_start": date(2024, 10, 1), "period_end": date(2024, 12, 31)}
ROLES = [
    "district_staff",
    "commune_a_officer",
    "commune_b_officer",
    "agency_officer",
    "leader",
    "viewer",
    "portal_admin",
]


# --- Arrangements ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Spring 2025: the tree's district and its Party committee's term still exist."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def real_renderers():
    """Ask for it to run ``reports.render`` for real instead of ``fake_files``."""


@pytest.fixture(autouse=True)
def fake_files(request, monkeypatch):
    """Small stand-in files, so the page tests do not pay for DOCX/PDF rendering."""
    if "real_renderers" in request.fixturenames:
        return

    def render_all(report):
        stem = f"bao-cao-{report.kind}-{report.pk}-v{report.version_no}"
        number = f" so {report.document.symbol}" if report.document_id else ""
        return {
            "xlsx_file": (f"{stem}.xlsx", b"PK xlsx" + number.encode()),
            "docx_file": (f"{stem}.docx", f"BÁO CÁO{number}".encode()),
            "pdf_file": (f"{stem}.pdf", b"%PDF-1.4 stand-in"),
        }

    monkeypatch.setattr("reports.render.render_all", render_all)


@pytest.fixture
def commune_committee(tree) -> Unit:
    """Đảng ủy xã Vĩnh Yên: the body that issues commune A's reports (…-BC/ĐU)."""
    committee = UnitFactory(
        key="t-du-vinh-yen",
        name="Đảng ủy xã Vĩnh Yên",
        kind=UnitKind.PARTY_COMMITTEE,
        parent=tree.commune_a,
        doc_symbol="ĐU",
        valid_to=date(2025, 6, 30),
    )
    TermFactory(unit=committee, name="nhiệm kỳ 2020–2025", start_date=date(2020, 8, 1), end_date=date(2025, 6, 30))
    return committee


@pytest.fixture
def records(tree, district_staff):
    """A dialogue with two petitions in commune A and a held program in commune B, in Q4 2024."""
    DialogueFactory(
        unit=tree.commune_a,
        date=date(2024, 11, 12),
        by=district_staff,
        petitions=[petition_input(field=PetitionField.LAND), petition_input(field=PetitionField.TRANSPORT)],
    )
    ProgramFactory(
        unit=tree.commune_b,
        date=date(2024, 12, 5),
        by=district_staff,
        contributions=[contribution(kind="cash", value_vnd=15_000_000)],
        participation=[participation(person_times=120)],
    )


def make_report(user, unit, *, compile_now=True, capture=None, **values) -> Report:
    """A report created through the service; compiled at once when ``capture`` (the pytest-django
    fixture ``django_capture_on_commit_callbacks``) is given."""
    arguments = {**Q4, **values}
    if capture is None:
        return services.report_create(user=user, unit=unit, **arguments)
    with capture(execute=compile_now):
        report = services.report_create(user=user, unit=unit, **arguments)
    report.refresh_from_db()
    return report


@pytest.fixture
def district_report(tree, records, district_staff, django_capture_on_commit_callbacks) -> Report:
    return make_report(district_staff, tree.district, capture=django_capture_on_commit_callbacks)


@pytest.fixture
def commune_report(tree, records, commune_committee, commune_a_officer, django_capture_on_commit_callbacks) -> Report:
    return make_report(commune_a_officer, tree.commune_a, capture=django_capture_on_commit_callbacks)


def login(client, request, persona: str):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


def text(response) -> str:
    """The page as a reader sees it (entities decoded), to look for a message in it."""
    return html.unescape(response.content.decode())


def listed(client, **params) -> list[int]:
    response = client.get(reverse("reports:report_list"), params)
    assert response.status_code == 200
    return [row["report"].pk for row in response.context["rows"]]


def create_post(unit: Unit, **overrides) -> dict:
    data = {"kind": "quarter", "quarter": "4", "year": "2024", "month": "", "unit": unit.pk, "issuer": ""}
    data.update(overrides)
    return data


def issue_post(report: Report, day: str = "05/04/2025") -> dict:
    return {"day": day, "version": report.version}


# --- The list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees_district", "sees_commune"),
    [
        ("district_staff", True, True),
        ("leader", True, True),
        ("portal_admin", True, True),
        ("commune_a_officer", False, True),
        ("viewer", False, True),
        ("commune_b_officer", False, False),
        ("agency_officer", False, False),
    ],
)
def test_list_shows_only_reports_in_scope(
    client, request, district_report, commune_report, persona, sees_district, sees_commune
):
    login(client, request, persona)
    pks = listed(client)
    assert (district_report.pk in pks, commune_report.pk in pks) == (sees_district, sees_commune)


def test_anonymous_is_sent_to_login_from_every_report_page(client, district_report):
    pages = [
        reverse("reports:report_list"),
        reverse("reports:report_create"),
        reverse("reports:report_detail", args=[district_report.pk]),
        reverse("reports:report_status", args=[district_report.pk]),
        reverse("reports:report_file", args=[district_report.pk, "docx"]),
        reverse("reports:report_issue", args=[district_report.pk]),
        reverse("reports:report_new_version", args=[district_report.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for name in ("report_retry", "report_narrative", "report_submit", "report_issue", "report_new_version"):
        response = client.post(reverse(f"reports:{name}", args=[district_report.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert Report.objects.get(pk=district_report.pk).status == ReportStatus.DRAFT


def test_list_rows_show_the_build_state_and_the_number(client, tree, records, district_staff, leader):
    queued = make_report(district_staff, tree.district)  # on-commit never runs: stays queued
    client.force_login(district_staff)
    response = client.get(reverse("reports:report_list"))
    page = response.content.decode()
    assert f'data-report-row="{queued.pk}"' in page
    assert 'data-build-state="queued"' in page


def test_list_filters_by_kind_status_unit_and_year_and_searches(
    client, tree, district_report, commune_report, district_staff, django_capture_on_commit_callbacks
):
    month = make_report(
        district_staff,
        tree.district,
        kind="month",
        period_start=date(2023, 5, 1),
        period_end=date(2023, 5, 31),
        capture=django_capture_on_commit_callbacks,
    )
    Report.objects.filter(pk=commune_report.pk).update(status=ReportStatus.SUBMITTED)
    client.force_login(district_staff)
    assert listed(client, kind="month") == [month.pk]
    assert set(listed(client, kind="quarter")) == {district_report.pk, commune_report.pk}
    assert set(listed(client, unit=tree.commune_a.pk)) == {commune_report.pk}
    assert listed(client, year=2023) == [month.pk]
    assert listed(client, status="submitted") == [commune_report.pk]
    assert set(listed(client, build_state="ready")) == {district_report.pk, commune_report.pk, month.pk}
    assert listed(client, q="dang uy vinh") == [commune_report.pk]  # accents are optional


def test_list_sorts_by_whitelisted_keys_only(client, tree, district_report, commune_report, district_staff):
    client.force_login(district_staff)
    by_unit = listed(client, sort="unit")
    assert by_unit == [district_report.pk, commune_report.pk]  # Huyện Bảo Yên < Xã Vĩnh Yên
    assert listed(client, sort="-unit") == [commune_report.pk, district_report.pk]
    assert set(listed(client, sort="password")) == {district_report.pk, commune_report.pk}


def test_export_contains_the_filtered_reports_with_their_labels(client, tree, district_report, commune_report, leader):
    client.force_login(leader)
    response = client.get(reverse("reports:report_list"), {"export": "csv", "unit": tree.commune_a.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][4] == "Xã Vĩnh Yên" and rows[1][5] == "Đảng ủy xã Vĩnh Yên"


def test_empty_list_says_how_to_create_a_report(client, tree, district_staff, leader):
    client.force_login(district_staff)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:report_create") in page
    client.force_login(leader)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:report_create") not in page  # leaders issue; they do not create


def test_list_query_count_does_not_grow_with_rows(
    client, tree, records, district_staff, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for month in range(1, 9):
        first = date(2024, month, 1)
        make_report(district_staff, tree.district, kind="month", period_start=first, period_end=month_end(first))
    client.force_login(district_staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reports:report_list"))
    assert len(response.context["rows"]) == 8


# --- Creating -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 200),
        ("portal_admin", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_create_page_is_for_users_who_run_reports(client, request, tree, persona, expected):
    login(client, request, persona)
    assert client.get(reverse("reports:report_create")).status_code == expected
    if expected == 403:
        assert client.post(reverse("reports:report_create"), create_post(tree.district)).status_code == 403
        assert Report.objects.count() == 0


def test_create_page_offers_the_users_units_and_their_default_issuer(client, tree, district_staff, commune_a_officer):
    client.force_login(district_staff)
    form = client.get(reverse("reports:report_create")).context["form"]
    assert {tree.district, tree.commune_a, tree.commune_b} <= set(form.fields["unit"].queryset)
    assert form.initial["unit"] == tree.district and form.initial["issuer"] == tree.party_committee
    assert form.initial["kind"] == "month" and (form.initial["month"], form.initial["year"]) == (3, 2025)
    client.force_login(commune_a_officer)
    form = client.get(reverse("reports:report_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.commune_a]


def test_include_predecessors_is_offered_only_for_units_that_continue_older_ones(
    client, tree, district_staff, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    page = client.get(reverse("reports:report_create")).content.decode()
    assert "data-predecessors-box" not in page
    merged = UnitFactory(key="t-xa-moi", name="Xã Mới", parent=tree.district, doc_symbol="ĐU")
    merged.predecessors.add(tree.commune_b, through_defaults={"effective_date": date(2025, 7, 1)})
    page = client.get(reverse("reports:report_create")).content.decode()
    assert "data-predecessors-box" in page and 'data-has-predecessors="1"' in page
    # A unit without predecessors never gets the flag, whatever is posted.
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("reports:report_create"), create_post(tree.commune_a, include_predecessors="on", issuer="")
        )
    assert response.status_code == 200  # commune A has no issuing body in this tree
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("reports:report_create"),
            create_post(tree.district, include_predecessors="on", issuer=tree.party_committee.pk),
        )
    assert Report.objects.get(unit=tree.district).include_predecessors is False


@pytest.mark.parametrize(
    ("kind", "pickers", "start", "end"),
    [
        ("month", {"month": "2", "year": "2024"}, date(2024, 2, 1), date(2024, 2, 29)),
        ("quarter", {"quarter": "4", "year": "2024"}, date(2024, 10, 1), date(2024, 12, 31)),
        ("half_year", {"year": "2024"}, date(2024, 1, 1), date(2024, 6, 30)),
        ("nine_months", {"year": "2024"}, date(2024, 1, 1), date(2024, 9, 30)),
        ("year", {"year": "2024"}, date(2024, 1, 1), date(2024, 12, 31)),
        ("custom", {"period_start": "15/03/2024", "period_end": "20/04/2024"}, date(2024, 3, 15), date(2024, 4, 20)),
    ],
)
def test_pickers_give_the_period_of_each_kind(
    client, tree, district_staff, kind, pickers, start, end, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    data = {"kind": kind, "unit": tree.district.pk, "issuer": "", **pickers}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:report_create"), data)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:report_detail", args=[report.pk])
    assert (report.kind, report.period_start, report.period_end) == (kind, start, end)
    assert report.issuer == tree.party_committee and report.created_by == district_staff
    assert len(callbacks) == 1  # the compile is queued on commit, once


def test_a_period_not_matching_its_kind_is_refused_with_the_kinds_rule(client, tree, district_staff):
    client.force_login(district_staff)
    data = {"kind": "quarter", "period_start": "01/10/2024", "period_end": "30/11/2024", "unit": tree.district.pk}
    response = client.post(reverse("reports:report_create"), data)
    assert response.status_code == 200
    rule = _("A quarterly report runs from 1 January, 1 April, 1 July or 1 October to the end of that quarter.")
    assert response.context["form"].errors["period_start"] == [rule]
    assert rule in text(response)
    assert Report.objects.count() == 0


def test_a_missing_picker_says_which_to_choose(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("reports:report_create"), create_post(tree.district, kind="month", month=""))
    assert response.context["form"].errors["month"] == [_("Choose the month and the year.")]
    response = client.post(reverse("reports:report_create"), {"kind": "custom", "unit": tree.district.pk})
    assert _("A custom range needs its first and last day.") in response.context["form"].errors["period_start"]
    assert Report.objects.count() == 0


def test_a_unit_outside_the_users_scope_is_refused_by_name(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("reports:report_create"), create_post(tree.commune_b))
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [_("%(unit)s is outside your units.") % {"unit": "Xã Nghĩa Đô"}]
    response = client.post(reverse("reports:report_create"), create_post(tree.district))
    assert response.context["form"].errors["unit"] == [_("%(unit)s is outside your units.") % {"unit": "Huyện Bảo Yên"}]
    assert Report.objects.count() == 0


def test_a_unit_the_user_sees_but_may_not_run_is_refused_on_the_form(client, tree, commune_a_officer):
    from organization.tests.factories import MembershipFactory

    MembershipFactory(user=commune_a_officer, unit=tree.commune_b, role="viewer")
    client.force_login(commune_a_officer)
    response = client.post(reverse("reports:report_create"), create_post(tree.commune_b))
    assert response.context["form"].errors["unit"] == [
        _("You cannot run reports for %(unit)s.") % {"unit": "Xã Nghĩa Đô"}
    ]
    assert Report.objects.count() == 0


def test_a_second_report_of_the_same_kind_period_and_unit_links_to_the_first(
    client, tree, district_report, district_staff
):
    client.force_login(district_staff)
    response = client.post(reverse("reports:report_create"), create_post(tree.district))
    assert response.status_code == 200
    page = response.content.decode()
    assert _("A report of this kind for this period and unit already exists; open it instead.") in text(response)
    assert reverse("reports:report_detail", args=[district_report.pk]) in page and "data-existing-report" in page
    assert Report.objects.count() == 1


# --- The report page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "district", "commune"),
    [
        ("district_staff", 200, 200),
        ("leader", 200, 200),
        ("portal_admin", 200, 200),
        ("commune_a_officer", 404, 200),
        ("viewer", 404, 200),
        ("commune_b_officer", 404, 404),
        ("agency_officer", 404, 404),
    ],
)
def test_report_page_status_and_files_by_role(
    client, request, district_report, commune_report, persona, district, commune
):
    login(client, request, persona)
    for report, expected in ((district_report, district), (commune_report, commune)):
        assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == expected
        assert client.get(reverse("reports:report_status", args=[report.pk])).status_code == expected
        assert client.get(reverse("reports:report_file", args=[report.pk, "pdf"])).status_code == expected


def test_a_compiled_report_shows_its_kpis_sections_and_downloads(client, tree, district_report, leader):
    client.force_login(leader)
    response = client.get(reverse("reports:report_detail", args=[district_report.pk]))
    context = response.context
    assert district_report.build_state == BuildState.READY and context["ready"]
    rows = {row["key"]: row for row in context["kpi_rows"]}
    assert rows["dialogues"]["current"] == "1" and rows["petitions_received"]["current"] == "2"
    assert rows["value_mobilized_vnd"]["current"] == "15.000.000"
    assert rows["person_times"]["current"] == "120" and rows["person_times"]["previous"] == "0"
    assert {row["label"] for row in context["sections"]["by_field"]} == {
        PetitionField.LAND.label,
        PetitionField.TRANSPORT.label,
    }
    assert [row["unit"] for row in context["sections"]["ranking"]] == ["Xã Nghĩa Đô", "Xã Vĩnh Yên"]
    assert [item["kind"] for item in context["downloads"]] == ["xlsx", "docx", "pdf"]
    page = response.content.decode()
    assert "data-report-progress" not in page  # nothing to poll once ready
    assert 'data-action="issue"' in page and 'data-action="submit"' not in page  # a leader issues


def test_report_page_query_count_is_bounded(client, district_report, district_staff, django_assert_max_num_queries):
    client.force_login(district_staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reports:report_detail", args=[district_report.pk]))
    assert response.status_code == 200


def test_the_page_polls_while_the_report_compiles(client, tree, records, district_staff):
    report = make_report(district_staff, tree.district)  # queued: the on-commit compile never ran
    client.force_login(district_staff)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "data-report-progress" in page
    assert reverse("reports:report_status", args=[report.pk]) in page
    assert "js/reports.js" in page and "<script>" not in page  # no inline script
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.RUNNING, progress=45)
    status = client.get(reverse("reports:report_status", args=[report.pk])).json()
    assert status == {"build_state": "running", "label": _("Compiling"), "progress": 45, "error": "", "ready": False}


def test_status_json_says_ready_or_the_stored_error(client, tree, district_report, district_staff):
    client.force_login(district_staff)
    url = reverse("reports:report_status", args=[district_report.pk])
    assert client.get(url).json()["ready"] is True
    Report.objects.filter(pk=district_report.pk).update(build_state=BuildState.FAILED, build_error="KeyError: 'x'")
    data = client.get(url).json()
    assert (data["build_state"], data["ready"], data["error"]) == ("failed", False, "KeyError: 'x'")
    assert client.post(url).status_code == 405


def test_a_failed_compile_shows_its_error_and_retry_compiles_again(
    client, tree, records, district_staff, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(report):
        raise ZeroDivisionError("division by zero in the annex")

    monkeypatch.setattr("reports.render.render_all", broken)
    report = make_report(district_staff, tree.district, capture=django_capture_on_commit_callbacks)
    assert report.build_state == BuildState.FAILED
    client.force_login(district_staff)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "ZeroDivisionError: division by zero in the annex" in page and 'data-action="retry"' in page

    monkeypatch.undo()
    monkeypatch.setattr("reports.render.render_all", lambda report: {"pdf_file": ("r.pdf", b"%PDF")})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.build_state, report.build_error, report.progress) == (BuildState.READY, "", 100)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_retry_is_refused_to_users_who_do_not_run_the_report(client, request, commune_report, persona, expected):
    Report.objects.filter(pk=commune_report.pk).update(build_state=BuildState.FAILED, build_error="boom")
    login(client, request, persona)
    assert client.post(reverse("reports:report_retry", args=[commune_report.pk])).status_code == expected
    assert Report.objects.get(pk=commune_report.pk).build_state == BuildState.FAILED
    assert client.get(reverse("reports:report_retry", args=[commune_report.pk])).status_code in (405, 404)


def test_a_file_is_served_with_its_name_and_type(client, district_report, viewer, leader):
    client.force_login(leader)
    response = client.get(reverse("reports:report_file", args=[district_report.pk, "docx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-quarter-{district_report.pk}-v1.docx"'
    assert b"".join(response.streaming_content).decode() == "BÁO CÁO"
    assert client.get(reverse("reports:report_file", args=[district_report.pk, "exe"])).status_code == 404


def test_files_are_not_served_from_public_media_urls(client, district_report, leader, settings):
    client.force_login(leader)
    name = Report.objects.get(pk=district_report.pk).docx_file.name
    assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404


# --- Narrative ---------------------------------------------------------------------------------------


def narrative_post(report: Report, **values) -> dict:
    data = {
        "strengths": "Các cấp ủy quan tâm lãnh đạo công tác dân vận.",
        "weaknesses": "Một số kiến nghị giải quyết còn chậm.",
        "next_tasks": "Đôn đốc giải quyết kiến nghị quá hạn.",
        "proposals": "",
        "signer": "",
        "signer_authority": "T/M BAN THƯỜNG VỤ",
        "signer_title": "BÍ THƯ",
        "recipients": "- Ban Dân vận Tỉnh ủy\n- Thường trực Huyện ủy",
        "version": report.version,
    }
    data.update(values)
    return data


def test_the_narrative_is_saved_and_the_files_rendered_again(
    client, tree, district_report, district_staff, django_capture_on_commit_callbacks
):
    secretary = PersonFactory(unit=tree.party_committee, full_name="Hoàng Văn Bí Thư", position="Bí thư Huyện ủy")
    client.force_login(district_staff)
    form = client.get(reverse("reports:report_detail", args=[district_report.pk])).context["narrative_form"]
    assert secretary in form.fields["signer"].queryset
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report_narrative", args=[district_report.pk]),
            narrative_post(district_report, signer=secretary.pk),
        )
    assert response.status_code == 302
    report = Report.objects.get(pk=district_report.pk)
    assert report.strengths.startswith("Các cấp ủy") and report.signer == secretary
    assert (report.signer_authority, report.signer_title) == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
    assert report.build_state == BuildState.READY and report.version == district_report.version + 1


def test_a_stale_narrative_is_not_saved_over_someone_elses(client, district_report, district_staff):
    client.force_login(district_staff)
    response = client.post(
        reverse("reports:report_narrative", args=[district_report.pk]),
        narrative_post(district_report, version=district_report.version - 1),
    )
    assert response.status_code == 200
    assert _("Someone else changed this record while you were editing it. Reload it and try again.") in text(response)
    assert Report.objects.get(pk=district_report.pk).strengths == ""


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_the_narrative_is_written_by_those_who_run_the_report(client, request, commune_report, persona, expected):
    login(client, request, persona)
    url = reverse("reports:report_narrative", args=[commune_report.pk])
    assert client.post(url, narrative_post(commune_report)).status_code == expected
    assert Report.objects.get(pk=commune_report.pk).strengths == ""


def test_leaders_and_viewers_read_the_narrative_without_a_form(client, commune_report, viewer):
    Report.objects.filter(pk=commune_report.pk).update(strengths="Nhân dân đồng thuận cao.")
    client.force_login(viewer)
    response = client.get(reverse("reports:report_detail", args=[commune_report.pk]))
    assert response.context["narrative_form"] is None
    assert "Nhân dân đồng thuận cao." in response.content.decode()


# --- Submit, issue, new version --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 302),
        ("commune_a_officer", 302),
        ("leader", 403),
        ("viewer", 403),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_submit_by_role(client, request, commune_report, persona, expected):
    login(client, request, persona)
    response = client.post(
        reverse("reports:report_submit", args=[commune_report.pk]), {"version": commune_report.version}
    )
    assert response.status_code == expected
    submitted = Report.objects.get(pk=commune_report.pk).status == ReportStatus.SUBMITTED
    assert submitted is (expected == 302)


def test_submitting_before_the_compile_is_done_is_refused(client, tree, records, district_staff):
    report = make_report(district_staff, tree.district)
    client.force_login(district_staff)
    response = client.post(reverse("reports:report_submit", args=[report.pk]), {"version": report.version}, follow=True)
    assert _("The report has not compiled yet; it can be submitted once its files are ready.") in text(response)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("leader", 200),
        ("portal_admin", 200),
        ("district_staff", 403),
        ("commune_a_officer", 403),
        ("viewer", 403),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_issue_page_by_role(client, request, commune_report, persona, expected):
    login(client, request, persona)
    url = reverse("reports:report_issue", args=[commune_report.pk])
    assert client.get(url).status_code == expected
    if expected != 200:
        assert client.post(url, issue_post(commune_report)).status_code == expected
        assert Report.objects.get(pk=commune_report.pk).status == ReportStatus.DRAFT
        assert not Document.objects.exists()


def test_the_issue_page_shows_the_number_the_report_will_get(client, tree, commune_report, leader):
    client.force_login(leader)
    url = reverse("reports:report_issue", args=[commune_report.pk])
    response = client.get(url)
    assert response.context["number"] == "1-BC/ĐU"
    assert "data-next-number>1-BC/ĐU<" in response.content.decode()
    # After 30/6/2025 the commune's committee no longer exists: the page says so before issuing.
    response = client.get(url, {"day": "01/08/2025"})
    assert response.context["number"] is None
    assert response.context["problem"] == _("%(issuer)s did not exist on %(day)s.") % {
        "issuer": "Đảng ủy xã Vĩnh Yên",
        "day": "01/08/2025",
    }


def test_issuing_a_report_that_has_not_compiled_is_refused(client, tree, records, district_staff, leader):
    report = make_report(district_staff, tree.district)
    client.force_login(leader)
    url = reverse("reports:report_issue", args=[report.pk])
    assert client.get(url).context["blockers"] == [
        _("The report has not compiled; it can be issued once its files are ready.")
    ]
    response = client.post(url, issue_post(report))
    assert response.status_code == 200
    assert _("The report has not compiled; it can be issued once its files are ready.") in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.document is None
    assert not Document.objects.exists()


def test_editing_an_issued_report_is_refused(
    client, commune_report, commune_a_officer, leader, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_issue", args=[commune_report.pk]), issue_post(commune_report))
    issued = Report.objects.get(pk=commune_report.pk)
    assert issued.status == ReportStatus.ISSUED
    client.force_login(commune_a_officer)
    page = client.get(reverse("reports:report_detail", args=[issued.pk]))
    assert page.context["narrative_form"] is None and not page.context["may_submit"]
    response = client.post(reverse("reports:report_narrative", args=[issued.pk]), narrative_post(issued))
    assert response.status_code == 200
    assert _("An issued report cannot change; create a new version to correct it.") in text(response)
    after = Report.objects.get(pk=issued.pk)
    assert after.strengths == "" and after.version == issued.version


def test_a_new_version_needs_a_note_and_an_issued_report(client, tree, commune_report, commune_a_officer):
    client.force_login(commune_a_officer)
    url = reverse("reports:report_new_version", args=[commune_report.pk])
    response = client.get(url)
    assert response.context["blockers"] == [
        _("Only an issued report is corrected by a new version; edit the draft instead.")
    ]
    response = client.post(url, {"change_note": "Sửa số liệu"})
    assert _("Only an issued report is corrected by a new version; edit the draft instead.") in text(response)
    Report.objects.filter(pk=commune_report.pk).update(status=ReportStatus.ISSUED)
    response = client.post(url, {"change_note": "   "})
    assert response.context["form"].errors["change_note"] == [_("This field is required.")]
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_a_new_version_is_made_by_those_who_run_the_report(client, request, commune_report, persona, expected):
    Report.objects.filter(pk=commune_report.pk).update(status=ReportStatus.ISSUED)
    login(client, request, persona)
    url = reverse("reports:report_new_version", args=[commune_report.pk])
    assert client.get(url).status_code == expected
    assert client.post(url, {"change_note": "Sửa số liệu"}).status_code == expected
    assert Report.objects.count() == 1


def test_the_whole_flow_from_creating_to_a_corrected_version(
    client, tree, records, district_staff, leader, django_capture_on_commit_callbacks
):
    # 1. District staff create the quarterly report; it compiles on commit.
    client.force_login(district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_create"), create_post(tree.district))
    report = Report.objects.get()
    assert response["Location"] == reverse("reports:report_detail", args=[report.pk])
    assert report.build_state == BuildState.READY and report.figures["kpis"]["dialogues"] == 1

    # 2. The narrative, then submit.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_narrative", args=[report.pk]), narrative_post(report))
    report.refresh_from_db()
    client.post(reverse("reports:report_submit", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == district_staff

    # 3. The leader issues it: the number comes from the register, the files are rendered with it.
    client.force_login(leader)
    page = client.get(reverse("reports:report_detail", args=[report.pk]))
    assert page.context["may_issue"]
    confirm = client.get(reverse("reports:report_issue", args=[report.pk]))
    assert confirm.context["number"] == "1-BC/HU"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_issue", args=[report.pk]), issue_post(report), follow=True)
    assert _("The report was issued as number %(number)s.") % {"number": "1-BC/HU"} in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and report.document.symbol == "1-BC/HU"
    assert report.build_state == BuildState.READY
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "data-report-number>" in page and "1-BC/HU" in page
    download = client.get(reverse("reports:report_file", args=[report.pk, "docx"]))
    assert b"".join(download.streaming_content).decode() == "BÁO CÁO so 1-BC/HU"

    # 4. A correction: a new draft version naming what changed, compiled afresh.
    client.force_login(district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report_new_version", args=[report.pk]),
            {"change_note": "Bổ sung kiến nghị của xã Vĩnh Yên nhập muộn."},
        )
    copy = Report.objects.get(version_no=2)
    assert response["Location"] == reverse("reports:report_detail", args=[copy.pk])
    assert (copy.replaces, copy.status, copy.build_state) == (report, ReportStatus.DRAFT, BuildState.READY)
    assert copy.strengths == report.strengths
    page = client.get(reverse("reports:report_detail", args=[report.pk]))
    assert page.context["replaced_by"] == copy and not page.context["may_correct"]
    assert [version.pk for version in page.context["versions"]] == [report.pk, copy.pk]


def test_the_real_renderers_write_files_the_page_serves(
    client, tree, records, district_staff, real_renderers, django_capture_on_commit_callbacks
):
    from docx import Document as Docx
    from openpyxl import load_workbook

    client.force_login(district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_create"), create_post(tree.district))
    report = Report.objects.get()
    assert report.build_state == BuildState.READY, report.build_error
    docx = client.get(reverse("reports:report_file", args=[report.pk, "docx"]))
    text = "\n".join(paragraph.text for paragraph in Docx(io.BytesIO(b"".join(docx.streaming_content))).paragraphs)
    assert "BÁO CÁO" in text and "HUYỆN ỦY BẢO YÊN" in text.upper()
    xlsx = client.get(reverse("reports:report_file", args=[report.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).sheetnames
    pdf = client.get(reverse("reports:report_file", args=[report.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
