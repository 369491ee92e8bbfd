"""Round pages: creating a month's round, the round page (events with reasons, progress by
commune in a bounded number of queries), and opening, closing and reopening it: who may, what
the services refuse (problems with the criteria, unverified cards, a missing reason, a second
round for the same month) and that a refusal changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns import selectors, services
from campaigns.models import RoundAction, RoundEvent, RoundStatus, Scorecard, ScoringRound, TargetType
from campaigns.tests.factories import movement_with_criteria, open_round
from campaigns.views_scoring import rounds_with_counts
from conftest import _member
from organization.models import Role, UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

MARCH = date(2024, 3, 1)


@pytest.fixture
def movement(tree, district_staff):
    return movement_with_criteria(district_staff, tree.district, launched_by=tree.ban_dan_van)


@pytest.fixture
def round_(movement, district_staff) -> ScoringRound:
    return open_round(district_staff, movement, MARCH)


@pytest.fixture
def other_staff(tree):
    other = UnitFactory(key="t-other", name="Huyện Bắc Hà", kind=UnitKind.DISTRICT, parent=tree.province)
    return _member("other_staff", other, Role.DISTRICT_STAFF)


def full_scores(round_: ScoringRound, points: str = "10") -> dict:
    return {c.pk: points for c in round_.movement.criteria_sets.get(year=round_.year).criteria.all()}


def submit(user, round_: ScoringRound, *units) -> None:
    services.grid_save(user=user, round_=round_, rows={unit.pk: full_scores(round_) for unit in units}, submit=True)


def verify_all(user, round_: ScoringRound) -> None:
    for card in round_.scorecards.filter(status="submitted"):
        services.scorecard_verify(user=user, scorecard=card)


def round_post(**overrides) -> dict:
    data = {"month": "4", "year": "2024", "closes_on": "28/04/2024", "selected_per_type": "3"}
    data["min_percent_for_selection"] = "80"
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Creating a round ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("other_staff", 404),
    ],
)
def test_round_create_by_role(client, request, movement, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:round_create", args=[movement.pk])
    assert client.get(url).status_code == expected
    response = client.post(url, round_post())
    assert response.status_code == (302 if expected == 200 else expected)
    assert ScoringRound.objects.count() == (1 if expected == 200 else 0)


def test_district_staff_create_a_round_with_a_month_picker(client, movement, district_staff):
    client.force_login(district_staff)
    open_round(district_staff, movement, MARCH)
    page = client.get(reverse("campaigns:round_create", args=[movement.pk]))
    assert (page.context["form"].initial["month"], page.context["form"].initial["year"]) == (4, 2024)

    response = client.post(
        reverse("campaigns:round_create", args=[movement.pk]),
        round_post(selected_per_type="5", min_percent_for_selection="72,5"),
    )
    created = ScoringRound.objects.get(month=date(2024, 4, 1))
    assert response.url == reverse("campaigns:round_detail", args=[created.pk])
    assert created.status == RoundStatus.DRAFT
    assert created.closes_on == date(2024, 4, 28)
    assert (created.selected_per_type, str(created.min_percent_for_selection)) == (5, "72.50")


def test_a_second_round_for_the_same_month_is_refused(client, round_, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:round_create", args=[round_.movement.pk]), round_post(month="3"))
    assert response.status_code == 200
    assert response.context["form"].errors["month"] == [
        _("This movement already has a round for %(month)s.") % {"month": "03/2024"}
    ]
    assert ScoringRound.objects.count() == 1


def test_a_round_before_the_launch_or_closing_before_its_month_is_refused(client, movement, district_staff):
    client.force_login(district_staff)
    url = reverse("campaigns:round_create", args=[movement.pk])
    response = client.post(url, round_post(month="12", year="2023", closes_on=""))
    assert response.context["form"].errors["month"] == [_("The round is before the movement was launched.")]
    response = client.post(url, round_post(closes_on="15/03/2024"))
    assert response.context["form"].errors["closes_on"] == [_("The closing date is before the month being scored.")]
    response = client.post(url, round_post(min_percent_for_selection="120"))
    assert response.context["form"].errors["min_percent_for_selection"]
    assert ScoringRound.objects.count() == 0


# --- The round page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "manages"),
    [
        ("district_staff", 200, True),
        ("commune_a_officer", 200, False),
        ("commune_b_officer", 200, False),
        ("leader", 200, False),
        ("viewer", 200, False),
        ("other_staff", 404, False),
    ],
)
def test_round_page_by_role(client, request, round_, persona, status, manages):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("campaigns:round_detail", args=[round_.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["may_manage"] is manages
        assert (reverse("campaigns:round_close", args=[round_.pk]).encode() in response.content) is manages
        assert reverse("campaigns:grid", args=[round_.pk]).encode() in response.content


def test_anonymous_is_sent_to_login_from_every_round_page(client, round_):
    for name in ("round_detail", "round_close", "round_reopen"):
        response = client.get(reverse(f"campaigns:{name}", args=[round_.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
    response = client.post(reverse("campaigns:round_close", args=[round_.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN


def test_round_page_counts_scorecards_per_commune(client, tree, round_, district_staff, commune_a_officer):
    extra_village = UnitFactory(key="t-extra", name="Thôn Khuổi Phèn", kind=UnitKind.VILLAGE, parent=tree.commune_a)
    submit(commune_a_officer, round_, tree.village_a)
    services.grid_save(user=district_staff, round_=round_, rows={extra_village.pk: {}})
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:round_detail", args=[round_.pk]))
    rows = {line["row"].name: line["row"] for line in response.context["progress"]}
    commune_a, commune_b = rows[tree.commune_a.name], rows[tree.commune_b.name]
    assert (commune_a.eligible, commune_a.draft, commune_a.submitted, commune_a.verified) == (2, 1, 1, 0)
    assert commune_a.not_started == 0
    assert (commune_b.eligible, commune_b.not_started) == (1, 1)
    total = response.context["total"]
    assert (total.eligible, total.draft, total.submitted, total.not_started) == (3, 1, 1, 1)
    # The officer's own commune links to its grid; the other commune's grid would answer 404.
    links = {line["row"].name: line["grid_url"] for line in response.context["progress"]}
    grid = reverse("campaigns:grid", args=[round_.pk])
    assert links == {tree.commune_a.name: f"{grid}?commune={tree.commune_a.pk}", tree.commune_b.name: None}


def test_offices_outside_the_communes_have_their_own_row(client, tree, district_staff):
    movement = movement_with_criteria(
        district_staff, tree.district, types=(TargetType.OFFICE,), name="Công sở văn minh"
    )
    round_ = open_round(district_staff, movement, MARCH)
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:round_detail", args=[round_.pk]))
    rows = [line["row"] for line in response.context["progress"]]
    assert [row.unit_id for row in rows] == [None]
    assert response.context["progress"][0]["grid_url"].endswith("?commune=area")
    # The Party committee, its board, the People's Committee and its department; not the standing board.
    assert rows[0].eligible == selectors.eligible_units(round_).count() == 4


@pytest.mark.parametrize("communes", [2, 8])
def test_round_page_query_count_does_not_grow_with_communes(
    client, tree, movement, district_staff, django_assert_max_num_queries, communes
):
    villages = [tree.village_a, tree.village_b]
    for index in range(communes):
        commune = UnitFactory(key=f"t-c{index}", name=f"Xã {index}", parent=tree.district)
        villages += [
            UnitFactory(key=f"t-c{index}-v{n}", name=f"Thôn {index}.{n}", kind=UnitKind.VILLAGE, parent=commune)
            for n in range(3)
        ]
    round_ = open_round(district_staff, movement, MARCH)
    submit(district_staff, round_, *villages[::2])
    verify_all(district_staff, round_)
    services.round_close(user=district_staff, round_=round_)
    services.round_reopen(user=district_staff, round_=round_, reason="Bổ sung thôn còn thiếu")
    services.grid_save(user=district_staff, round_=round_, rows={villages[1].pk: full_scores(round_)})
    client.force_login(district_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaigns:round_detail", args=[round_.pk]))
    assert response.context["total"].eligible == len(villages)
    assert response.context["total"].verified == len(villages[::2])
    assert response.context["total"].draft == 1


def test_the_movement_page_counts_eligible_units_as_the_selector_does(tree, movement, district_staff):
    UnitFactory(
        key="t-gone",
        name="Thôn đã sáp nhập",
        kind=UnitKind.VILLAGE,
        parent=tree.commune_a,
        valid_to=date(2024, 3, 15),
    )
    rounds = [
        services.round_create(user=district_staff, movement=movement, month=month)
        for month in (date(2024, 3, 1), date(2024, 4, 1))
    ]
    counts = {row["round"].pk: row["eligible"] for row in rounds_with_counts(movement)}
    assert counts == {r.pk: selectors.eligible_units(r).count() for r in rounds}
    assert [counts[r.pk] for r in rounds] == [3, 2]


# --- Opening -------------------------------------------------------------------------------------


def test_district_staff_open_a_draft_round_with_its_closing_date(client, movement, district_staff):
    draft = services.round_create(user=district_staff, movement=movement, month=MARCH)
    client.force_login(district_staff)
    page = client.get(reverse("campaigns:round_detail", args=[draft.pk]))
    assert page.context["problems"] == []
    assert b'data-confirm="' in page.content

    response = client.post(reverse("campaigns:round_open", args=[draft.pk]), {"closes_on": "25/03/2024"})
    assert response.url == reverse("campaigns:round_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.status, draft.closes_on) == (RoundStatus.OPEN, date(2024, 3, 25))
    assert list(draft.events.values_list("action", flat=True)) == [RoundAction.OPEN]


def test_a_round_with_criteria_problems_shows_them_and_does_not_open(client, movement, district_staff):
    services.movement_update(
        user=district_staff, movement=movement, values={"target_types": ["village", "office"]}, expected_version=1
    )
    draft = services.round_create(user=district_staff, movement=movement, month=MARCH, closes_on=date(2024, 3, 28))
    problem = _("No criteria for %(type)s in %(year)s.") % {"type": TargetType.OFFICE.label, "year": 2024}
    client.force_login(district_staff)
    page = client.get(reverse("campaigns:round_detail", args=[draft.pk]))
    assert page.context["problems"] == [problem]
    assert problem.encode() in page.content
    assert reverse("campaigns:round_open", args=[draft.pk]).encode() not in page.content

    response = client.post(reverse("campaigns:round_open", args=[draft.pk]), {"closes_on": ""}, follow=True)
    assert messages_of(response) == [_("The round was not opened: %(errors)s") % {"errors": problem}]
    draft.refresh_from_db()
    assert draft.status == RoundStatus.DRAFT
    assert not RoundEvent.objects.exists()


def test_opening_without_a_closing_date_is_refused(client, movement, district_staff):
    draft = services.round_create(user=district_staff, movement=movement, month=MARCH)
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:round_open", args=[draft.pk]), {"closes_on": ""}, follow=True)
    assert messages_of(response) == [
        _("The round was not opened: %(errors)s") % {"errors": _("Give the date the round closes.")}
    ]
    draft.refresh_from_db()
    assert draft.status == RoundStatus.DRAFT


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("commune_a_officer", 403), ("leader", 403), ("viewer", 403), ("other_staff", 404)],
)
def test_only_the_movements_staff_open_close_and_reopen(client, request, movement, district_staff, persona, expected):
    draft = services.round_create(user=district_staff, movement=movement, month=MARCH, closes_on=date(2024, 3, 28))
    opened = open_round(district_staff, movement, date(2024, 4, 1))
    closed = services.round_close(user=district_staff, round_=open_round(district_staff, movement, date(2024, 5, 1)))
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("campaigns:round_open", args=[draft.pk])).status_code == expected
    assert client.get(reverse("campaigns:round_close", args=[opened.pk])).status_code == expected
    assert client.post(reverse("campaigns:round_close", args=[opened.pk])).status_code == expected
    assert client.get(reverse("campaigns:round_reopen", args=[closed.pk])).status_code == expected
    response = client.post(reverse("campaigns:round_reopen", args=[closed.pk]), {"reason": "Sai điểm"})
    assert response.status_code == expected
    statuses = list(ScoringRound.objects.order_by("month").values_list("status", flat=True))
    assert statuses == [RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED]


def test_open_refuses_get(client, movement, district_staff):
    draft = services.round_create(user=district_staff, movement=movement, month=MARCH)
    client.force_login(district_staff)
    assert client.get(reverse("campaigns:round_open", args=[draft.pk])).status_code == 405


# --- Closing -------------------------------------------------------------------------------------


def test_closing_with_unverified_cards_is_refused_with_the_services_message(
    client, tree, round_, district_staff, commune_a_officer
):
    submit(commune_a_officer, round_, tree.village_a)
    client.force_login(district_staff)
    page = client.get(reverse("campaigns:round_close", args=[round_.pk]))
    assert (page.context["waiting"], page.context["verified"], page.context["drafts"]) == (1, 0, 0)

    response = client.post(reverse("campaigns:round_close", args=[round_.pk]))
    assert response.status_code == 200
    expected = _("%(count)s submitted scorecards are not verified yet (%(names)s); verify them before closing.") % {
        "count": 1,
        "names": tree.village_a.name,
    }
    assert response.context["errors"] == [expected]
    assert expected.encode() in response.content
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    assert Scorecard.objects.get().rank_in_type is None


def test_closing_ranks_the_verified_cards_and_logs_the_event(client, tree, round_, district_staff, commune_a_officer):
    submit(commune_a_officer, round_, tree.village_a)
    verify_all(district_staff, round_)
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:round_close", args=[round_.pk]))
    assert response.url == reverse("campaigns:round_detail", args=[round_.pk])
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    assert Scorecard.objects.get().rank_in_type == 1
    page = client.get(response.url)
    assert [event.action for event in page.context["events"]] == [RoundAction.OPEN, RoundAction.CLOSE]
    assert reverse("campaigns:ranking", args=[round_.pk]).encode() in page.content
    assert reverse("campaigns:round_reopen", args=[round_.pk]).encode() in page.content


def test_the_close_page_of_a_round_that_is_not_open_offers_no_button(client, movement, district_staff):
    draft = services.round_create(user=district_staff, movement=movement, month=MARCH)
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:round_close", args=[draft.pk]))
    assert response.context["errors"] == [_("Only an open round can be closed.")]
    assert _("Close and rank").encode() not in response.content


# --- Reopening -----------------------------------------------------------------------------------


def test_reopening_without_a_reason_is_refused_and_changes_nothing(client, round_, district_staff):
    services.round_close(user=district_staff, round_=round_)
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:round_reopen", args=[round_.pk]), {"reason": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    assert not round_.events.filter(action=RoundAction.REOPEN).exists()


def test_reopening_with_a_reason_logs_it_and_shows_it(client, tree, round_, district_staff, commune_a_officer):
    submit(commune_a_officer, round_, tree.village_a)
    verify_all(district_staff, round_)
    services.round_close(user=district_staff, round_=round_)
    client.force_login(district_staff)
    response = client.post(
        reverse("campaigns:round_reopen", args=[round_.pk]), {"reason": "Xã Vĩnh Yên nhập nhầm điểm TC2"}
    )
    assert response.url == reverse("campaigns:round_detail", args=[round_.pk])
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    assert Scorecard.objects.get().rank_in_type is None
    event = round_.events.get(action=RoundAction.REOPEN)
    assert (event.reason, event.by) == ("Xã Vĩnh Yên nhập nhầm điểm TC2", district_staff)
    client.force_login(commune_a_officer)
    page = client.get(response.url)
    assert "Xã Vĩnh Yên nhập nhầm điểm TC2".encode() in page.content


def test_reopening_an_open_round_is_refused(client, round_, district_staff):
    client.force_login(district_staff)
    page = client.get(reverse("campaigns:round_reopen", args=[round_.pk]))
    assert _("Only a closed round can be reopened.").encode() in page.content
    assert _("Reopen the round").encode() + b"</button>" not in page.content
    response = client.post(reverse("campaigns:round_reopen", args=[round_.pk]), {"reason": "Thử"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [_("Only a closed round can be reopened.")]
    assert round_.events.count() == 1
