"""Program pages: the scoped list (filters, search, sort, totals, export, query count), recording a
program with its work items, contributions and participation in one go, bad input that saves
nothing, editing with the version check, the detail page and the status buttons."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from organization.numbers import VietnameseDecimalField
from organization.services import document_issue
from programs import services
from programs.models import (
    Contribution,
    Participation,
    Program,
    ProgramStatus,
    RoadProject,
    WorkItem,
)
from programs.services import ProgramInput

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PERSONAS = ["district_staff", "commune_a_officer", "commune_b_officer", "agency_officer", "leader", "viewer"]
WORK_BLANK = {"category": "", "description": "", "quantity": "", "unit_of_measure": "", "location": ""}
CONTRIBUTION_BLANK = {
    "contributor_type": "",
    "kind": "",
    "quantity": "",
    "unit_of_measure": "",
    "value_vnd": "",
    "qualifier": "exact",
    "note": "",
}
PARTICIPATION_BLANK = {"category": "", "person_times": "", "qualifier": "exact"}


# --- Arrangements ------------------------------------------------------------------------------


def make_program(
    user,
    unit,
    *,
    title="Ra quân làm đường bê tông khu dân cư Nặm Mèng",
    day=date(2024, 3, 15),
    status="held",
    fields=("infrastructure",),
    work_items=(),
    contributions=(),
    participation=(),
    **values,
) -> Program:
    """A program recorded through the service, as the page does."""
    program_values = {
        "unit": unit,
        "organizer_level": "commune",
        "organizer": unit,
        "title": title,
        "date": day,
        "fields": list(fields),
        "status": status,
        **values,
    }
    return services.program_create(
        user=user,
        data=ProgramInput(
            values=program_values,
            work_items=list(work_items),
            contributions=list(contributions),
            participation=list(participation),
        ),
    )


def cash(value: int, qualifier: str = "exact", **values) -> dict:
    return {
        "contributor_type": "officials",
        "kind": "cash",
        "quantity": Decimal(0),
        "value_vnd": value,
        "qualifier": qualifier,
        **values,
    }


def people(person_times: int, category: str = "residents", qualifier: str = "exact") -> dict:
    return {"category": category, "person_times": person_times, "qualifier": qualifier}


def rows_post(prefix: str, blank: dict, rows: list[dict], total: int = 3, initial: int = 0) -> dict:
    """POST data of an inline formset: ``rows`` filled in, the rest of ``total`` left blank."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(total, len(rows))),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
    }
    for index in range(max(total, len(rows))):
        values = {**blank, **(rows[index] if index < len(rows) else {})}
        data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
    return data


def create_data(tree, *, work_items=(), contributions=(), participation=(), **overrides) -> dict:
    """The create page's POST: the program's fields and three blank rows per table unless filled."""
    data = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "organizer_level": "commune",
        "organizer": tree.commune_a.pk,
        "title": "Ra quân làm đường bê tông khu dân cư Nặm Mèng",
        "date": "15/03/2024",
        "fields": ["infrastructure", "environment"],
        "basis_document": "",
        "survey_notes": "Khảo sát tuyến đường nội bản",
        "status": "held",
        "summary": "Hoàn thành trên 750 m đường bê tông",
    }
    data.update(rows_post("work_items", WORK_BLANK, list(work_items)))
    data.update(rows_post("contributions", CONTRIBUTION_BLANK, list(contributions)))
    data.update(rows_post("participation", PARTICIPATION_BLANK, list(participation)))
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int, int]:
    return (
        Program.objects.count(),
        WorkItem.objects.count(),
        Contribution.objects.count(),
        Participation.objects.count(),
    )


@pytest.fixture
def program_a(tree, commune_a_officer):
    return make_program(
        commune_a_officer,
        tree.commune_a,
        village=tree.village_a,
        work_items=[{"category": "infrastructure", "description": "Đường bê tông", "quantity": Decimal(750)}],
        contributions=[cash(5_000_000)],
        participation=[people(120)],
    )


@pytest.fixture
def program_b(tree, commune_b_officer):
    return make_program(
        commune_b_officer,
        tree.commune_b,
        title="Ra quân vệ sinh môi trường thôn Nà Pồng",
        day=date(2023, 5, 20),
        fields=("environment",),
        contributions=[cash(2_000_000)],
        participation=[people(80)],
    )


def listed(client, **params) -> list[str]:
    response = client.get(reverse("programs:program_list"), params)
    assert response.status_code == 200
    return [program.title for program in response.context["programs"]]


# --- Role matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "district_staff",
            ["Ra quân làm đường bê tông khu dân cư Nặm Mèng", "Ra quân vệ sinh môi trường thôn Nà Pồng"],
        ),
        ("leader", ["Ra quân làm đường bê tông khu dân cư Nặm Mèng", "Ra quân vệ sinh môi trường thôn Nà Pồng"]),
        ("commune_a_officer", ["Ra quân làm đường bê tông khu dân cư Nặm Mèng"]),
        ("viewer", ["Ra quân làm đường bê tông khu dân cư Nặm Mèng"]),
        ("commune_b_officer", ["Ra quân vệ sinh môi trường thôn Nà Pồng"]),
        ("agency_officer", []),
    ],
)
def test_list_shows_only_programs_in_scope(client, request, program_a, program_b, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("viewer", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_program_detail_by_role(client, request, program_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:program_detail", args=[program_a.pk])).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_create_page_is_for_users_who_can_record_in_a_commune(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:program_create")).status_code == expected
    if expected == 403:
        assert client.post(reverse("programs:program_create"), create_data(tree)).status_code == 403
        assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_edit_page_by_role(client, request, program_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:program_update", args=[program_a.pk])).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("commune_b_officer", 404),
        ("agency_officer", 404),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_status_change_is_refused_to_users_who_cannot_edit_the_program(client, request, tree, persona, expected):
    officer = request.getfixturevalue("commune_a_officer")
    program = make_program(officer, tree.commune_a, status="planned")
    client.force_login(request.getfixturevalue(persona))
    url = reverse("programs:program_status", args=[program.pk])
    assert client.post(url, {"status": "held", "version": program.version}).status_code == expected
    program.refresh_from_db()
    assert (program.status, program.version) == ("planned", 1)


def test_anonymous_is_sent_to_login_from_every_program_page(client, tree, program_a):
    urls = [
        reverse("programs:program_list"),
        reverse("programs:program_create"),
        reverse("programs:program_detail", args=[program_a.pk]),
        reverse("programs:program_update", args=[program_a.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url in [reverse("programs:program_create"), reverse("programs:program_status", args=[program_a.pk])]:
        response = client.post(url, create_data(tree))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert Program.objects.count() == 1


def test_status_change_answers_405_to_get(client, program_a, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.get(reverse("programs:program_status", args=[program_a.pk])).status_code == 405


# --- Recording a program -------------------------------------------------------------------------


def test_commune_officer_records_a_program_with_work_items_contributions_and_participation(
    client, tree, commune_a_officer
):
    client.force_login(commune_a_officer)
    work_items = [
        {
            "category": "infrastructure",
            "description": "Làm đường bê tông",
            "quantity": "750",
            "unit_of_measure": "m",
            "done": "on",
        },
        {"category": "greenery", "description": "Trồng cây quế", "quantity": "1.000", "unit_of_measure": "cây"},
        {"category": "waste", "description": "Thu gom rác", "quantity": "283,75", "unit_of_measure": "kg"},
    ]
    contributions = [
        {"contributor_type": "businesses", "kind": "cash", "value_vnd": "1.234.567"},
        {"contributor_type": "residents", "kind": "in_kind", "value_vnd": "1234567", "note": "Xi măng"},
        {
            "contributor_type": "households",
            "kind": "land",
            "quantity": "1.200",
            "unit_of_measure": "m²",
            "qualifier": "over",
        },
        {"contributor_type": "residents", "kind": "labour_days", "quantity": "300", "unit_of_measure": "ngày công"},
    ]
    participation = [
        {"category": "residents", "person_times": "1.250"},
        {"category": "officials", "person_times": "45"},
    ]
    response = client.post(
        reverse("programs:program_create"),
        create_data(tree, work_items=work_items, contributions=contributions, participation=participation),
    )

    program = Program.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programs:program_detail", args=[program.pk])
    assert (program.unit, program.village, program.organizer) == (tree.commune_a, tree.village_a, tree.commune_a)
    assert program.date == date(2024, 3, 15) and program.status == ProgramStatus.HELD
    assert program.fields == ["infrastructure", "environment"]
    assert program.created_by == commune_a_officer
    assert [(w.description, w.quantity, w.done) for w in program.work_items.order_by("id")] == [
        ("Làm đường bê tông", Decimal("750"), True),
        ("Trồng cây quế", Decimal("1000"), False),
        ("Thu gom rác", Decimal("283.75"), False),
    ]
    saved = list(program.contributions.order_by("id"))
    assert [c.value_vnd for c in saved] == [1234567, 1234567, 0, 0]
    assert (saved[2].quantity, saved[2].qualifier) == (Decimal("1200"), "over")
    assert saved[1].note == "Xi măng"
    assert sorted((p.category, p.person_times) for p in program.participation.all()) == [
        ("officials", 45),
        ("residents", 1250),
    ]

    detail = client.get(response.url)
    html = detail.content.decode()
    assert detail.context["total_value"] == "2.469.134"
    assert detail.context["total_labour_days"] == "300"
    assert detail.context["total_person_times"] == "1.295"
    assert "283,75" in html
    assert _("over %(value)s") % {"value": "1.200"} in html


def test_create_page_works_without_javascript_with_three_blank_rows_per_table(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_create"))
    html = response.content.decode()
    for prefix in ("work_items", "contributions", "participation"):
        assert response.context["formsets"][prefix].total_form_count() == 3
        assert f'name="{prefix}-2-' in html
        assert f'data-formset-add="{prefix}" hidden' in html  # shown by programs.js
        assert f'name="{prefix}-__prefix__-' in html
    assert "js/programs.js" in html
    form = response.context["form"]
    assert form.initial["unit"] == tree.commune_a  # their one commune, chosen already
    assert form.initial["organizer"] == tree.commune_a


def test_district_staff_organizer_defaults_to_their_board_and_communes_are_those_of_the_district(
    client, tree, district_staff
):
    client.force_login(district_staff)
    form = client.get(reverse("programs:program_create")).context["form"]
    assert form.initial["organizer"] == tree.ban_dan_van
    assert list(form.fields["unit"].queryset) == [tree.commune_a, tree.commune_b]
    assert tree.agency in form.fields["organizer"].queryset


def test_basis_document_choices_are_schemes_resolutions_programmes_and_plans_in_scope(
    client, tree, district_staff, commune_a_officer
):
    scheme = document_issue(
        issuer=tree.party_committee, kind="DA", day=date(2021, 3, 1), subject="Đề án dân vận", created_by=None
    )
    document_issue(issuer=tree.party_committee, kind="BC", day=date(2021, 3, 2), subject="Báo cáo quý", created_by=None)
    client.force_login(district_staff)
    choices = client.get(reverse("programs:program_create")).context["form"].fields["basis_document"].queryset
    assert list(choices) == [scheme]
    client.force_login(commune_a_officer)
    choices = client.get(reverse("programs:program_create")).context["form"].fields["basis_document"].queryset
    assert list(choices) == []

    client.force_login(district_staff)
    response = client.post(reverse("programs:program_create"), create_data(tree, basis_document=scheme.pk))
    assert response.status_code == 302
    program = Program.objects.get()
    assert program.basis_document == scheme
    assert scheme.symbol in client.get(response.url).content.decode()


def test_blank_rows_are_skipped(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_create"), create_data(tree))
    assert response.status_code == 302
    assert counts() == (1, 0, 0, 0)


def test_rows_added_by_javascript_beyond_the_three_blank_ones_are_saved(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    items = [{"category": "clean_up", "description": f"Phần việc {n}", "quantity": str(n)} for n in range(1, 6)]
    response = client.post(reverse("programs:program_create"), create_data(tree, work_items=items))
    assert response.status_code == 302
    assert [w.description for w in WorkItem.objects.order_by("id")] == [f"Phần việc {n}" for n in range(1, 6)]


# --- Bad input changes nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "row", "field"),
    [
        ("work_items", {"category": "clean_up", "description": "Dọn rác", "quantity": "-5"}, "quantity"),
        ("contributions", {"contributor_type": "residents", "kind": "cash", "value_vnd": "12,5,3"}, "value_vnd"),
        ("contributions", {"contributor_type": "residents", "kind": "cash", "value_vnd": "abc"}, "value_vnd"),
        ("contributions", {"contributor_type": "residents", "kind": "land", "quantity": "-1"}, "quantity"),
        ("participation", {"category": "residents", "person_times": "-3"}, "person_times"),
    ],
)
def test_bad_numbers_are_refused_on_their_row_and_nothing_is_saved(client, tree, commune_a_officer, table, row, field):
    client.force_login(commune_a_officer)
    good = {
        "work_items": [{"category": "clean_up", "description": "Dọn vệ sinh", "quantity": "1"}],
        "contributions": [{"contributor_type": "officials", "kind": "cash", "value_vnd": "500.000"}],
        "participation": [{"category": "officials", "person_times": "20"}],
    }
    good[table] = [good[table][0], row]
    response = client.post(reverse("programs:program_create"), create_data(tree, **good))
    assert response.status_code == 200
    formset = response.context["formsets"][table]
    assert formset.forms[0].errors == {}
    assert field in formset.forms[1].errors
    assert counts() == (0, 0, 0, 0)


def test_money_written_both_ways_parses_to_the_same_dong(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    contributions = [
        {"contributor_type": "residents", "kind": "cash", "value_vnd": "1.234.567"},
        {"contributor_type": "residents", "kind": "cash", "value_vnd": "1234567"},
    ]
    response = client.post(reverse("programs:program_create"), create_data(tree, contributions=contributions))
    assert response.status_code == 302
    assert list(Contribution.objects.order_by("id").values_list("value_vnd", flat=True)) == [1234567, 1234567]


def test_program_dated_when_its_commune_did_not_exist_is_refused_and_nothing_saved(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    data = create_data(
        tree,
        date="01/08/2025",
        status="planned",
        work_items=[{"category": "clean_up", "description": "Dọn vệ sinh"}],
        participation=[{"category": "residents", "person_times": "50"}],
    )
    response = client.post(reverse("programs:program_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        _("%(unit)s did not exist on that date.") % {"unit": "Xã Vĩnh Yên"}
    ]
    assert counts() == (0, 0, 0, 0)


@time_machine.travel(datetime(2024, 6, 1, 9, tzinfo=HCM))
def test_held_program_dated_in_the_future_is_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_create"), create_data(tree, date="02/07/2024"))
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [_("A program that has been held cannot be dated in the future.")]
    assert counts() == (0, 0, 0, 0)


ROUND = "“Over” or “almost” qualifies a round figure (e.g. 20.000); enter the exact value as exact."
ZERO = "“Over” or “almost” cannot qualify zero."


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        (
            "contributions",
            {"contributor_type": "businesses", "kind": "cash", "value_vnd": "20.137", "qualifier": "over"},
            ROUND,
        ),
        ("participation", {"category": "residents", "person_times": "20.137", "qualifier": "over"}, ROUND),
        ("participation", {"category": "residents", "person_times": "0", "qualifier": "over"}, ZERO),
        ("participation", {"category": "residents", "person_times": "0", "qualifier": "almost"}, ZERO),
    ],
)
def test_qualifier_contradicting_its_value_is_shown_on_its_row_and_nothing_saved(
    client, tree, commune_a_officer, table, row, message
):
    client.force_login(commune_a_officer)
    good = {
        "contributions": {"contributor_type": "officials", "kind": "cash", "value_vnd": "20.000", "qualifier": "over"},
        "participation": {"category": "officials", "person_times": "20", "qualifier": "exact"},
    }
    response = client.post(reverse("programs:program_create"), create_data(tree, **{table: [good[table], row]}))
    assert response.status_code == 200
    formset = response.context["formsets"][table]
    assert formset.forms[0].errors == {}
    assert formset.forms[1].non_field_errors() == [_(message)]
    assert _(message) in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_contribution_without_quantity_or_value_is_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    row = {"contributor_type": "residents", "kind": "trees", "unit_of_measure": "cây"}
    response = client.post(reverse("programs:program_create"), create_data(tree, contributions=[row]))
    assert response.status_code == 200
    assert response.context["formsets"]["contributions"].forms[0].non_field_errors() == [
        _("Enter the quantity given or its value in đồng.")
    ]
    assert counts() == (0, 0, 0, 0)


def test_the_same_participant_category_twice_is_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    rows = [{"category": "youth", "person_times": "30"}, {"category": "youth", "person_times": "12"}]
    response = client.post(reverse("programs:program_create"), create_data(tree, participation=rows))
    assert response.status_code == 200
    assert "category" in response.context["formsets"]["participation"].forms[1].errors
    assert counts() == (0, 0, 0, 0)


def test_commune_a_officer_recording_for_commune_b_gets_the_services_message(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    data = create_data(
        tree,
        unit=tree.commune_b.pk,
        village="",
        contributions=[{"contributor_type": "residents", "kind": "cash", "value_vnd": "100.000"}],
    )
    response = client.post(reverse("programs:program_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [
        _("You cannot record data for %(unit)s.") % {"unit": "Xã Nghĩa Đô"}
    ]
    assert counts() == (0, 0, 0, 0)
    # The choices offered never listed it.
    assert tree.commune_b not in response.context["form"].fields["unit"].queryset


def test_village_of_another_commune_is_refused(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("programs:program_create"), create_data(tree, village=tree.village_b.pk))
    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert counts() == (0, 0, 0, 0)


def test_an_id_that_is_no_commune_is_not_a_valid_choice(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("programs:program_create"), create_data(tree, unit=tree.agency.pk, village=""))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert counts() == (0, 0, 0, 0)


# --- Editing ----------------------------------------------------------------------------------------


def shown(value) -> str:
    """A value as the edit page writes it in its inputs (283,75 — not 283.75)."""
    return VietnameseDecimalField().prepare_value(value) if isinstance(value, Decimal) else str(value)


def edit_data(program: Program, **overrides) -> dict:
    """The edit page's POST for ``program`` as rendered: its rows as initial forms."""
    data = {
        "version": str(program.version),
        "village": program.village_id or "",
        "organizer_level": program.organizer_level,
        "organizer": program.organizer_id,
        "title": program.title,
        "date": program.date.strftime("%d/%m/%Y"),
        "fields": program.fields,
        "basis_document": "",
        "survey_notes": program.survey_notes,
        "status": program.status,
        "summary": program.summary,
    }
    work = [
        {**{k: shown(v) for k, v in row.items() if k != "done"}, **({"done": "on"} if row["done"] else {})}
        for row in program.work_items.order_by("id").values(
            "category", "description", "quantity", "unit_of_measure", "location", "done"
        )
    ]
    contributions = [
        {k: shown(v) for k, v in row.items()}
        for row in program.contributions.order_by("id").values(
            "contributor_type", "kind", "quantity", "unit_of_measure", "value_vnd", "qualifier", "note"
        )
    ]
    participation = [
        {k: str(v) for k, v in row.items()}
        for row in program.participation.order_by("id").values("category", "person_times", "qualifier")
    ]
    data.update(rows_post("work_items", WORK_BLANK, work, total=len(work) + 3, initial=len(work)))
    data.update(
        rows_post(
            "contributions", CONTRIBUTION_BLANK, contributions, total=len(contributions) + 3, initial=len(contributions)
        )
    )
    data.update(
        rows_post(
            "participation",
            PARTICIPATION_BLANK,
            participation,
            total=len(participation) + 3,
            initial=len(participation),
        )
    )
    data.update(overrides)
    return data


def test_edit_page_shows_the_rows_in_vietnamese_numbers(client, tree, commune_a_officer):
    program = make_program(
        commune_a_officer,
        tree.commune_a,
        work_items=[{"category": "waste", "description": "Thu gom rác", "quantity": Decimal("283.75")}],
        contributions=[cash(1_234_567)],
    )
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_update", args=[program.pk]))
    html = response.content.decode()
    assert 'value="283,75"' in html
    assert 'value="1.234.567"' in html
    assert 'name="contributions-0-quantity" value=' not in html  # nothing given: empty, not "0,00"
    assert response.context["formsets"]["work_items"].initial_form_count() == 1
    assert 'name="unit"' not in html  # the host commune cannot change
    # Status: the current one and its allowed next steps only.
    assert [value for value, _label in response.context["form"].fields["status"].choices] == ["held", "reviewed"]


def test_editing_replaces_rows_and_removes_the_ticked_ones(client, tree, commune_a_officer):
    program = make_program(
        commune_a_officer,
        tree.commune_a,
        work_items=[
            {"category": "clean_up", "description": "Dọn vệ sinh"},
            {"category": "greenery", "description": "Trồng hoa"},
        ],
        contributions=[cash(1_000_000)],
    )
    client.force_login(commune_a_officer)
    data = edit_data(program, title="Ra quân Nặm Mèng (bổ sung)")
    data["work_items-1-DELETE"] = "on"
    data["contributions-0-value_vnd"] = "1.500.000"
    data["participation-0-category"] = "pupils"
    data["participation-0-person_times"] = "60"
    response = client.post(reverse("programs:program_update", args=[program.pk]), data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.title == "Ra quân Nặm Mèng (bổ sung)" and program.version == 2
    assert [w.description for w in program.work_items.all()] == ["Dọn vệ sinh"]
    assert [c.value_vnd for c in program.contributions.all()] == [1_500_000]
    assert [(p.category, p.person_times) for p in program.participation.all()] == [("pupils", 60)]


def test_stale_version_is_refused_and_nothing_is_overwritten(client, tree, commune_a_officer, district_staff):
    program = make_program(commune_a_officer, tree.commune_a, contributions=[cash(1_000_000)])
    client.force_login(commune_a_officer)
    data = edit_data(program, title="Bản sửa cũ")
    data["contributions-0-value_vnd"] = "9.000.000"
    # Someone else saves first.
    services.program_update(
        user=district_staff,
        program=program,
        data=ProgramInput(values={"title": "Bản sửa của huyện"}, contributions=[cash(2_000_000)]),
        expected_version=1,
    )
    response = client.post(reverse("programs:program_update", args=[program.pk]), data)
    assert response.status_code == 200
    assert response.context["stale"] is True
    assert _("Someone else changed this record while you were editing it. Reload it and try again.") in (
        response.context["form"].non_field_errors()
    )
    program.refresh_from_db()
    assert (program.title, program.version) == ("Bản sửa của huyện", 2)
    assert list(program.contributions.values_list("value_vnd", flat=True)) == [2_000_000]


def test_edit_refuses_a_status_jump_the_workflow_does_not_allow(client, tree, commune_a_officer):
    program = make_program(commune_a_officer, tree.commune_a, status="planned")
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_update", args=[program.pk]), edit_data(program, status="reviewed"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    program.refresh_from_db()
    assert (program.status, program.version) == ("planned", 1)


# --- Status buttons --------------------------------------------------------------------------------


def test_detail_offers_the_allowed_next_statuses_and_moving_keeps_the_rows(client, tree, commune_a_officer):
    program = make_program(
        commune_a_officer,
        tree.commune_a,
        status="planned",
        work_items=[{"category": "clean_up", "description": "Dọn vệ sinh", "quantity": Decimal("2.5")}],
        contributions=[cash(3_000_000)],
        participation=[people(40)],
    )
    client.force_login(commune_a_officer)
    detail = client.get(reverse("programs:program_detail", args=[program.pk]))
    assert [step["value"] for step in detail.context["next_statuses"]] == ["surveyed", "held"]

    response = client.post(reverse("programs:program_status", args=[program.pk]), {"status": "held", "version": "1"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.status, program.version) == ("held", 2)
    assert [(w.description, w.quantity) for w in program.work_items.all()] == [("Dọn vệ sinh", Decimal("2.5"))]
    assert [c.value_vnd for c in program.contributions.all()] == [3_000_000]
    assert [p.person_times for p in program.participation.all()] == [40]
    page = client.get(response.url)
    assert [str(m) for m in page.context["messages"]] == [
        _("The program is now “%(status)s”.") % {"status": ProgramStatus.HELD.label}
    ]
    assert [step["value"] for step in page.context["next_statuses"]] == ["reviewed"]


def test_status_change_refuses_a_step_the_workflow_does_not_allow(client, tree, commune_a_officer):
    program = make_program(commune_a_officer, tree.commune_a, status="held")
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_status", args=[program.pk]), {"status": "planned", "version": "1"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.status, program.version) == ("held", 1)
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert len(messages) == 1 and messages[0].startswith(_("Nothing was changed: %(errors)s").split("%")[0])


def test_status_change_with_a_stale_version_changes_nothing(client, tree, commune_a_officer):
    program = make_program(commune_a_officer, tree.commune_a, status="planned")
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_status", args=[program.pk]), {"status": "held", "version": "7"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.status, program.version) == ("planned", 1)


def test_commune_officer_moves_a_district_program_in_their_commune_keeping_its_organizer_and_basis(
    client, tree, district_staff, commune_a_officer
):
    """The Ban Dân vận and its scheme lie outside the commune officer's units; keeping them is not
    choosing them, so the officer can still edit the program held in their commune."""
    scheme = document_issue(
        issuer=tree.party_committee, kind="DA", day=date(2021, 3, 1), subject="Đề án dân vận", created_by=None
    )
    program = make_program(
        district_staff,
        tree.commune_a,
        status="planned",
        organizer_level="district",
        organizer=tree.ban_dan_van,
        basis_document=scheme,
        participation=[people(30)],
    )
    client.force_login(commune_a_officer)
    form = client.get(reverse("programs:program_update", args=[program.pk])).context["form"]
    assert tree.ban_dan_van in form.fields["organizer"].queryset
    assert scheme in form.fields["basis_document"].queryset
    assert tree.party_committee not in form.fields["organizer"].queryset  # nothing else of the district

    response = client.post(
        reverse("programs:program_update", args=[program.pk]),
        edit_data(program, status="held", summary="Đã tổ chức ra quân", basis_document=scheme.pk),
    )
    assert response.status_code == 302
    response = client.post(reverse("programs:program_status", args=[program.pk]), {"status": "reviewed", "version": 2})
    program.refresh_from_db()
    assert (program.status, program.version, program.summary) == ("reviewed", 3, "Đã tổ chức ra quân")
    assert (program.organizer, program.basis_document) == (tree.ban_dan_van, scheme)


def test_commune_officer_cannot_switch_the_organizer_to_a_unit_outside_their_scope(
    client, tree, district_staff, commune_a_officer
):
    program = make_program(commune_a_officer, tree.commune_a)
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("programs:program_update", args=[program.pk]), edit_data(program, organizer=tree.ban_dan_van.pk)
    )
    assert response.status_code == 200
    assert "organizer" in response.context["form"].errors
    program.refresh_from_db()
    assert (program.organizer, program.version) == (tree.commune_a, 1)


def test_read_only_users_see_no_status_buttons(client, program_a, leader):
    client.force_login(leader)
    response = client.get(reverse("programs:program_detail", args=[program_a.pk]))
    assert response.context["next_statuses"] == []
    assert reverse("programs:program_status", args=[program_a.pk]) not in response.content.decode()
    assert reverse("programs:program_update", args=[program_a.pk]) not in response.content.decode()


# --- The detail page -------------------------------------------------------------------------------


def test_detail_shows_totals_with_honest_qualifiers_and_linked_roads_and_donations(
    client, tree, commune_a_officer, leader
):
    program = make_program(
        commune_a_officer,
        tree.commune_a,
        village=tree.village_a,
        contributions=[
            cash(20_000_000, "over"),
            cash(137_000),
            {
                "contributor_type": "residents",
                "kind": "labour_days",
                "quantity": Decimal(300),
                "value_vnd": 0,
                "qualifier": "almost",
            },
        ],
        participation=[people(1_000, "residents", "over"), people(45, "officials")],
    )
    road = services.road_project_save(
        user=commune_a_officer,
        values={
            "unit": tree.commune_a,
            "village": tree.village_a,
            "program": program,
            "name": "Đường bê tông khu dân cư Nặm Mèng",
            "year": 2024,
            "length_m": Decimal("750.5"),
            "total_investment_vnd": 900_000_000,
            "people_share_vnd": 150_000_000,
        },
    )
    services.land_donation_save(
        user=commune_a_officer,
        values={
            "unit": tree.commune_a,
            "village": tree.village_a,
            "road": road,
            "program": program,
            "donor": "Hộ ông Đặng Văn Kim",
            "donated_on": date(2024, 3, 1),
            "area_m2": Decimal(1200),
            "trees": {"quế": 1000},
            "value_vnd": 60_000_000,
        },
    )
    client.force_login(leader)
    response = client.get(reverse("programs:program_detail", args=[program.pk]))
    html = response.content.decode()
    assert response.context["total_value"] == _("over %(value)s") % {"value": "20.137.000"}
    assert response.context["total_labour_days"] == _("almost %(value)s") % {"value": "300"}
    assert response.context["total_person_times"] == _("over %(value)s") % {"value": "1.045"}
    assert [r.name for r in response.context["roads"]] == ["Đường bê tông khu dân cư Nặm Mèng"]
    assert [d.donor for d in response.context["donations"]] == ["Hộ ông Đặng Văn Kim"]
    assert "750,5" in html and "1.200" in html and "900.000.000" in html
    assert reverse("programs:road_detail", args=[road.pk]) in html
    assert "data-print hidden" in html
    assert _("Change history") in html


def test_detail_lists_a_donation_made_through_one_of_its_roads_once(client, tree, commune_a_officer):
    program = make_program(commune_a_officer, tree.commune_a)
    other = make_program(commune_a_officer, tree.commune_a, title="Chương trình khác")
    road = services.road_project_save(
        user=commune_a_officer,
        values={"unit": tree.commune_a, "program": program, "name": "Đường nội bản", "year": 2024, "length_m": 600},
    )
    base = {"unit": tree.commune_a, "donated_on": date(2024, 3, 1), "area_m2": Decimal(100), "value_vnd": 1_000}
    for donor, links in [
        ("Hộ qua đường", {"road": road}),
        ("Hộ cả hai", {"road": road, "program": program}),
        ("Hộ trực tiếp", {"program": program}),
        ("Hộ khác", {"program": other}),
    ]:
        services.land_donation_save(user=commune_a_officer, values={**base, "donor": donor, **links})
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_detail", args=[program.pk]))
    assert sorted(d.donor for d in response.context["donations"]) == ["Hộ cả hai", "Hộ qua đường", "Hộ trực tiếp"]


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_does_not_grow_with_rows(
    client, tree, commune_a_officer, django_assert_max_num_queries, rows
):
    program = make_program(
        commune_a_officer,
        tree.commune_a,
        work_items=[{"category": "clean_up", "description": f"Việc {n}"} for n in range(rows)],
        contributions=[cash(100_000 * (n + 1)) for n in range(rows)],
        participation=[people(10, category) for category in ("residents", "officials", "youth")],
    )
    for n in range(rows):
        services.land_donation_save(
            user=commune_a_officer,
            values={
                "unit": tree.commune_a,
                "program": program,
                "donor": f"Hộ {n}",
                "donated_on": date(2024, 3, 1),
                "area_m2": Decimal(10),
                "value_vnd": 1_000_000,
            },
        )
    client.force_login(commune_a_officer)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("programs:program_detail", args=[program.pk]))
    assert len(response.context["work_items"]) == rows and len(response.context["donations"]) == rows


# --- The list --------------------------------------------------------------------------------------


def test_search_ignores_diacritics_and_case(client, program_a, program_b, district_staff):
    client.force_login(district_staff)
    nam_meng = ["Ra quân làm đường bê tông khu dân cư Nặm Mèng"]
    assert listed(client, q="nam meng") == nam_meng
    assert listed(client, q="Nặm Mèng") == nam_meng
    assert listed(client, q="NAM MENG") == nam_meng
    assert listed(client, q="na pong") == ["Ra quân vệ sinh môi trường thôn Nà Pồng"]
    assert listed(client, q="nam meng na pong") == []


def test_filters_narrow_by_unit_level_status_dates_and_field(client, tree, district_staff, commune_a_officer):
    make_program(
        commune_a_officer, tree.commune_a, title="A 2022 môi trường", day=date(2022, 4, 1), fields=["environment"]
    )
    make_program(commune_a_officer, tree.commune_a, title="A 2024 hạ tầng", day=date(2024, 4, 1), status="planned")
    make_program(
        district_staff,
        tree.commune_b,
        title="Huyện tại B",
        day=date(2023, 4, 1),
        organizer_level="district",
        organizer=tree.ban_dan_van,
        fields=["environment", "health"],
    )
    client.force_login(district_staff)
    assert listed(client, unit=tree.commune_a.pk) == ["A 2024 hạ tầng", "A 2022 môi trường"]
    assert listed(client, unit=tree.district.pk) == ["A 2024 hạ tầng", "Huyện tại B", "A 2022 môi trường"]
    assert listed(client, organizer_level="district") == ["Huyện tại B"]
    assert listed(client, status="planned") == ["A 2024 hạ tầng"]
    assert listed(client, date_from="01/01/2023", date_to="31/12/2023") == ["Huyện tại B"]
    assert listed(client, field="environment") == ["Huyện tại B", "A 2022 môi trường"]
    assert listed(client, field="environment", unit=tree.commune_a.pk) == ["A 2022 môi trường"]
    assert listed(client, field="housing") == []


def test_unit_filter_offers_only_visible_units(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_list"))
    assert list(response.context["filter"].form.fields["unit"].queryset) == [tree.commune_a]
    assert listed(client, unit=tree.commune_b.pk) == []  # an invalid choice filters nothing in


def test_sort_by_value_and_person_times_and_unknown_keys_are_ignored(client, tree, commune_a_officer):
    make_program(
        commune_a_officer, tree.commune_a, title="Nhỏ", contributions=[cash(1_000)], participation=[people(900)]
    )
    make_program(commune_a_officer, tree.commune_a, title="Lớn", day=date(2023, 1, 1), contributions=[cash(9_000_000)])
    make_program(commune_a_officer, tree.commune_a, title="Rỗng", day=date(2022, 1, 1), participation=[people(5)])
    client.force_login(commune_a_officer)
    assert listed(client, sort="value") == ["Rỗng", "Nhỏ", "Lớn"]
    assert listed(client, sort="-value") == ["Lớn", "Nhỏ", "Rỗng"]
    assert listed(client, sort="-person_times") == ["Nhỏ", "Rỗng", "Lớn"]
    assert listed(client, sort="date") == ["Rỗng", "Lớn", "Nhỏ"]
    assert listed(client, sort="password") == ["Nhỏ", "Lớn", "Rỗng"]


def test_totals_row_equals_the_sum_of_every_filtered_row_not_only_the_page(client, tree, commune_a_officer):
    for n in range(27):
        make_program(
            commune_a_officer,
            tree.commune_a,
            title=f"Chương trình {n}",
            day=date(2024, 1, 1 + n),
            contributions=[cash(1_000_000 + n), cash(500)],
            participation=[people(10 + n)],
        )
    make_program(commune_a_officer, tree.commune_a, title="Khác", contributions=[cash(7)], fields=["health"])
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_list"), {"field": "infrastructure"})
    totals = response.context["totals"]
    assert len(response.context["programs"]) == 25
    assert totals["count"] == 27
    assert totals["value"] == sum(1_000_000 + n + 500 for n in range(27))
    assert totals["person_times"] == sum(10 + n for n in range(27))
    assert totals["value_display"] == "27.013.851"
    html = response.content.decode()
    assert "27.013.851" in html and "1.000.526" in html  # Vietnamese grouping in the page


def test_hedged_figures_stay_hedged_in_the_rows_and_the_totals(client, tree, commune_a_officer):
    make_program(commune_a_officer, tree.commune_a, title="Trên", contributions=[cash(20_000_000, "over")])
    make_program(commune_a_officer, tree.commune_a, title="Đúng", contributions=[cash(1_234_567)])
    make_program(commune_a_officer, tree.commune_a, title="Gần", participation=[people(300, qualifier="almost")])
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_list"))
    rows = {row["program"].title: row for row in response.context["rows"]}
    assert rows["Trên"]["value"] == _("over %(value)s") % {"value": "20.000.000"}
    assert rows["Đúng"]["value"] == "1.234.567"
    assert rows["Gần"]["person_times"] == _("almost %(value)s") % {"value": "300"}
    totals = response.context["totals"]
    assert totals["value_display"] == _("over %(value)s") % {"value": "21.234.567"}
    assert totals["person_times_display"] == _("almost %(value)s") % {"value": "300"}
    assert _("over %(value)s") % {"value": "21.234.567"} in response.content.decode()


def test_export_contains_exactly_the_filtered_rows_with_their_totals(client, tree, commune_a_officer, district_staff):
    make_program(
        commune_a_officer,
        tree.commune_a,
        title="Nặm Mèng",
        contributions=[cash(1_234_567), cash(20_000, "over")],
        participation=[people(50), people(20, "youth")],
        work_items=[{"category": "clean_up", "description": "Dọn"}],
    )
    make_program(commune_a_officer, tree.commune_a, title="Tổng Kim", day=date(2023, 2, 2))
    make_program(commune_a_officer, tree.commune_a, title="Khác", status="planned")
    make_program(commune_a_officer, tree.commune_a, title="Ngoài", day=date(2021, 1, 1))
    client.force_login(district_staff)
    params = {"date_from": "01/01/2023", "status": "held", "export": "csv"}
    response = client.get(reverse("programs:program_list"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert [row[header.index(_("Title"))] for row in body] == ["Nặm Mèng", "Tổng Kim"]
    first = dict(zip(header, body[0], strict=True))
    assert first[_("Value (đồng)")] == "1254567"
    assert first[_("Value qualifier")] == _("over")
    assert first[_("Person-times")] == "70"
    assert first[_("Work items")] == "1"
    assert first[_("Date")] == "15/03/2024"

    response = client.get(reverse("programs:program_list"), {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 3
    title_column = list(values[0]).index(_("Title"))
    assert [row[title_column] for row in values[1:]] == ["Nặm Mèng", "Tổng Kim"]
    assert values[1][list(values[0]).index(_("Value (đồng)"))] == 1254567


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client, tree, district_staff, django_assert_max_num_queries, rows):
    for index in range(rows):
        make_program(
            district_staff,
            tree.commune_a if index % 2 else tree.commune_b,
            title=f"Ra quân Nặm Mèng {index}",
            day=date(2024, 1, 1 + index % 28),
            contributions=[cash(1_000_000), cash(20_000, "over")],
            participation=[people(10), people(20, "youth")],
            work_items=[{"category": "clean_up", "description": "Dọn"}],
        )
    client.force_login(district_staff)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("programs:program_list"), {"q": "nam meng", "field": "infrastructure", "sort": "-value"}
        )
    assert len(response.context["rows"]) == min(rows, 25)
    assert response.context["totals"]["count"] == rows


def test_empty_list_says_how_to_record_the_first_program(client, tree, commune_a_officer, leader):
    client.force_login(commune_a_officer)
    html = client.get(reverse("programs:program_list")).content.decode()
    assert _("No programs recorded yet") in html
    assert reverse("programs:program_create") in html
    client.force_login(leader)
    html = client.get(reverse("programs:program_list")).content.decode()
    assert _("No programs recorded yet") in html
    assert reverse("programs:program_create") not in html


def test_filtered_empty_list_offers_to_clear_the_filters(client, program_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:program_list"), {"q": "khong co"})
    assert response.context["totals"] is None
    assert _("No program matches these filters") in response.content.decode()


def test_donations_and_roads_are_untouched_by_the_program_pages(client, program_a, commune_a_officer):
    """The program pages only read roads and donations: saving a program keeps their links."""
    road = services.road_project_save(
        user=commune_a_officer,
        values={
            "unit": program_a.unit,
            "program": program_a,
            "name": "Đường nội bản",
            "year": 2024,
            "length_m": Decimal(600),
        },
    )
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:program_update", args=[program_a.pk]), edit_data(program_a))
    assert response.status_code == 302
    assert RoadProject.objects.get(pk=road.pk).program_id == program_a.pk
