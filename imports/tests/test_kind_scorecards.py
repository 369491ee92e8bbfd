"""The scorecards import: one row per unit and criterion, grouped into scorecards of an open
round; the template, preview, import and submission, no duplicates, scope, bad values, and the
round trip with the round's export."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services as campaign_services
from campaigns.models import Scorecard, ScorecardStatus, ScoreEntry, TargetType
from campaigns.tests.factories import movement_with_criteria, open_round
from imports import services
from imports.kinds import REGISTRY
from imports.kinds.scorecards import parse_month
from imports.template import build_template
from imports.tests.helpers import handle, problem_texts, sheet_rows, workbook_bytes
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

EXAMPLE_ONLY = _("The file holds only the template's example row, which is never imported. Write your rows below it.")
KIND = REGISTRY["scorecards"]
SHEET = "Chấm điểm"
MOVEMENT = "10 phút góp phần cải thiện môi trường"


@pytest.fixture
def movement(tree, district_staff):
    return movement_with_criteria(district_staff, tree.district, types=(TargetType.VILLAGE,), year=2024)


@pytest.fixture
def round_(movement, district_staff):
    return open_round(district_staff, movement, date(2024, 3, 1))


def row(**values):
    base = {"movement": MOVEMENT, "month": "03/2024", "commune": "Xã Vĩnh Yên", "unit": "Bản Tổng Kim"}
    base.update(values)
    return base


def card_rows(scores=("35", "25,5", "20"), **values):
    return [
        row(code=f"TC{index}", self_score=score, evidence_note=f"Ảnh {index}", **values)
        for index, score in enumerate(scores, start=1)
    ]


def file_of(rows) -> bytes:
    return workbook_bytes("scorecards", {SHEET: rows})


def only_problem(outcome):
    assert len(outcome.problems.kept) == 1, problem_texts(outcome.problems)
    problem = outcome.problems.kept[0]
    return problem.row, problem.column, problem.message


# --- The template and the month -----------------------------------------------------------------


def test_template_reads_back_as_an_empty_import_and_offers_open_movements(round_, commune_a_officer):
    data = build_template(KIND, commune_a_officer)
    assert sheet_rows(data, SHEET)[0] == [column.header for column in KIND.sheets[0].columns]
    lists = [cell for line in sheet_rows(data, "Danh mục") for cell in line]
    assert MOVEMENT in lists and "Xã Vĩnh Yên" in lists
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    # The grey example rows are recognised and skipped: nothing is left to import, and the
    # check says so instead of offering an empty import.
    assert problem_texts(outcome.problems) == [str(EXAMPLE_ONLY)]


@pytest.mark.parametrize(
    ("text", "month"),
    [("03/2024", date(2024, 3, 1)), ("3-2024", date(2024, 3, 1)), ("01/03/2024", date(2024, 3, 1)), ("13/2024", None)],
)
def test_months_are_read_as_offices_write_them(text, month):
    assert parse_month(text) == month


# --- A good file -------------------------------------------------------------------------------


def test_preview_writes_nothing(round_, commune_a_officer):
    outcome = services.attempt(KIND, handle(file_of(card_rows())), commune_a_officer, write=False)
    assert not outcome.problems, problem_texts(outcome.problems)
    assert outcome.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 1, "existing": 0}]
    assert (Scorecard.objects.count(), ScoreEntry.objects.count()) == (0, 0)


def test_import_saves_a_draft_scorecard_through_the_service(tree, round_, commune_a_officer):
    services.execute(KIND, handle(file_of(card_rows())), commune_a_officer)
    card = Scorecard.objects.get()
    assert (card.round, card.unit, card.commune, card.status) == (
        round_,
        tree.village_a,
        tree.commune_a,
        ScorecardStatus.DRAFT,
    )
    assert card.self_total == Decimal("80.5") and card.max_total == Decimal(100)
    entries = {entry.criterion.code: entry for entry in card.entries.select_related("criterion")}
    assert {code: entry.self_score for code, entry in entries.items()} == {
        "TC1": Decimal(35),
        "TC2": Decimal("25.5"),
        "TC3": Decimal(20),
    }
    assert entries["TC2"].evidence_note == "Ảnh 2"


def test_gui_co_submits_the_scorecard(round_, commune_a_officer):
    services.execute(KIND, handle(file_of(card_rows(submit="Có"))), commune_a_officer)
    card = Scorecard.objects.get()
    assert (card.status, card.submitted_by) == (ScorecardStatus.SUBMITTED, commune_a_officer)


def test_importing_the_same_file_again_creates_nothing(round_, commune_a_officer):
    services.execute(KIND, handle(file_of(card_rows())), commune_a_officer)
    again = services.execute(KIND, handle(file_of(card_rows(scores=("1", "1", "1")))), commune_a_officer)
    assert again.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 0, "existing": 1}]
    assert Scorecard.objects.get().self_total == Decimal("80.5")  # never overwritten


def test_the_commune_tells_apart_units_of_the_same_name(tree, round_, district_staff):
    UnitFactory(name="Bản Tổng Kim", kind=UnitKind.VILLAGE, parent=tree.commune_b)
    vague = services.attempt(KIND, handle(file_of(card_rows(commune=None))), district_staff, write=False)
    assert vague.problems and {p.column for p in vague.problems.kept} == {"Đơn vị"}
    services.execute(KIND, handle(file_of(card_rows(commune="Vĩnh Yên"))), district_staff)
    assert Scorecard.objects.get().unit == tree.village_a


# --- Scope and bad values ----------------------------------------------------------------------


def test_a_unit_of_another_commune_is_refused_and_nothing_is_written(round_, commune_a_officer):
    rows = [*card_rows(), *card_rows(commune=None, unit="Thôn Nà Pồng")]
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(file_of(rows)), commune_a_officer)
    assert set(problem_texts(caught.value.problems)) == {
        _("“%(text)s” is outside the units you may record data for.") % {"text": "Thôn Nà Pồng"}
    }
    assert [(p.row, p.column) for p in caught.value.problems.kept] == [(5, "Đơn vị"), (6, "Đơn vị"), (7, "Đơn vị")]
    assert Scorecard.objects.count() == 0


def test_another_commune_named_in_the_row_is_refused(round_, commune_a_officer):
    rows = card_rows(commune="Xã Nghĩa Đô", unit="Thôn Nà Pồng")[:1]
    outcome = services.attempt(KIND, handle(file_of(rows)), commune_a_officer, write=False)
    assert only_problem(outcome) == (
        2,
        "Xã, phường",
        _("“%(text)s” is outside the units you may record data for.") % {"text": "Xã Nghĩa Đô"},
    )


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        (
            {"self_score": "45"},
            "Điểm tự chấm",
            lambda: _("%(code)s: at most %(max)s points.") % {"code": "TC1", "max": "40"},
        ),
        (
            {"self_score": -3},
            "F · Điểm tự chấm",
            lambda: _("%(value)s is negative; this column cannot be below zero.") % {"value": "-3"},
        ),
        (
            {"code": "TC9"},
            "Mã tiêu chí",
            lambda: (
                _("There is no criterion “%(code)s” for %(type)s in %(year)s. The codes are: %(codes)s.")
                % {"code": "TC9", "type": TargetType.VILLAGE.label, "year": 2024, "codes": "TC1, TC2, TC3"}
            ),
        ),
        (
            {"month": "13/2024"},
            "Tháng",
            lambda: _("“%(value)s” is not a month. Write it as mm/yyyy, e.g. 03/2024.") % {"value": "13/2024"},
        ),
        (
            {"month": "05/2024"},
            "Tháng",
            lambda: _("“%(movement)s” has no round for %(month)s.") % {"movement": MOVEMENT, "month": "05/2024"},
        ),
        (
            {"movement": "Phong trào không có"},
            "Phong trào",
            lambda: (
                _("There is no movement “%(name)s” among those you can see. Check the name.")
                % {"name": "Phong trào không có"}
            ),
        ),
    ],
)
def test_bad_values_are_reported_with_their_row_and_column(round_, commune_a_officer, change, column, message):
    rows = [{**row(code="TC1", self_score="30"), **change}]
    outcome = services.attempt(KIND, handle(file_of(rows)), commune_a_officer, write=False)
    assert only_problem(outcome) == (2, column, message())
    assert Scorecard.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_round_that_is_not_open_is_reported_once(movement, district_staff, commune_a_officer, status):
    round_ = campaign_services.round_create(
        user=district_staff, movement=movement, month=date(2024, 4, 1), closes_on=date(2024, 4, 28)
    )
    if status == "closed":
        round_ = campaign_services.round_open(user=district_staff, round_=round_)
        round_ = campaign_services.round_close(user=district_staff, round_=round_)
    outcome = services.attempt(KIND, handle(file_of(card_rows(month="04/2024"))), commune_a_officer, write=False)
    assert only_problem(outcome) == (
        2,
        "Tháng",
        _("The round for %(month)s is %(status)s; scores can only be entered while it is open.")
        % {"month": "04/2024", "status": round_.get_status_display().lower()},
    )
    assert Scorecard.objects.count() == 0


def test_submitting_needs_every_criterion(round_, commune_a_officer):
    rows = card_rows(submit="Có")[:2]
    outcome = services.attempt(KIND, handle(file_of(rows)), commune_a_officer, write=False)
    assert only_problem(outcome) == (
        2,
        "Gửi",
        _("%(unit)s is missing scores for %(codes)s.") % {"unit": "Bản Tổng Kim", "codes": "TC3"},
    )


def test_rows_of_one_unit_must_agree_on_submitting_and_not_repeat(round_, commune_a_officer):
    rows = card_rows(submit="Có")
    rows[2]["submit"] = "Không"
    rows.append(dict(rows[0]))
    outcome = services.attempt(KIND, handle(file_of(rows)), commune_a_officer, write=False)
    assert [(p.row, p.column) for p in outcome.problems.kept] == [(4, "Gửi"), (5, "Mã tiêu chí")]
    assert outcome.problems.kept[1].message == _("This row repeats row %(row)s (same round, unit and criterion).") % {
        "row": 2
    }


# --- Round trip ----------------------------------------------------------------------------------


def _entries():
    return sorted(
        ScoreEntry.objects.values_list(
            "scorecard__round_id",
            "scorecard__unit_id",
            "scorecard__status",
            "criterion__code",
            "self_score",
            "evidence_note",
        ),
        key=str,
    )


def test_round_trip_with_the_rounds_export(client, tree, round_, commune_a_officer, district_staff):
    village = UnitFactory(name="Bản Khuổi Phường", kind=UnitKind.VILLAGE, parent=tree.commune_a)
    criteria = {c.code: c for c in round_.movement.criteria_sets.get().criteria.all()}
    entries = {
        criteria["TC1"].pk: campaign_services.EntryInput(self_score=Decimal("38.5"), evidence_note="Biên bản"),
        criteria["TC2"].pk: campaign_services.EntryInput(self_score=Decimal(30)),
        criteria["TC3"].pk: campaign_services.EntryInput(self_score=Decimal(10)),
    }
    sent = campaign_services.scorecard_create(
        user=commune_a_officer, round_=round_, unit=tree.village_a, entries=entries
    )
    campaign_services.scorecard_submit(user=commune_a_officer, scorecard=sent)
    campaign_services.scorecard_create(
        user=commune_a_officer,
        round_=round_,
        unit=village,
        entries={criteria["TC2"].pk: campaign_services.EntryInput(self_score=Decimal(5), evidence_note="Ảnh")},
    )
    before = _entries()
    client.force_login(commune_a_officer)
    page = client.get(reverse("campaigns:round_detail", args=[round_.pk])).content.decode()
    assert f"{reverse('campaigns:round_scores_export', args=[round_.pk])}?export=xlsx" in page
    response = client.get(reverse("campaigns:round_scores_export", args=[round_.pk]), {"export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [SHEET]
    assert len(list(book.active.iter_rows())) == 1 + 6  # two units × three criteria

    ScoreEntry.objects.all().delete()
    Scorecard.objects.all().delete()
    outcome = services.execute(KIND, handle(response.content), commune_a_officer)
    assert outcome.plan.created[SHEET] == 2
    assert _entries() == before

    client.force_login(district_staff)  # without ?export= the address leads to the round's page
    assert client.get(reverse("campaigns:round_scores_export", args=[round_.pk])).status_code == 302


def test_the_export_holds_only_the_cards_the_user_may_see(client, tree, round_, commune_a_officer, commune_b_officer):
    services.execute(KIND, handle(file_of(card_rows())), commune_a_officer)
    client.force_login(commune_b_officer)
    response = client.get(reverse("campaigns:round_scores_export", args=[round_.pk]), {"export": "csv"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1  # the header only
