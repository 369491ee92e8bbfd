"""The reports API: who sees and does what (the role matrix), the journey create → compile →
figures → submit → issue → number → new version, the race guard of the compile task, refusals
that change nothing, downloads, period locks, and the cost of a list page.

Time is frozen on 15/01/2025 (Asia/Ho_Chi_Minh): the test district's units and its Party term
run until 30/06/2025, so a report of quarter IV 2024 can be numbered. The files are faked
(``render_all`` is replaced): their content is the renderers' business, tested with them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organization.models import Document
from reports import kpis, sections, services, tasks
from reports.models import BuildState, PeriodLock, Report, ReportStatus
from reports.periods import month_end

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 1, 15, 9, 0, tzinfo=TZ)
Q4 = {"kind": "quarter", "period_start": "2024-10-01", "period_end": "2024-12-31"}

REPORTS = "/api/v1/reports/"
LOCKS = "/api/v1/period-locks/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    # Messages are compared in English; the portal answers in Vietnamese unless the user chose.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fake_files(monkeypatch):
    """Small stand-ins for the three files; the number (once issued) is written into them, so a
    test can see that issuing renders them again."""
    renders: list[int] = []

    def render_all(report):
        renders.append(report.pk)
        number = report.document.symbol if report.document_id else "draft"
        return {
            "xlsx_file": (f"r{report.pk}.xlsx", b"PK xlsx " + number.encode()),
            "docx_file": (f"r{report.pk}.docx", b"PK docx " + number.encode()),
            "pdf_file": (f"r{report.pk}.pdf", b"%PDF " + number.encode()),
        }

    monkeypatch.setattr("reports.render.render_all", render_all)
    return renders


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def fetch_all(client, url: str) -> list[dict]:
    items: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        items.extend(body["results"])
        url = body["next"]
    return items


def ids(client, url: str) -> set[int]:
    return {item["id"] for item in fetch_all(client, url)}


def counts() -> dict[str, int]:
    return {
        "reports": Report.objects.count(),
        "documents": Document.objects.count(),
        "locks": PeriodLock.objects.count(),
        "active_locks": PeriodLock.objects.active().count(),
    }


def snapshot(report: Report) -> tuple:
    report.refresh_from_db()
    return (report.status, report.build_state, report.version, report.document_id, report.strengths, report.figures)


def make_report(tree, unit, **overrides) -> Report:
    """A queued report row, as ``report_create`` leaves it before the task runs."""
    values = {
        "kind": "quarter",
        "period_start": date(2024, 10, 1),
        "period_end": date(2024, 12, 31),
        "unit": unit,
        "issuer": tree.party_committee,
        **overrides,
    }
    return Report.objects.create(**values)


def compiled(tree, unit, **overrides) -> Report:
    report = make_report(tree, unit, **overrides)
    assert tasks.compile_report(report.pk) == "ready"
    report.refresh_from_db()
    return report


@pytest.fixture
def commune_symbols(tree) -> None:
    """The communes number their own documents (Đảng ủy xã: "ĐU"), so they can issue reports."""
    for commune in (tree.commune_a, tree.commune_b):
        commune.doc_symbol = "ĐU"
        commune.save(update_fields=["doc_symbol"])


# --- Who sees what ------------------------------------------------------------------------------


@pytest.fixture
def three(tree) -> dict[str, Report]:
    return {
        "district": make_report(tree, tree.district),
        "a": make_report(tree, tree.commune_a),
        "b": make_report(tree, tree.commune_b),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"district", "a", "b"}),
        ("leader", {"district", "a", "b"}),
        ("portal_admin", {"district", "a", "b"}),
        ("commune_a_officer", {"a"}),
        ("commune_b_officer", {"b"}),
        ("viewer", {"a"}),
        ("agency_officer", set()),
    ],
)
def test_report_list_shows_only_reports_on_units_in_scope(request, client, three, persona, expected):
    client.force_login(request.getfixturevalue(persona))

    assert ids(client, REPORTS) == {three[name].pk for name in expected}


def test_report_outside_scope_answers_like_a_missing_one(client, three, commune_a_officer):
    client.force_login(commune_a_officer)

    hidden, missing = client.get(f"{REPORTS}{three['b'].pk}/"), client.get(f"{REPORTS}999999/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.get(f"{REPORTS}{three['b'].pk}/files/docx/").status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_gets_401(client, three, method):
    before = counts()

    response = getattr(client, method)(REPORTS, Q4, content_type="application/json")

    assert response.status_code == 401
    assert counts() == before
    assert client.get("/api/v1/metrics/?unit=1&start=2024-01-01&end=2024-12-31").status_code == 401
    assert client.get(LOCKS).status_code == 401


def test_reports_cannot_be_deleted_or_replaced(client, three, district_staff):
    client.force_login(district_staff)
    url = f"{REPORTS}{three['a'].pk}/"

    assert client.delete(url).status_code == 405
    assert client.put(url, {"strengths": "x", "version": 1}, content_type="application/json").status_code == 405
    assert Report.objects.filter(pk=three["a"].pk).exists()


def test_filters_narrow_the_list(client, tree, three, district_staff):
    month = make_report(tree, tree.commune_a, kind="month", period_start=date(2023, 5, 1), period_end=date(2023, 5, 31))
    Report.objects.filter(pk=three["b"].pk).update(status=ReportStatus.SUBMITTED, build_state=BuildState.READY)
    client.force_login(district_staff)

    assert ids(client, f"{REPORTS}?kind=month") == {month.pk}
    assert ids(client, f"{REPORTS}?year=2023") == {month.pk}
    assert ids(client, f"{REPORTS}?year=2024") == {r.pk for r in three.values()}
    assert ids(client, f"{REPORTS}?status=submitted") == {three["b"].pk}
    assert ids(client, f"{REPORTS}?build_state=queued&unit={tree.commune_a.pk}") == {three["a"].pk, month.pk}
    assert ids(client, f"{REPORTS}?unit={tree.district.pk}") == {*(r.pk for r in three.values()), month.pk}
    assert client.get(f"{REPORTS}?kind=weekly").status_code == 400
    assert client.get(f"{REPORTS}?unit=abc").status_code == 400


def test_unit_filter_outside_scope_gives_an_empty_list(client, tree, three, commune_a_officer):
    client.force_login(commune_a_officer)

    assert ids(client, f"{REPORTS}?unit={tree.commune_b.pk}") == set()


def test_report_list_costs_the_same_whatever_its_length(
    client, tree, district_staff, leader, django_assert_max_num_queries
):
    def add(months: range) -> None:
        for month in months:
            start = date(2024, month, 1)
            make_report(tree, tree.commune_a, kind="month", period_start=start, period_end=month_end(start))

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = len(fetch_all(client, f"{REPORTS}?page_size=200"))
        return len(queries), rows

    # An issued report (its number) and its new version (the chain) are joined, never fetched per row.
    issued = compiled(tree, tree.commune_b)
    services.issue(user=leader, report=issued)
    services.new_version(user=district_staff, report=Report.objects.get(pk=issued.pk), change_note="Sửa")
    add(range(1, 4))
    client.force_login(district_staff)
    few, few_rows = cost()
    add(range(4, 13))

    # session, user, memberships, the page with units, issuer, number and versions joined
    with django_assert_max_num_queries(5):
        many, many_rows = cost()

    assert (few_rows, many_rows) == (5, 14)
    assert many == few


# --- The journey --------------------------------------------------------------------------------


def test_create_compile_submit_issue_and_correct(
    client, tree, district_staff, leader, fake_files, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)

    with django_capture_on_commit_callbacks(execute=True):
        created = post(client, REPORTS, {**Q4, "unit": tree.district.pk, "issuer": tree.party_committee.pk})

    assert created.status_code == 202, created.content
    body = created.json()
    assert (body["status"], body["build_state"], body["number"]) == ("draft", "queued", None)
    assert body["period_label"] == "quarter IV of 2024"
    assert body["unit"]["id"] == tree.district.pk and body["issuer"]["id"] == tree.party_committee.pk
    url = f"{REPORTS}{body['id']}/"

    # The task ran on commit: the figures are frozen and the files exist.
    shown = client.get(url).json()
    assert (shown["build_state"], shown["progress"], shown["build_error"]) == ("ready", 100, "")
    assert set(shown["figures"]["kpis"]) == set(kpis.BY_KEY)
    assert shown["figures"]["period"] == {
        "kind": "quarter",
        "start": "2024-10-01",
        "end": "2024-12-31",
        "label": "quarter IV of 2024",
    }
    assert shown["files"]["docx"] == f"{url}files/docx/"
    assert client.get(shown["files"]["docx"]).getvalue() == b"PK docx draft"
    assert set(shown["allowed_actions"]) == {"edit", "retry", "submit"}
    assert "issue" not in shown["allowed_actions"]  # district staff do not issue

    # The files carry the narrative: a change renders them again (the figures stay as computed).
    with django_capture_on_commit_callbacks(execute=True):
        edited = patch(client, url, {"strengths": "Nhân dân đồng thuận hiến đất.", "version": shown["version"]})
    assert edited.status_code == 200, edited.content
    assert (edited.json()["strengths"], edited.json()["build_state"]) == ("Nhân dân đồng thuận hiến đất.", "queued")
    assert client.get(url).json()["build_state"] == "ready"

    submitted = post(client, f"{url}submit/", {"version": edited.json()["version"]})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"

    client.force_login(leader)
    seen = client.get(url).json()
    assert "issue" in seen["allowed_actions"] and "edit" not in seen["allowed_actions"]
    with django_capture_on_commit_callbacks(execute=True):
        issued = post(client, f"{url}issue/", {"version": seen["version"]})

    assert issued.status_code == 200, issued.content
    assert (issued.json()["status"], issued.json()["number"]) == ("issued", "1-BC/HU")
    assert issued.json()["issued_on"] == "2025-01-15"
    after = client.get(url).json()
    assert after["build_state"] == "ready"
    # Rendered again with the number, from the same frozen figures.
    assert client.get(after["files"]["pdf"]).getvalue() == b"%PDF 1-BC/HU"
    assert after["figures"] == shown["figures"]
    assert after["allowed_actions"] == []

    client.force_login(district_staff)
    assert client.get(url).json()["allowed_actions"] == ["new_version"]
    with django_capture_on_commit_callbacks(execute=True):
        corrected = post(client, f"{url}new-version/", {"change_note": "Sửa số liệu kiến nghị tháng 12."})

    assert corrected.status_code == 202, corrected.content
    new = corrected.json()
    assert (new["version_no"], new["status"], new["replaces"]["id"], new["replaces"]["number"]) == (
        2,
        "draft",
        body["id"],
        "1-BC/HU",
    )
    assert new["change_note"] == "Sửa số liệu kiến nghị tháng 12."
    assert new["strengths"] == "Nhân dân đồng thuận hiến đất."
    old = client.get(url).json()
    assert old["replaced_by"] == {"id": new["id"], "version_no": 2, "status": "draft", "number": None}
    assert old["number"] == "1-BC/HU" and old["status"] == "issued"


def test_create_without_issuer_takes_the_units_party_committee(client, tree, commune_symbols, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, REPORTS, {**Q4, "unit": tree.commune_a.pk})

    assert response.status_code == 202, response.content
    assert response.json()["issuer"]["id"] == tree.commune_a.pk


def test_a_failed_compile_stores_the_error_and_retry_compiles_again(
    client, tree, district_staff, monkeypatch, fake_files, django_capture_on_commit_callbacks
):
    def broken(report):
        raise RuntimeError("font not found")

    monkeypatch.setattr("reports.render.render_all", broken)
    report = make_report(tree, tree.commune_a)
    tasks.compile_report(report.pk)
    client.force_login(district_staff)

    failed = client.get(f"{REPORTS}{report.pk}/").json()
    assert (failed["build_state"], failed["build_error"]) == ("failed", "RuntimeError: font not found")
    assert failed["files"] == {"xlsx": None, "docx": None, "pdf": None}
    assert "retry" in failed["allowed_actions"]

    monkeypatch.undo()
    monkeypatch.setattr("reports.render.render_all", lambda r: {"pdf_file": ("r.pdf", b"%PDF ok")})
    with django_capture_on_commit_callbacks(execute=True):
        retried = post(client, f"{REPORTS}{report.pk}/retry/")

    assert retried.status_code == 202
    assert retried.json()["build_state"] == "queued"
    again = client.get(f"{REPORTS}{report.pk}/").json()
    assert (again["build_state"], again["build_error"]) == ("ready", "")


def test_an_issued_report_whose_files_failed_is_rendered_again_with_its_number(
    client, tree, district_staff, leader, django_capture_on_commit_callbacks
):
    report = compiled(tree, tree.commune_a)
    services.issue(user=leader, report=report)
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.FAILED, build_error="OSError: disk full")
    frozen_figures = Report.objects.get(pk=report.pk).figures
    client.force_login(district_staff)
    url = f"{REPORTS}{report.pk}/"
    assert client.get(url).json()["allowed_actions"] == ["retry", "new_version"]

    with django_capture_on_commit_callbacks(execute=True):
        retried = post(client, f"{url}retry/")

    assert retried.status_code == 202
    after = client.get(url).json()
    assert (after["status"], after["build_state"], after["number"]) == ("issued", "ready", "1-BC/HU")
    assert client.get(after["files"]["pdf"]).getvalue() == b"%PDF 1-BC/HU"
    assert after["figures"] == frozen_figures


def test_retry_is_offered_while_running_only_after_the_worker_died(client, tree, district_staff):
    report = make_report(tree, tree.commune_a)
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.RUNNING, claimed_at=NOW)
    client.force_login(district_staff)
    url = f"{REPORTS}{report.pk}/"

    assert "retry" not in client.get(url).json()["allowed_actions"]
    assert post(client, f"{url}retry/").status_code == 400

    Report.objects.filter(pk=report.pk).update(claimed_at=datetime(2025, 1, 14, 9, 0, tzinfo=TZ))

    assert "retry" in client.get(url).json()["allowed_actions"]
    assert post(client, f"{url}retry/").status_code == 202


# --- Who does what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 202),
        ("commune_a_officer", 202),
        ("portal_admin", 202),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
        ("commune_b_officer", 400),  # commune A is outside its units
    ],
)
def test_who_may_create_a_report(request, client, tree, commune_symbols, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, REPORTS, {**Q4, "unit": tree.commune_a.pk})

    assert response.status_code == expected, response.content
    if expected == 202:
        assert Report.objects.filter(pk=response.json()["id"], unit=tree.commune_a).exists()
    else:
        assert counts() == before
    if expected == 400:
        assert response.json() == {"unit": ["Unknown unit, or a unit outside your units."]}


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
def test_only_leaders_issue(request, client, tree, persona, expected):
    report = compiled(tree, tree.commune_a)
    before = snapshot(report)
    client.force_login(request.getfixturevalue(persona))

    response = post(client, f"{REPORTS}{report.pk}/issue/")

    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["number"] == "1-BC/HU"
    else:
        assert snapshot(report) == before
        assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_read_only_and_foreign_roles_cannot_work_on_a_report(request, client, tree, leader, persona, expected):
    draft = compiled(tree, tree.commune_a)
    issued = compiled(tree, tree.commune_a, kind="year", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    services.issue(user=leader, report=issued)
    before = (snapshot(draft), snapshot(issued), counts())
    client.force_login(request.getfixturevalue(persona))
    url = f"{REPORTS}{draft.pk}/"

    answers = [
        patch(client, url, {"weaknesses": "Còn chậm.", "version": draft.version}).status_code,
        post(client, f"{url}submit/").status_code,
        post(client, f"{url}retry/").status_code,
        post(client, f"{REPORTS}{issued.pk}/new-version/", {"change_note": "Sửa"}).status_code,
    ]

    assert answers == [expected] * 4
    assert (snapshot(draft), snapshot(issued), counts()) == before


def test_a_commune_officer_submits_then_still_edits_and_recompiles_its_report(client, tree, commune_a_officer):
    report = compiled(tree, tree.commune_a)
    client.force_login(commune_a_officer)
    url = f"{REPORTS}{report.pk}/"

    submitted = post(client, f"{url}submit/", {"version": report.version})
    edited = patch(client, url, {"next_tasks": "Tiếp tục đối thoại.", "version": submitted.json()["version"]})
    retried = post(client, f"{url}retry/")

    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert edited.status_code == 200 and edited.json()["next_tasks"] == "Tiếp tục đối thoại."
    # A submitted report may be compiled again (to take in late records) without leaving "submitted".
    assert retried.status_code == 202
    assert (retried.json()["status"], retried.json()["build_state"]) == ("submitted", "queued")


def test_files_of_a_report_are_served_only_in_scope(client, tree, commune_a_officer, commune_b_officer, viewer):
    report = compiled(tree, tree.commune_a)

    client.force_login(viewer)
    response = client.get(f"{REPORTS}{report.pk}/files/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    assert client.get(f"{REPORTS}{report.pk}/files/exe/").status_code == 404

    client.force_login(commune_b_officer)
    assert client.get(f"{REPORTS}{report.pk}/files/xlsx/").status_code == 404


def test_a_file_not_rendered_yet_answers_404(client, tree, viewer):
    report = make_report(tree, tree.commune_a)
    client.force_login(viewer)

    assert client.get(f"{REPORTS}{report.pk}/").json()["files"] == {"xlsx": None, "docx": None, "pdf": None}
    assert client.get(f"{REPORTS}{report.pk}/files/pdf/").status_code == 404


# --- Refusals change nothing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"kind": "quarter", "period_start": "2024-10-01", "period_end": "2024-11-30"},
            "period_start",
            "A quarterly report runs from 1 January, 1 April, 1 July or 1 October to the end of that quarter.",
        ),
        (
            {"kind": "month", "period_start": "2024-10-02", "period_end": "2024-10-31"},
            "period_start",
            "A monthly report runs from the 1st to the last day of one month.",
        ),
        (
            {"kind": "year", "period_start": "2024-01-01", "period_end": "2024-06-30"},
            "period_start",
            "An annual report runs from 1 January to 31 December.",
        ),
        (
            {"kind": "custom", "period_start": "2024-10-01", "period_end": "2024-09-30"},
            "period_end",
            "The period ends before it starts.",
        ),
        (
            {"kind": "custom", "period_start": "2015-01-01", "period_end": "2024-12-31"},
            "period_end",
            "A custom range covers at most five years.",
        ),
        ({"kind": "weekly"}, "kind", '"weekly" is not a valid choice.'),
        ({"period_start": "15/10/2024"}, "period_start", None),
    ],
)
def test_bad_period_is_refused_with_a_message_at_the_field(client, tree, district_staff, payload, field, message):
    client.force_login(district_staff)
    before = counts()

    response = post(client, REPORTS, {**Q4, "unit": tree.commune_a.pk, **payload})

    assert response.status_code == 400, response.content
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert counts() == before


def test_unit_outside_scope_is_unknown_whether_it_exists_or_not(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    hidden = post(client, REPORTS, {**Q4, "unit": tree.commune_b.pk})
    missing = post(client, REPORTS, {**Q4, "unit": 999999})
    foreign_issuer = post(client, REPORTS, {**Q4, "unit": tree.commune_a.pk, "issuer": tree.party_committee.pk})

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"unit": ["Unknown unit, or a unit outside your units."]}
    assert foreign_issuer.status_code == 400
    assert foreign_issuer.json() == {"issuer": ["Unknown issuing body, or one outside your units."]}
    assert counts() == before


def test_a_second_report_for_the_same_kind_period_and_unit_is_refused(client, tree, district_staff):
    make_report(tree, tree.commune_a)
    client.force_login(district_staff)
    before = counts()

    response = post(client, REPORTS, {**Q4, "unit": tree.commune_a.pk})

    assert response.status_code == 400
    assert response.json() == {
        "period_start": ["A report of this kind for this period and unit already exists; open it instead."]
    }
    assert counts() == before


def test_a_unit_without_an_issuing_body_is_refused(client, tree, district_staff):
    client.force_login(district_staff)
    before = counts()

    response = post(client, REPORTS, {**Q4, "unit": tree.village_a.pk})
    foreign = post(client, REPORTS, {**Q4, "unit": tree.commune_a.pk, "issuer": tree.party_committee.pk})

    assert response.status_code == 400
    assert response.json() == {"issuer": ["Bản Tổng Kim has no body with a document symbol to issue reports."]}
    assert foreign.status_code == 400
    assert foreign.json() == {"issuer": ["The issuing body must belong to the unit."]}
    assert counts() == before


def test_issuing_a_report_that_has_not_compiled_is_refused(client, tree, leader):
    report = make_report(tree, tree.commune_a)  # queued: the task has not run
    before = snapshot(report)
    client.force_login(leader)

    response = post(client, f"{REPORTS}{report.pk}/issue/")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The report has not compiled; it can be issued once its files are ready."]
    }
    assert snapshot(report) == before
    assert Document.objects.count() == 0


def test_submitting_a_report_that_has_not_compiled_is_refused(client, tree, district_staff):
    report = make_report(tree, tree.commune_a)
    before = snapshot(report)
    client.force_login(district_staff)

    response = post(client, f"{REPORTS}{report.pk}/submit/")

    assert response.status_code == 400
    assert "has not compiled yet" in response.json()["non_field_errors"][0]
    assert snapshot(report) == before


def test_an_issued_report_cannot_be_edited_issued_again_or_retried(client, tree, district_staff, leader):
    report = compiled(tree, tree.commune_a)
    services.issue(user=leader, report=report)
    before = snapshot(report)
    client.force_login(district_staff)
    url = f"{REPORTS}{report.pk}/"

    edited = patch(client, url, {"strengths": "Sửa sau khi ban hành", "version": report.version})
    retried = post(client, f"{url}retry/")
    client.force_login(leader)
    reissued = post(client, f"{url}issue/")

    assert edited.status_code == 400
    assert edited.json() == {
        "non_field_errors": ["An issued report cannot change; create a new version to correct it."]
    }
    assert retried.status_code == 400
    assert reissued.status_code == 400
    assert reissued.json() == {"non_field_errors": ["This report has already been issued."]}
    assert snapshot(report) == before
    assert Document.objects.count() == 1


def test_narrative_changes_need_the_current_version(client, tree, district_staff):
    report = compiled(tree, tree.commune_a)
    before = snapshot(report)
    client.force_login(district_staff)
    url = f"{REPORTS}{report.pk}/"

    missing = patch(client, url, {"strengths": "A"})
    stale = patch(client, url, {"strengths": "A", "version": report.version - 1 or 99})
    unknown_signer = patch(client, url, {"signer": 999999, "version": report.version})

    assert missing.status_code == 400 and missing.json() == {"version": ["Send the version you read."]}
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.json()["detail"]
    assert unknown_signer.status_code == 400 and unknown_signer.json() == {"signer": ["Unknown person."]}
    assert snapshot(report) == before


def test_a_new_version_needs_a_change_note_and_an_issued_report(client, tree, district_staff, leader):
    draft = compiled(tree, tree.commune_a)
    client.force_login(district_staff)
    before = counts()

    of_draft = post(client, f"{REPORTS}{draft.pk}/new-version/", {"change_note": "Sửa"})
    services.issue(user=leader, report=draft)
    blank = post(client, f"{REPORTS}{draft.pk}/new-version/", {"change_note": "  "})
    absent = post(client, f"{REPORTS}{draft.pk}/new-version/", {})

    assert of_draft.status_code == 400
    assert "Only an issued report is corrected by a new version" in of_draft.json()["non_field_errors"][0]
    assert blank.status_code == 400 and blank.json() == {"change_note": ["Say what the new version changes."]}
    assert absent.status_code == 400 and absent.json() == {"change_note": ["Say what the new version changes."]}
    assert Report.objects.count() == before["reports"]


# --- The race guard -----------------------------------------------------------------------------


def test_two_claims_on_one_report_give_it_to_exactly_one_worker(tree):
    report = make_report(tree, tree.commune_a)

    results = [services.claim(report.pk), services.claim(report.pk)]

    assert sorted(results) == [False, True]
    report.refresh_from_db()
    assert report.build_state == BuildState.RUNNING


def test_the_task_delivered_twice_compiles_once(tree, monkeypatch, fake_files):
    report = make_report(tree, tree.commune_a)
    calls: list[int] = []
    real_build = sections.build

    def spy(units, period, progress=None):
        calls.append(report.pk)
        return real_build(units, period, progress=progress)

    monkeypatch.setattr(sections, "build", spy)

    first, second = tasks.compile_report(report.pk), tasks.compile_report(report.pk)

    assert (first, second) == ("ready", "skipped")
    assert calls == [report.pk]
    assert fake_files == [report.pk]
    report.refresh_from_db()
    assert report.build_state == BuildState.READY


def test_a_submitted_or_issued_report_is_never_claimed(tree, leader):
    report = compiled(tree, tree.commune_a)
    services.issue(user=leader, report=report)
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.QUEUED)

    assert services.claim(report.pk) is False


# --- Period locks -------------------------------------------------------------------------------


def lock_payload(tree, **overrides) -> dict:
    return {
        "unit": tree.commune_a.pk,
        "start": "2024-10-01",
        "end": "2024-12-31",
        "reason": "Báo cáo quý IV/2024 đã ban hành.",
        **overrides,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_only_district_staff_lock_periods(request, client, tree, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, LOCKS, lock_payload(tree))

    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        assert (body["unit"]["id"], body["start"], body["end"], body["is_active"]) == (
            tree.commune_a.pk,
            "2024-10-01",
            "2024-12-31",
            True,
        )
        assert body["reason"] == "Báo cáo quý IV/2024 đã ban hành."
    else:
        assert counts() == before


def test_bad_locks_are_refused_with_a_message_at_the_field(client, tree, district_staff, commune_b_officer):
    client.force_login(district_staff)
    assert post(client, LOCKS, lock_payload(tree)).status_code == 201
    draft_report = make_report(tree, tree.commune_a)
    before = counts()

    backwards = post(client, LOCKS, lock_payload(tree, start="2025-01-01", end="2024-12-31"))
    no_reason = post(client, LOCKS, lock_payload(tree, start="2024-01-01", end="2024-03-31", reason=" "))
    overlapping = post(client, LOCKS, lock_payload(tree, start="2024-12-01", end="2025-01-31"))
    with_draft = post(client, LOCKS, lock_payload(tree, start="2024-07-01", end="2024-09-30", report=draft_report.pk))

    assert backwards.status_code == 400 and backwards.json() == {"end": ["The period ends before it starts."]}
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert overlapping.status_code == 400
    assert overlapping.json() == {"start": ["Part of this period is already locked for this unit."]}
    assert with_draft.status_code == 400 and with_draft.json() == {
        "report": ["Lock a period after its report is issued."]
    }
    assert counts() == before

    client.force_login(commune_b_officer)
    hidden = post(client, LOCKS, lock_payload(tree, start="2023-01-01", end="2023-03-31"))
    assert hidden.status_code == 403  # commune officers never lock, whatever the unit


def test_unlocking_needs_district_staff_and_a_reason(client, tree, district_staff, commune_a_officer, leader):
    client.force_login(district_staff)
    lock_id = post(client, LOCKS, lock_payload(tree)).json()["id"]
    url = f"{LOCKS}{lock_id}/unlock/"

    client.force_login(commune_a_officer)
    assert post(client, url, {"reason": "Sửa số liệu"}).status_code == 403
    client.force_login(leader)
    assert post(client, url, {"reason": "Sửa số liệu"}).status_code == 403
    client.force_login(district_staff)
    blank = post(client, url, {"reason": ""})
    assert blank.status_code == 400
    assert blank.json() == {"reason": ["Say why the period is unlocked; the reason is logged."]}
    assert PeriodLock.objects.active().count() == 1

    unlocked = post(client, url, {"reason": "Bổ sung kiến nghị tiếp nhận muộn."})

    assert unlocked.status_code == 200
    body = unlocked.json()
    assert (body["is_active"], body["unlock_reason"]) == (False, "Bổ sung kiến nghị tiếp nhận muộn.")
    assert body["unlocked_by"] and body["unlocked_at"]
    assert post(client, url, {"reason": "Lần nữa"}).status_code == 400
    assert ids(client, f"{LOCKS}?active=false") == {lock_id}
    assert ids(client, f"{LOCKS}?active=true") == set()


def test_locks_are_listed_in_scope(client, tree, district_staff, commune_a_officer, commune_b_officer, viewer):
    client.force_login(district_staff)
    lock_a = post(client, LOCKS, lock_payload(tree)).json()["id"]
    lock_b = post(client, LOCKS, lock_payload(tree, unit=tree.commune_b.pk)).json()["id"]

    assert ids(client, LOCKS) == {lock_a, lock_b}
    assert ids(client, f"{LOCKS}?on=2024-11-15&unit={tree.commune_b.pk}") == {lock_b}
    assert ids(client, f"{LOCKS}?on=2025-01-15") == set()
    client.force_login(commune_a_officer)
    assert ids(client, LOCKS) == {lock_a}
    assert client.get(f"{LOCKS}{lock_b}/").status_code == 404
    client.force_login(viewer)
    assert ids(client, LOCKS) == {lock_a}


def test_a_locked_period_refuses_records_through_the_api(client, tree, district_staff):
    """The lock is enforced under every path; through the API it is a 400 naming the lock."""
    client.force_login(district_staff)
    assert post(client, LOCKS, lock_payload(tree)).status_code == 201
    from dialogues.models import Dialogue
    from programs.models import Program

    before = (Program.objects.count(), Dialogue.objects.count())
    program = post(
        client,
        "/api/v1/programs/",
        {
            "unit": tree.commune_a.pk,
            "village": tree.village_a.pk,
            "organizer_level": "commune",
            "organizer": tree.commune_a.pk,
            "title": "Ra quân làm đường",
            "date": "2024-11-12",
            "fields": ["infrastructure"],
            "status": "held",
        },
    )
    dialogue = post(
        client,
        "/api/v1/dialogues/",
        {
            "unit": tree.commune_a.pk,
            "level": "commune",
            "host_body": "commune_peoples_committee",
            "topic": "Đối thoại với Nhân dân bản Tổng Kim",
            "date": "2024-11-20",
            "commune": tree.commune_a.pk,
            "village": tree.village_a.pk,
            "participant_count": 40,
        },
    )

    award = post(
        client,
        "/api/v1/awards/",
        {
            "recipient_unit": tree.village_a.pk,
            "form": "commendation",
            "issuer": tree.party_committee.pk,
            "date": "2024-12-20",
            "reason": "Tích cực hiến đất làm đường.",
        },
    )

    for response in (program, dialogue, award):
        assert response.status_code == 400, response.content
        (message,) = response.json()["non_field_errors"]
        assert message.startswith("The period 01/10/2024 – 31/12/2024 is locked for Xã Vĩnh Yên")
        assert "Báo cáo quý IV/2024 đã ban hành." in message
    assert (Program.objects.count(), Dialogue.objects.count()) == before


def test_a_record_already_in_a_locked_period_cannot_be_changed_through_the_api(client, tree, district_staff):
    from programs.tests.factories import ProgramFactory

    program = ProgramFactory(unit=tree.commune_a, date=date(2024, 11, 12), title="Ra quân làm đường")
    client.force_login(district_staff)
    assert post(client, LOCKS, lock_payload(tree)).status_code == 201

    response = patch(client, f"/api/v1/programs/{program.pk}/", {"title": "Đổi tên", "version": program.version})
    moved_out = patch(client, f"/api/v1/programs/{program.pk}/", {"date": "2025-01-10", "version": program.version})

    assert response.status_code == 400, response.content
    assert "Báo cáo quý IV/2024 đã ban hành." in str(response.json())
    assert moved_out.status_code == 400, moved_out.content
    program.refresh_from_db()
    assert (program.title, program.date) == ("Ra quân làm đường", date(2024, 11, 12))
