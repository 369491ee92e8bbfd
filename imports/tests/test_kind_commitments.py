"""The household commitments import: the template, preview, import (kept and broken), no
duplicates, scope, bad values and the round trip with the commitment list."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services as campaign_services
from campaigns.models import CommitmentItem, CommitmentStatus, HouseholdCommitment
from campaigns.services import DvkModelInput
from campaigns.workflow import DvkStatus
from imports import services
from imports.kinds import REGISTRY
from imports.template import build_template
from imports.tests.helpers import handle, problem_texts, sheet_rows, workbook_bytes
from organization.models import Role
from organization.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE_ONLY = _("The file holds only the template's example row, which is never imported. Write your rows below it.")
KIND = REGISTRY["commitments"]
SHEET = "Cam kết hộ gia đình"
MODEL = "Mô hình nếp sống văn hóa mới đồng bào Mông"


def make_model(user, owner, locality, *, name=MODEL, consulted=True):
    model = campaign_services.dvk_model_create(
        user=user,
        data=DvkModelInput(
            values={
                "name": name,
                "kind": "model",
                "field": "culture_society",
                "level": "commune",
                "owner_unit": owner,
                "locality": locality,
                "registered_on": date(2024, 2, 1),
            }
        ),
    )
    if consulted:
        for status in ("surveyed", "village_consulted"):
            model = campaign_services.dvk_transition(
                user=user, model=model, to_status=status, effective_on=date(2024, 2, 15)
            )
    return model


@pytest.fixture
def model(tree, district_staff):
    """A district model built in commune A: its commune officer records the households."""
    return make_model(district_staff, tree.district, tree.commune_a)


def items(count=5):
    return list(CommitmentItem.objects.order_by("order")[:count])


def row(**values):
    base = {
        "model": MODEL,
        "household_head": "Giàng A Páo",
        "village": "Bản Tổng Kim",
        "signed_on": "01/04/2024",
        "items": "; ".join(item.text for item in items(2)),
    }
    base.update(values)
    return base


def good_file():
    first, second, third = items(3)
    return workbook_bytes(
        "commitments",
        {
            SHEET: [
                row(note="Hộ nghèo"),
                row(household_head="Sùng Seo Chứ", items=f"{first.code};{third.text.upper()}"),
                row(
                    household_head="Lý A Sình",
                    status=str(CommitmentStatus.BROKEN.label),
                    broken_on="10/06/2024",
                    broken_items=second.text,
                ),
            ]
        },
    )


def only_problem(outcome):
    assert len(outcome.problems.kept) == 1, problem_texts(outcome.problems)
    problem = outcome.problems.kept[0]
    return problem.row, problem.column, problem.message


# --- The template ------------------------------------------------------------------------------


def test_template_offers_the_models_and_items_and_reads_back_empty(model, commune_a_officer):
    data = build_template(KIND, commune_a_officer)
    assert sheet_rows(data, SHEET)[0] == [column.header for column in KIND.sheets[0].columns]
    lists = [cell for line in sheet_rows(data, "Danh mục") for cell in line]
    assert MODEL in lists and items(1)[0].text in lists
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    # The grey example rows are recognised and skipped: nothing is left to import, and the
    # check says so instead of offering an empty import.
    assert problem_texts(outcome.problems) == [str(EXAMPLE_ONLY)]


# --- A good file -------------------------------------------------------------------------------


def test_preview_writes_nothing(model, commune_a_officer):
    outcome = services.attempt(KIND, handle(good_file()), commune_a_officer, write=False)
    assert not outcome.problems, problem_texts(outcome.problems)
    assert outcome.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 3, "existing": 0}]
    assert HouseholdCommitment.objects.count() == 0


def test_import_records_kept_and_broken_commitments_through_the_services(tree, model, commune_a_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    found = {c.household_head: c for c in HouseholdCommitment.objects.all()}
    first, second, third = items(3)
    pao = found["Giàng A Páo"]
    assert (pao.model, pao.village, pao.signed_on, pao.note) == (model, tree.village_a, date(2024, 4, 1), "Hộ nghèo")
    assert list(pao.items.order_by("order")) == [first, second]
    assert (pao.status, pao.created_by) == (CommitmentStatus.KEPT, commune_a_officer)
    assert list(found["Sùng Seo Chứ"].items.order_by("order")) == [first, third]  # by code, any case
    sinh = found["Lý A Sình"]
    assert (sinh.status, sinh.broken_on) == (CommitmentStatus.BROKEN, date(2024, 6, 10))
    assert list(sinh.broken_items.all()) == [second]


def test_importing_again_creates_nothing_case_and_accents_ignored(model, commune_a_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    again = services.execute(
        KIND, handle(workbook_bytes("commitments", {SHEET: [row(household_head="GIANG A PAO")]})), commune_a_officer
    )
    assert again.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 0, "existing": 1}]
    assert HouseholdCommitment.objects.count() == 3


# --- Scope and bad values ----------------------------------------------------------------------


def test_a_model_outside_the_users_units_is_refused_and_nothing_is_written(model, commune_b_officer):
    data = workbook_bytes("commitments", {SHEET: [row(), row(household_head="Sùng Seo Chứ")]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), commune_b_officer)
    assert [(p.row, p.column) for p in caught.value.problems.kept] == [(2, "Mô hình"), (3, "Mô hình")]
    assert HouseholdCommitment.objects.count() == 0


def test_a_village_of_the_model_outside_the_users_units_is_refused(tree, district_staff, commune_a_officer):
    wide = make_model(district_staff, tree.district, tree.district, name="Mô hình toàn huyện")
    reader = UserFactory(username="officer-and-viewer")
    MembershipFactory(user=reader, unit=tree.commune_a, role=Role.COMMUNE_OFFICER)
    MembershipFactory(user=reader, unit=tree.district, role=Role.VIEWER)  # sees the model, writes in A only
    data = workbook_bytes("commitments", {SHEET: [row(model=wide.name), row(model=wide.name, village="Thôn Nà Pồng")]})
    outcome = services.attempt(KIND, handle(data), reader, write=False)
    assert only_problem(outcome) == (
        3,
        "Thôn, tổ dân phố",
        _("“%(text)s” is outside the units you may record data for.") % {"text": "Thôn Nà Pồng"},
    )
    assert HouseholdCommitment.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        (
            {"village": "Thôn Nà Pồng"},
            "Thôn, tổ dân phố",
            lambda: _("This household is outside the model's area (%(area)s).") % {"area": "Xã Vĩnh Yên"},
        ),
        (
            {"items": "Không hút thuốc"},
            "Nội dung cam kết",
            lambda: (
                _("“%(item)s” is not a commitment item. The items are: %(items)s.")
                % {"item": "Không hút thuốc", "items": "; ".join(item.text for item in items())}
            ),
        ),
        (
            {"status": str(CommitmentStatus.BROKEN.label)},
            "Ngày vi phạm",
            lambda: _("Give the date the commitment was broken."),
        ),
        (
            {"status": "broken", "broken_on": "01/03/2024", "broken_items": "obey-the-law"},
            "Ngày vi phạm",
            lambda: _("A commitment cannot be broken before it was signed."),
        ),
        (
            {"status": "broken", "broken_on": "01/05/2024", "broken_items": "obey-the-law"},
            "Nội dung vi phạm",
            lambda: _("Only items the household signed can be broken."),
        ),
        (
            {"broken_on": "01/05/2024"},
            "Ngày vi phạm",
            lambda: _("A kept commitment has no date of breaking."),
        ),
        (
            {"signed_on": "31/04/2024"},
            "D · Ngày ký",
            lambda: _("“%(value)s” is not a real date.") % {"value": "31/04/2024"},
        ),
        (
            {"model": "Mô hình không có"},
            "Mô hình",
            lambda: (
                _("There is no Dân vận khéo model “%(name)s” among those you can see. Check the name.")
                % {"name": "Mô hình không có"}
            ),
        ),
    ],
)
def test_bad_values_are_reported_with_their_row_and_column(model, commune_a_officer, change, column, message):
    data = workbook_bytes("commitments", {SHEET: [row(**change)]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert only_problem(outcome) == (2, column, message())
    assert HouseholdCommitment.objects.count() == 0


def test_a_model_not_yet_discussed_with_the_village_is_refused(tree, district_staff, commune_a_officer):
    make_model(district_staff, tree.district, tree.commune_a, name="Mô hình mới đăng ký", consulted=False)
    data = workbook_bytes("commitments", {SHEET: [row(model="Mô hình mới đăng ký")]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert only_problem(outcome) == (
        2,
        "Mô hình",
        _("Households sign once the model has been discussed with the village (status: %(status)s).")
        % {"status": DvkStatus.REGISTERED.label},
    )


def test_duplicate_rows_inside_the_file_are_reported(model, commune_a_officer):
    data = workbook_bytes("commitments", {SHEET: [row(), row(household_head="giàng a páo")]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert only_problem(outcome) == (
        3,
        "Chủ hộ",
        _("This row repeats row %(row)s (same model, household head and village).") % {"row": 2},
    )


# --- Round trip ----------------------------------------------------------------------------------


def _records():
    rows = []
    for commitment in HouseholdCommitment.objects.prefetch_related("items", "broken_items"):
        rows.append(
            (
                commitment.model_id,
                commitment.household_head,
                commitment.village_id,
                commitment.signed_on,
                commitment.status,
                commitment.broken_on,
                commitment.note,
                sorted(item.pk for item in commitment.items.all()),
                sorted(item.pk for item in commitment.broken_items.all()),
            )
        )
    return sorted(rows, key=str)


def test_round_trip_with_the_commitment_list(client, tree, model, commune_a_officer):
    first, second, third = items(3)
    signed = {"model": model, "village": tree.village_a, "signed_on": date(2024, 4, 1)}
    campaign_services.commitment_create(
        user=commune_a_officer, values={**signed, "household_head": "Giàng A Páo", "note": "Ghi chú"}, items=[first]
    )
    broken = campaign_services.commitment_create(
        user=commune_a_officer, values={**signed, "household_head": "Lý A Sình"}, items=[first, second, third]
    )
    campaign_services.commitment_update(
        user=commune_a_officer,
        commitment=broken,
        values={"status": CommitmentStatus.BROKEN, "broken_on": date(2024, 6, 10)},
        broken_items=[third],
    )
    before = _records()
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:commitment_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == [SHEET]
    HouseholdCommitment.objects.all().delete()
    outcome = services.execute(KIND, handle(response.content), commune_a_officer)
    assert outcome.plan.created[SHEET] == 2
    assert _records() == before
