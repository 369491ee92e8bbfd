"""The scoring grid: who may open and save it, the rows and columns it shows, saving a draft and
submitting, the "what is missing" list, bad input that saves nothing (score above the maximum,
negative, not a number, a unit of another commune, a stale version, a closed round) and a query
count that does not grow with the rows."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns import services
from campaigns.models import Scorecard, ScorecardStatus, ScoreEntry, TargetType
from campaigns.tests.factories import movement_with_criteria, open_round
from organization.models import Role, UnitKind
from organization.tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

MONTH = date(2024, 3, 1)


@pytest.fixture
def movement(tree, district_staff):
    return movement_with_criteria(district_staff, tree.district, maxima=("40", "30", "30"))


@pytest.fixture
def round_(movement, district_staff):
    return open_round(district_staff, movement, MONTH)


def criteria(round_, target=TargetType.VILLAGE):
    return list(round_.movement.criteria_sets.get(target_type=target, year=round_.year).criteria.all())


def grid_url(round_, commune=None, target=None) -> str:
    url = reverse("campaigns:grid", args=[round_.pk])
    query = []
    if target:
        query.append(f"type={target}")
    if commune is not None:
        query.append(f"commune={commune.pk}")
    return f"{url}?{'&'.join(query)}" if query else url


def scores(unit, crits, values, *, version=None, action="save") -> dict:
    data = {f"s-{unit.pk}-{c.pk}": v for c, v in zip(crits, values, strict=True)}
    if version is not None:
        data[f"v-{unit.pk}"] = str(version)
    data["action"] = action
    return data


def state() -> list:
    """Everything the grid may write, to compare before and after a refused save."""
    cards = list(Scorecard.objects.order_by("pk").values_list("pk", "unit_id", "status", "self_total", "version"))
    entries = list(ScoreEntry.objects.order_by("pk").values_list("pk", "self_score"))
    return [cards, entries]


def card_for(user, round_, unit, values, *, submit=False):
    crits = criteria(round_)
    services.grid_save(
        user=user, round_=round_, rows={unit.pk: dict(zip([c.pk for c in crits], values, strict=True))}, submit=submit
    )
    return Scorecard.objects.get(round=round_, unit=unit)


# --- Who may open the grid ---------------------------------------------------------------------


def test_commune_officer_sees_own_villages_with_labelled_inputs(client, tree, round_, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(grid_url(round_))
    assert response.status_code == 200
    page = response.content.decode()
    assert tree.village_a.name in page
    assert tree.village_b.name not in page
    crits = criteria(round_)
    assert f'name="s-{tree.village_a.pk}-{crits[0].pk}"' in page
    assert f'aria-label="{tree.village_a.name} – TC1"' in page
    assert _("max %(max)s") % {"max": "40"} in page
    assert 'name="action" value="submit"' in page
    assert response.context["commune"] == tree.commune_a


def test_commune_officer_cannot_open_another_communes_grid(client, tree, round_, commune_b_officer):
    client.force_login(commune_b_officer)
    assert client.get(grid_url(round_, tree.commune_a)).status_code == 404
    crits = criteria(round_)
    response = client.post(grid_url(round_, tree.commune_a), scores(tree.village_a, crits, ["1", "1", "1"]))
    assert response.status_code == 404
    assert not Scorecard.objects.exists()


def test_district_staff_chooses_among_their_communes(client, tree, round_, district_staff):
    client.force_login(district_staff)
    response = client.get(grid_url(round_))
    assert [c.name for c in response.context["communes"]] == ["Xã Nghĩa Đô", "Xã Vĩnh Yên"]
    response = client.get(grid_url(round_, tree.commune_b))
    page = response.content.decode()
    assert tree.village_b.name in page and tree.village_a.name not in page
    assert 'id="grid-commune"' in page


@pytest.mark.parametrize("persona", ["leader", "viewer"])
def test_read_only_roles_see_the_grid_but_cannot_save(client, tree, round_, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(grid_url(round_, tree.commune_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert tree.village_a.name in page
    assert "data-score " not in page and 'value="submit"' not in page
    assert response.context["read_only_reason"]
    crits = criteria(round_)
    response = client.post(grid_url(round_, tree.commune_a), scores(tree.village_a, crits, ["1", "1", "1"]))
    assert response.status_code == 403
    assert not Scorecard.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, round_):
    response = client.get(grid_url(round_))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_user_outside_the_movement_gets_404(client, tree, round_):
    other = UnitFactory(key="other-district", name="Huyện Khác", kind=UnitKind.DISTRICT, parent=tree.province)
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, unit=other, role=Role.DISTRICT_STAFF)
    client.force_login(stranger)
    assert client.get(grid_url(round_)).status_code == 404


def test_commune_that_is_not_a_commune_param_gets_404(client, tree, round_, district_staff):
    client.force_login(district_staff)
    assert client.get(grid_url(round_, tree.village_a)).status_code == 404
    assert client.get(reverse("campaigns:grid", args=[round_.pk]) + "?commune=abc").status_code == 404


def test_type_select_lists_the_movements_types_and_shows_that_types_units(client, tree, district_staff):
    movement = movement_with_criteria(
        district_staff, tree.district, types=(TargetType.VILLAGE, TargetType.SCHOOL), name="Hai loại"
    )
    school = UnitFactory(key="t-school-a", name="Trường Mầm non Vĩnh Yên", kind=UnitKind.SCHOOL, parent=tree.commune_a)
    round_ = open_round(district_staff, movement, MONTH)
    client.force_login(district_staff)
    response = client.get(grid_url(round_, tree.commune_a, TargetType.SCHOOL))
    page = response.content.decode()
    assert school.name in page and tree.village_a.name not in page
    assert [t for t, _label in response.context["types"]] == [TargetType.VILLAGE, TargetType.SCHOOL]


def test_district_staff_score_district_offices_outside_the_communes(client, tree, district_staff, commune_a_officer):
    movement = movement_with_criteria(
        district_staff, tree.district, types=(TargetType.VILLAGE, TargetType.OFFICE), name="Công sở"
    )
    office_a = UnitFactory(key="t-tru-so-a", name="Trụ sở xã Vĩnh Yên", kind=UnitKind.OFFICE, parent=tree.commune_a)
    round_ = open_round(district_staff, movement, MONTH)
    client.force_login(district_staff)
    url = reverse("campaigns:grid", args=[round_.pk]) + "?type=office&commune=area"
    response = client.get(url)
    names = [row.unit.name for row in response.context["rows"]]
    assert tree.agency.name in names and tree.peoples_committee.name in names
    assert office_a.name not in names  # scored in Vĩnh Yên's grid
    assert 'value="area" selected' in response.content.decode()
    crits = criteria(round_, TargetType.OFFICE)
    data = {"action": "submit"}
    for row in response.context["rows"]:
        data.update({k: v for k, v in scores(row.unit, crits, ["40", "30", "30"], version=0).items() if k != "action"})
    response = client.post(url, data)
    assert response.status_code == 302
    card = Scorecard.objects.get(unit=tree.agency)
    assert (card.status, card.commune) == (ScorecardStatus.SUBMITTED, None)
    assert Scorecard.objects.count() == len(names)
    # Commune officers are not offered the district's units.
    client.force_login(commune_a_officer)
    assert client.get(url).status_code == 404


# --- Saving and submitting ---------------------------------------------------------------------


def test_save_draft_accepts_vietnamese_decimals_and_keeps_blanks(client, tree, round_, commune_a_officer):
    client.force_login(commune_a_officer)
    crits = criteria(round_)
    response = client.post(grid_url(round_), scores(tree.village_a, crits, ["7,5", "30", ""], version=0))
    assert response.status_code == 302
    card = Scorecard.objects.get(round=round_, unit=tree.village_a)
    assert card.status == ScorecardStatus.DRAFT
    assert card.self_total == Decimal("37.5")
    stored = dict(card.entries.values_list("criterion__code", "self_score"))
    assert stored == {"TC1": Decimal("7.5"), "TC2": Decimal("30"), "TC3": None}
    page = client.get(response["Location"]).content.decode()
    assert 'value="7,5"' in page
    saved = ngettext(
        "Saved the scores of %(count)s unit as a draft.", "Saved the scores of %(count)s units as a draft.", 1
    )
    assert saved % {"count": 1} in page


def test_save_draft_does_not_create_empty_scorecards(client, tree, round_, commune_a_officer):
    extra = UnitFactory(key="t-ban-vanh", name="Bản Vành", kind=UnitKind.VILLAGE, parent=tree.commune_a)
    client.force_login(commune_a_officer)
    crits = criteria(round_)
    data = scores(tree.village_a, crits, ["10", "10", "10"], version=0)
    data.update({k: v for k, v in scores(extra, crits, ["", "", ""], version=0).items() if k != "action"})
    assert client.post(grid_url(round_), data).status_code == 302
    assert list(Scorecard.objects.values_list("unit_id", flat=True)) == [tree.village_a.pk]


def test_missing_panel_lists_each_unit_and_its_missing_codes(client, tree, round_, commune_a_officer):
    extra = UnitFactory(key="t-ban-vanh", name="Bản Vành", kind=UnitKind.VILLAGE, parent=tree.commune_a)
    card_for(commune_a_officer, round_, tree.village_a, ["10", None, "5"])
    client.force_login(commune_a_officer)
    response = client.get(grid_url(round_))
    missing = {row.unit.name: row.missing for row in response.context["missing_rows"]}
    assert missing == {tree.village_a.name: ["TC2"], extra.name: ["TC1", "TC2", "TC3"]}
    page = response.content.decode()
    assert f"{tree.village_a.name}: <span data-missing-codes>TC2</span>" in page


def test_submit_with_missing_scores_is_refused_with_the_list_and_saves_nothing(client, tree, round_, commune_a_officer):
    extra = UnitFactory(key="t-ban-vanh", name="Bản Vành", kind=UnitKind.VILLAGE, parent=tree.commune_a)
    client.force_login(commune_a_officer)
    crits = criteria(round_)
    data = scores(tree.village_a, crits, ["10", "10", "10"], version=0, action="submit")
    data.update({k: v for k, v in scores(extra, crits, ["5", "", ""], version=0).items() if k != "action"})
    before = state()
    response = client.post(grid_url(round_), data)
    assert response.status_code == 200
    assert state() == before
    problems = " ".join(response.context["problems"])
    assert extra.name in problems and "TC2, TC3" in problems
    # The officer's typing is kept on the page.
    assert 'value="5"' in response.content.decode()


def test_submit_complete_grid_submits_every_row(client, tree, round_, commune_a_officer):
    card_for(commune_a_officer, round_, tree.village_a, ["10", None, None])
    card = Scorecard.objects.get()
    client.force_login(commune_a_officer)
    crits = criteria(round_)
    response = client.post(
        grid_url(round_), scores(tree.village_a, crits, ["40", "30", "29,5"], version=card.version, action="submit")
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == ScorecardStatus.SUBMITTED
    assert card.self_total == Decimal("99.5")
    assert card.submitted_by == commune_a_officer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("41", "40"),
        ("-1", "A score cannot be negative."),
        ("abc", "“abc”"),
        ("7.5", "“7.5”"),
    ],
)
def test_bad_score_names_unit_and_criterion_and_saves_nothing(client, tree, round_, commune_a_officer, value, expected):
    card_for(commune_a_officer, round_, tree.village_a, ["10", "10", "10"])
    card = Scorecard.objects.get()
    client.force_login(commune_a_officer)
    crits = criteria(round_)
    before = state()
    response = client.post(grid_url(round_), scores(tree.village_a, crits, [value, "20", "20"], version=card.version))
    assert response.status_code == 200
    assert state() == before
    problems = response.context["problems"]
    assert len(problems) == 1
    assert problems[0].startswith(f"{tree.village_a.name} – TC1: ")
    assert _(expected) in problems[0]
    assert "is-invalid" in response.content.decode()


def test_stale_version_is_refused_with_a_reload_message(client, tree, round_, commune_a_officer):
    card_for(commune_a_officer, round_, tree.village_a, ["10", "10", "10"])
    card = Scorecard.objects.get()
    seen = card.version
    # A colleague saves meanwhile.
    services.scorecard_update(
        user=commune_a_officer,
        scorecard=card,
        entries={criteria(round_)[0].pk: services.EntryInput(self_score=Decimal(20))},
    )
    client.force_login(commune_a_officer)
    before = state()
    response = client.post(grid_url(round_), scores(tree.village_a, criteria(round_), ["1", "1", "1"], version=seen))
    assert response.status_code == 200
    assert state() == before
    assert response.context["stale"] is True
    message = " ".join(response.context["problems"])
    assert tree.village_a.name in message
    assert _("Reload the grid") in response.content.decode()


def test_a_row_created_meanwhile_is_detected_as_stale(client, tree, round_, commune_a_officer, district_staff):
    client.force_login(commune_a_officer)
    page_version = 0  # the page showed no scorecard for the village
    card_for(district_staff, round_, tree.village_a, ["5", "5", "5"])
    before = state()
    response = client.post(
        grid_url(round_), scores(tree.village_a, criteria(round_), ["1", "1", "1"], version=page_version)
    )
    assert response.context["stale"] is True
    assert state() == before


def test_unit_of_another_commune_posted_by_hand_is_refused(client, tree, round_, commune_a_officer):
    client.force_login(commune_a_officer)
    crits = criteria(round_)
    data = scores(tree.village_a, crits, ["10", "10", "10"], version=0)
    data.update({k: v for k, v in scores(tree.village_b, crits, ["1", "1", "1"]).items() if k != "action"})
    response = client.post(grid_url(round_), data)
    assert response.status_code == 200
    assert not Scorecard.objects.exists()
    assert any(tree.village_b.name in problem for problem in response.context["problems"])


def test_submitted_row_changed_with_save_draft_is_refused(client, tree, round_, commune_a_officer):
    card = card_for(commune_a_officer, round_, tree.village_a, ["10", "10", "10"], submit=True)
    assert card.status == ScorecardStatus.SUBMITTED
    client.force_login(commune_a_officer)
    before = state()
    response = client.post(
        grid_url(round_), scores(tree.village_a, criteria(round_), ["12", "10", "10"], version=card.version)
    )
    assert response.status_code == 200
    assert state() == before
    assert any(tree.village_a.name in problem for problem in response.context["problems"])


def test_verified_rows_are_read_only(client, tree, round_, commune_a_officer, district_staff):
    card = card_for(commune_a_officer, round_, tree.village_a, ["10", "10", "10"], submit=True)
    services.scorecard_verify(user=district_staff, scorecard=card)
    client.force_login(commune_a_officer)
    response = client.get(grid_url(round_))
    page = response.content.decode()
    crits = criteria(round_)
    assert f'name="s-{tree.village_a.pk}-{crits[0].pk}"' not in page
    assert 'data-status="verified"' in page
    # Posting its scores by hand changes nothing either.
    before = state()
    client.post(grid_url(round_), scores(tree.village_a, crits, ["1", "1", "1"], version=card.version + 1))
    assert state() == before


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_round_not_open_shows_a_read_only_grid_with_the_reason(
    client, tree, movement, district_staff, commune_a_officer, status
):
    round_ = services.round_create(user=district_staff, movement=movement, month=MONTH, closes_on=date(2024, 3, 28))
    if status == "closed":
        services.round_open(user=district_staff, round_=round_)
        services.round_close(user=district_staff, round_=round_)
    client.force_login(commune_a_officer)
    response = client.get(grid_url(round_))
    page = response.content.decode()
    assert "data-read-only-reason" in page
    assert "data-score " not in page
    crits = criteria(round_)
    response = client.post(grid_url(round_), scores(tree.village_a, crits, ["1", "1", "1"], version=0))
    assert response.status_code == 200
    assert not Scorecard.objects.exists()
    assert response.context["problems"]


def test_grid_uses_the_rounds_year_criteria(client, tree, movement, district_staff, commune_a_officer):
    services.criteria_set_copy(
        user=district_staff, source=movement.criteria_sets.get(target_type=TargetType.VILLAGE), year=2025
    )
    services.criteria_set_save(
        user=district_staff,
        movement=movement,
        criteria_set=movement.criteria_sets.get(year=2025),
        data=services.CriteriaSetInput(
            target_type=TargetType.VILLAGE,
            year=2025,
            total_points=Decimal(100),
            criteria=[{"code": "MOI", "text": "Tiêu chí mới", "max_points": Decimal(100)}],
        ),
    )
    round_ = open_round(district_staff, movement, MONTH)
    client.force_login(commune_a_officer)
    page = client.get(grid_url(round_)).content.decode()
    assert "TC1" in page and "MOI" not in page


# --- Query count -------------------------------------------------------------------------------


def test_grid_query_count_does_not_grow_with_units(
    client, tree, district_staff, commune_a_officer, django_assert_max_num_queries
):
    movement = movement_with_criteria(district_staff, tree.district, maxima=("20", "20", "20", "20", "20"))
    round_ = open_round(district_staff, movement, MONTH)
    client.force_login(commune_a_officer)

    def add_villages(count):
        for _number in range(count):
            index = tree.commune_a.children.count()
            village = UnitFactory(
                key=f"t-village-{index}", name=f"Thôn {index:02d}", kind=UnitKind.VILLAGE, parent=tree.commune_a
            )
            card_for(commune_a_officer, round_, village, ["10", "10", None, "5", "20"])

    counts = []
    for total in (3, 10):
        add_villages(total - Scorecard.objects.count())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(grid_url(round_))
        assert response.status_code == 200
        assert len(response.context["rows"]) == total + 1  # village_a has no scorecard yet
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(grid_url(round_))


def test_grid_with_six_units_and_five_criteria_is_bounded(client, tree, district_staff, django_assert_max_num_queries):
    movement = movement_with_criteria(district_staff, tree.district, maxima=("20", "20", "20", "20", "20"))
    round_ = open_round(district_staff, movement, MONTH)
    for index in range(5):
        village = UnitFactory(key=f"t-v{index}", name=f"Thôn {index}", kind=UnitKind.VILLAGE, parent=tree.commune_a)
        card_for(district_staff, round_, village, ["1", "2", "3", "4", "5"])
    client.force_login(district_staff)
    with django_assert_max_num_queries(12):
        response = client.get(grid_url(round_, tree.commune_a))
    assert len(response.context["rows"]) == 6
    assert len(response.context["criteria"]) == 5


def test_saving_an_empty_grid_says_there_is_nothing_to_save(client, tree, round_, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(grid_url(round_), scores(tree.village_a, criteria(round_), ["", "", ""], version=0))
    assert response.status_code == 302
    assert not Scorecard.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert _("Nothing to save: type at least one score.") in page


def test_grid_page_has_no_inline_script_and_loads_its_own(client, round_, commune_a_officer):
    client.force_login(commune_a_officer)
    page = client.get(grid_url(round_)).content.decode()
    assert re.search(r"<script(?![^>]*\ssrc=)", page) is None
    assert re.search(r"\son[a-z]+=", page) is None
    assert "js/campaigns_grid.js" in page
