"""Site clearance pages: run by the district staff only (commune officers, leaders and viewers get
a 403 on every write); the detail page derives the running total and percent of plan from the
payments; a payment above the budget needs a reason; the status moves one step at a time."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import ClearanceStatus, Disbursement, SiteClearanceProject
from programs.tests.test_road_pages import recorder
from programs.views_land import percent_of, progress_step

SA_PA_BUDGET = 250_000_000_000


def make_project(unit, name="GPMB Cảng hàng không Sa Pa", **values) -> SiteClearanceProject:
    values.setdefault("started_on", date(2021, 3, 1))
    values.setdefault("budget_vnd", SA_PA_BUDGET)
    values.setdefault("affected_households", 290)
    values.setdefault("area_ha", Decimal("263.26"))
    return SiteClearanceProject.objects.create(unit=unit, name=name, created_by=recorder(), **values)


def pay(project, amount, day=date(2022, 1, 10), **values) -> Disbursement:
    return Disbursement.objects.create(project=project, paid_on=day, amount_vnd=amount, **values)


@pytest.fixture
def airport(tree):
    project = make_project(tree.district, is_key_project=True, resettlement_site="Khu TĐC Xuân Hòa")
    project.communes.set([tree.commune_a, tree.commune_b])
    return project


@pytest.fixture
def commune_project(tree):
    """A small clearance run by commune A (district staff record it; the commune officer sees it)."""
    return make_project(tree.commune_a, "GPMB mở rộng trường Tổng Kim", budget_vnd=1_000_000_000)


def listed(client, **params) -> list[int]:
    response = client.get(reverse("programs:clearance_list"), params)
    assert response.status_code == 200
    return [row["project"].pk for row in response.context["rows"]]


def project_post(tree, **overrides) -> dict:
    data = {
        "unit": tree.district.pk,
        "name": "GPMB Cảng hàng không Sa Pa",
        "is_key_project": "on",
        "communes": [tree.commune_a.pk, tree.commune_b.pk],
        "started_on": "01/03/2021",
        "affected_households": "290",
        "area_ha": "263,26",
        "budget_vnd": "250.000.000.000",
        "resettlement_site": "Khu tái định cư Xuân Hòa",
        "task_force": tree.peoples_committee.pk,
    }
    data.update(overrides)
    return data


def payment_post(**overrides) -> dict:
    data = {"paid_on": "10/01/2022", "amount_vnd": "100.000.000.000", "households_paid": "120", "note": "Đợt 1"}
    data.update(overrides)
    return data


# --- Who sees and does what ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"airport", "commune"}),
        ("leader", {"airport", "commune"}),
        ("viewer", {"commune"}),
        ("commune_a_officer", {"commune"}),
        ("commune_b_officer", set()),
        ("agency_officer", set()),
    ],
)
def test_clearance_list_shows_only_projects_in_scope(client, airport, commune_project, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    projects = {"airport": airport.pk, "commune": commune_project.pk}
    assert set(listed(client)) == {projects[key] for key in expected}


@pytest.mark.parametrize(
    ("persona", "detail", "edit"),
    [
        ("district_staff", 200, 200),
        ("leader", 200, 403),
        ("viewer", 404, 404),
        ("commune_a_officer", 404, 404),
        ("commune_b_officer", 404, 404),
        ("agency_officer", 404, 404),
    ],
)
def test_district_project_pages_answer_by_scope_and_role(client, airport, request, persona, detail, edit):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:clearance_detail", args=[airport.pk])).status_code == detail
    assert client.get(reverse("programs:clearance_update", args=[airport.pk])).status_code == edit


@pytest.mark.parametrize(
    ("persona", "detail", "edit"),
    [
        ("district_staff", 200, 200),
        ("commune_a_officer", 200, 403),
        ("viewer", 200, 403),
        ("commune_b_officer", 404, 404),
    ],
)
def test_commune_officer_sees_but_cannot_edit_a_clearance_in_the_commune(
    client, commune_project, request, persona, detail, edit
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:clearance_detail", args=[commune_project.pk])).status_code == detail
    assert client.get(reverse("programs:clearance_update", args=[commune_project.pk])).status_code == edit


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 403),
        ("commune_b_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_only_district_staff_record_clearance_projects(client, tree, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:clearance_create")).status_code == status
    response = client.post(reverse("programs:clearance_create"), project_post(tree))
    assert response.status_code == (302 if status == 200 else 403)
    assert SiteClearanceProject.objects.exists() == (status == 200)


def test_commune_officer_cannot_pay_or_move_a_commune_project(client, commune_project, commune_a_officer):
    client.force_login(commune_a_officer)
    url = reverse("programs:disbursement_add", args=[commune_project.pk])
    assert client.post(url, payment_post(amount_vnd="1.000")).status_code == 403
    url = reverse("programs:clearance_status", args=[commune_project.pk])
    assert client.post(url, {"status": ClearanceStatus.PLAN, "version": 1}).status_code == 403
    commune_project.refresh_from_db()
    assert commune_project.status == ClearanceStatus.INVENTORY and not commune_project.disbursements.exists()


def test_leader_cannot_record_payments_or_statuses(client, airport, leader):
    client.force_login(leader)
    assert client.post(reverse("programs:disbursement_add", args=[airport.pk]), payment_post()).status_code == 403
    url = reverse("programs:clearance_status", args=[airport.pk])
    assert client.post(url, {"status": ClearanceStatus.PLAN, "version": 1}).status_code == 403
    assert not airport.disbursements.exists()


def test_detail_page_offers_forms_only_to_district_staff(client, airport, district_staff, leader):
    client.force_login(leader)
    context = client.get(reverse("programs:clearance_detail", args=[airport.pk])).context
    assert context["disbursement_form"] is None and context["status_form"] is None
    client.force_login(district_staff)
    context = client.get(reverse("programs:clearance_detail", args=[airport.pk])).context
    assert context["disbursement_form"] is not None
    assert context["status_form"].initial["status"] == ClearanceStatus.PLAN


def test_anonymous_is_sent_to_login_from_clearance_pages(client, airport):
    for url in (
        reverse("programs:clearance_list"),
        reverse("programs:clearance_create"),
        reverse("programs:clearance_detail", args=[airport.pk]),
        reverse("programs:clearance_update", args=[airport.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("programs:disbursement_add", args=[airport.pk]), payment_post())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_state_changes_answer_only_post(client, airport, district_staff):
    client.force_login(district_staff)
    assert client.get(reverse("programs:disbursement_add", args=[airport.pk])).status_code == 405
    assert client.get(reverse("programs:clearance_status", args=[airport.pk])).status_code == 405


# --- Recording and editing a project ---------------------------------------------------------


def test_district_staff_record_the_sa_pa_airport_clearance(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("programs:clearance_create"), project_post(tree))
    project = SiteClearanceProject.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programs:clearance_detail", args=[project.pk])
    assert (project.affected_households, project.area_ha, project.budget_vnd) == (
        290,
        Decimal("263.26"),
        SA_PA_BUDGET,
    )
    assert project.is_key_project and project.task_force == tree.peoples_committee
    assert set(project.communes.all()) == {tree.commune_a, tree.commune_b}
    assert project.status == ClearanceStatus.INVENTORY and project.created_by == district_staff


def test_commune_choices_are_checkboxes_of_communes_under_the_unit(client, tree, airport, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("programs:clearance_create"))
    assert set(response.context["form"].fields["communes"].queryset) == {tree.commune_a, tree.commune_b}
    checkboxes = re.findall(r'<input type="checkbox"[^>]*name="communes"', response.content.decode())
    assert len(checkboxes) == 2


def test_communes_outside_the_responsible_unit_are_refused(client, tree, district_staff):
    client.force_login(district_staff)
    data = project_post(tree, unit=tree.commune_a.pk, communes=[tree.commune_b.pk])
    response = client.post(reverse("programs:clearance_create"), data)
    assert response.status_code == 200
    assert tree.commune_b.name in " ".join(response.context["form"].errors["communes"])
    assert not SiteClearanceProject.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_vnd": "1.2.3,4"}, "budget_vnd"),
        ({"budget_vnd": "-5"}, "budget_vnd"),
        ({"area_ha": "-1"}, "area_ha"),
        ({"affected_households": "2,5"}, "affected_households"),
        ({"unit": "__agency__"}, "unit"),
    ],
)
def test_bad_project_input_saves_nothing(client, tree, district_staff, overrides, field):
    if overrides.get("unit"):
        overrides = {"unit": tree.agency.pk}  # not a place: not offered
    client.force_login(district_staff)
    response = client.post(reverse("programs:clearance_create"), project_post(tree, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not SiteClearanceProject.objects.exists()


def test_editing_a_project_keeps_its_unit_and_checks_the_version(client, tree, airport, district_staff):
    client.force_login(district_staff)
    data = project_post(tree, name="GPMB Cảng HK Sa Pa (giai đoạn 1)", communes=[tree.commune_a.pk], version="1")
    del data["unit"]
    response = client.post(reverse("programs:clearance_update", args=[airport.pk]), data)
    assert response.status_code == 302
    airport.refresh_from_db()
    assert airport.name == "GPMB Cảng HK Sa Pa (giai đoạn 1)" and airport.version == 2
    assert list(airport.communes.all()) == [tree.commune_a]
    # The same (now stale) version again: refused, nothing overwritten.
    data["name"] = "Tên cũ"
    response = client.post(reverse("programs:clearance_update", args=[airport.pk]), data)
    assert response.status_code == 200 and response.context["stale"]
    airport.refresh_from_db()
    assert airport.name == "GPMB Cảng HK Sa Pa (giai đoạn 1)"


# --- Payments and progress ----------------------------------------------------------------


def test_detail_derives_running_total_and_percent_of_plan(client, airport, leader):
    pay(airport, 100_000_000_000, date(2021, 6, 1))
    pay(airport, 50_000_000_000, date(2021, 9, 1))
    pay(airport, 100_000_000_000, date(2022, 3, 1))
    client.force_login(leader)
    response = client.get(reverse("programs:clearance_detail", args=[airport.pk]))
    series = response.context["series"]
    assert [row["running_vnd"] for row in series] == [100_000_000_000, 150_000_000_000, 250_000_000_000]
    assert [row["percent"] for row in series] == [Decimal("40.0"), Decimal("60.0"), Decimal("100.0")]
    assert response.context["percent"] == Decimal("100.0") and response.context["progress"] == 100
    html = response.content.decode()
    assert 'data-running="150000000000">150.000.000.000<' in html
    assert '<progress class="clearance-progress w-100 mt-2" max="100" value="100"' in html
    assert "style=" not in html


def test_percent_and_progress_step_are_derived_and_rounded():
    assert percent_of(1, 3) == Decimal("33.3")
    assert percent_of(5, 0) is None
    assert progress_step(Decimal("33.3")) == 35
    assert progress_step(Decimal("32.4")) == 30
    assert progress_step(Decimal("104.0")) == 100
    assert progress_step(None) == 0


def test_district_staff_record_a_payment(client, airport, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("programs:disbursement_add", args=[airport.pk]), payment_post())
    assert response.status_code == 302
    payment = airport.disbursements.get()
    assert (payment.amount_vnd, payment.households_paid, payment.note) == (100_000_000_000, 120, "Đợt 1")
    assert payment.created_by == district_staff


def test_a_payment_above_the_budget_needs_a_reason(client, airport, district_staff):
    pay(airport, 200_000_000_000)
    client.force_login(district_staff)
    url = reverse("programs:disbursement_add", args=[airport.pk])
    response = client.post(url, payment_post(amount_vnd="60.000.000.000"))
    assert response.status_code == 200
    errors = " ".join(response.context["disbursement_form"].errors["over_budget_reason"])
    assert "260.000.000.000" in errors and "250.000.000.000" in errors
    assert airport.disbursements.count() == 1

    reason = "Phương án bồi thường bổ sung đã được phê duyệt"
    response = client.post(url, payment_post(amount_vnd="60.000.000.000", over_budget_reason=reason))
    assert response.status_code == 302
    assert airport.disbursements.count() == 2
    page = client.get(reverse("programs:clearance_detail", args=[airport.pk]))
    assert page.context["percent"] == Decimal("104.0") and page.context["over_budget"]
    assert reason in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_vnd": "1.2.3,4"}, "amount_vnd"),
        ({"amount_vnd": "0"}, "amount_vnd"),
        ({"paid_on": "01/01/2020"}, "paid_on"),  # before the project started
        ({"paid_on": "30/02/2022"}, "paid_on"),
    ],
)
def test_bad_payments_are_explained_and_save_nothing(client, airport, district_staff, overrides, field):
    client.force_login(district_staff)
    response = client.post(reverse("programs:disbursement_add", args=[airport.pk]), payment_post(**overrides))
    assert response.status_code == 200
    assert response.context["disbursement_form"].errors[field]
    assert not airport.disbursements.exists()


# --- Status -----------------------------------------------------------------------------------


def test_status_moves_one_step_forward(client, airport, district_staff):
    client.force_login(district_staff)
    url = reverse("programs:clearance_status", args=[airport.pk])
    response = client.post(url, {"status": ClearanceStatus.PLAN, "version": 1})
    assert response.status_code == 302
    airport.refresh_from_db()
    assert (airport.status, airport.version) == (ClearanceStatus.PLAN, 2)


@pytest.mark.parametrize(
    ("status", "version"),
    [(ClearanceStatus.DONE, 1), (ClearanceStatus.INVENTORY, 1), ("closed", 1), (ClearanceStatus.PLAN, 7)],
)
def test_skipping_going_back_or_stale_status_changes_change_nothing(client, airport, district_staff, status, version):
    client.force_login(district_staff)
    response = client.post(
        reverse("programs:clearance_status", args=[airport.pk]), {"status": status, "version": version}
    )
    assert response.status_code == 302
    airport.refresh_from_db()
    assert (airport.status, airport.version) == (ClearanceStatus.INVENTORY, 1)


def test_a_done_project_offers_no_further_step(client, airport, district_staff):
    SiteClearanceProject.objects.filter(pk=airport.pk).update(status=ClearanceStatus.DONE)
    client.force_login(district_staff)
    assert client.get(reverse("programs:clearance_detail", args=[airport.pk])).context["status_form"] is None
    response = client.post(
        reverse("programs:clearance_status", args=[airport.pk]), {"status": ClearanceStatus.DONE, "version": 1}
    )
    assert response.status_code == 302
    airport.refresh_from_db()
    assert airport.version == 1


# --- The list ---------------------------------------------------------------------------------


def test_list_shows_percent_of_plan_and_filters(client, tree, airport, commune_project, district_staff):
    pay(airport, 125_000_000_000)
    client.force_login(district_staff)
    rows = {row["project"].pk: row for row in client.get(reverse("programs:clearance_list")).context["rows"]}
    assert (rows[airport.pk]["percent"], rows[airport.pk]["progress"]) == (Decimal("50.0"), 50)
    assert rows[commune_project.pk]["percent"] == Decimal("0.0")
    assert listed(client, key="yes") == [airport.pk]
    assert listed(client, q="cang hang khong") == [airport.pk]
    assert listed(client, q="TRUONG tong kim") == [commune_project.pk]
    assert listed(client, status=ClearanceStatus.DONE) == []


def test_clearance_list_query_count_is_the_same_for_3_and_30_projects(
    client, tree, district_staff, django_assert_max_num_queries
):
    def build(count):
        for number in range(count):
            project = make_project(tree.district, f"Dự án {SiteClearanceProject.objects.count()}")
            project.communes.set([tree.commune_a])
            pay(project, 1_000_000 + number)

    client.force_login(district_staff)
    url = reverse("programs:clearance_list")
    counts = []
    for count in (3, 27):
        build(count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(7):
        client.get(url)
