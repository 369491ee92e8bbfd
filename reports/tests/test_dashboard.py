"""The leaders' dashboard (``reports:dashboard``) on the demo data.

Who may look (role matrix, 404 outside the scope), that every figure on the page is
``reports.kpis.compute`` for the same unit and period, that the links behind the cards list the
records the card counts, that a bad period gives a message and a sane default, and how many
queries a first and a cached load take.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from dialogues.models import Petition
from dialogues.tests.factories import PetitionFactory
from organization.models import Membership, Role, Unit, User
from organization.tests.factories import UserFactory
from programs import metrics as program_metrics
from reports import dashboard, kpis, sections
from reports.periods import Period, previous, same_period_last_year

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("reports:dashboard")
YEAR_2024 = {"period": "year", "year": "2024"}
Q3_2024 = {"period": "quarter", "year": "2024", "quarter": "3"}
SPRING_2025 = datetime(2025, 4, 15, 9, 0, tzinfo=TZ)


@pytest.fixture
def demo(demo_data, db):
    """The demo, seeded once for this module (see conftest.demo_data)."""


@pytest.fixture(autouse=True, scope="module")
def empty_cache():
    # The dashboard caches its figures for a minute. The demo is the same in every test of this
    # module, so read-only tests share what an earlier one computed (much faster); the tests that
    # add records use ``fresh_cache``.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def unit(key: str) -> Unit:
    return Unit.objects.get(key=key)


def login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def get(client, **params):
    return client.get(URL, params)


def problems(response) -> list[str]:
    return response.context["problems"]


# --- Who may look ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "default_key"),
    [
        ("demo_leader", "bao-yen"),
        ("demo_district", "bao-yen"),
        ("demo_commune", "bao-yen/vinh-yen"),
        ("demo_commune2", "bao-yen/nghia-do"),
        ("demo_agency", "bao-yen/ubnd/tai-nguyen-moi-truong"),
    ],
)
def test_each_member_opens_the_dashboard_of_their_own_unit(client, demo, username, default_key):
    login(client, username)
    response = get(client, **YEAR_2024)
    assert response.status_code == 200
    assert response.context["unit"] == unit(default_key)
    assert response.context["period"] == Period("year", date(2024, 1, 1), date(2024, 12, 31))


def test_an_administrator_without_membership_gets_the_highest_unit(client, demo):
    login(client, "demo_admin")
    response = get(client, **YEAR_2024)
    assert response.status_code == 200
    assert response.context["unit"].depth == 0


def test_agency_officer_sees_the_empty_state_for_their_agency(client, demo):
    login(client, "demo_agency")
    response = get(client, **YEAR_2024)
    assert response.status_code == 200
    assert response.context["has_data"] is False
    with translation.override("vi"):
        assert translation.gettext("Nothing was recorded for this unit in this period") in response.content.decode()
    # Only units the agency officer can see are offered (none of the district or communes).
    assert list(response.context["units"]) == []


def test_viewer_of_a_commune_sees_that_commune(client, demo):
    viewer = UserFactory(username="viewer_vinh_yen")
    Membership.objects.create(user=viewer, unit=unit("bao-yen/vinh-yen"), role=Role.VIEWER)
    client.force_login(viewer)
    response = get(client, **YEAR_2024)
    assert response.status_code == 200
    assert response.context["unit"] == unit("bao-yen/vinh-yen")


@pytest.mark.parametrize(
    ("username", "target_key"),
    [
        ("demo_commune", "bao-yen"),
        ("demo_commune", "bao-yen/nghia-do"),
        ("demo_commune2", "bao-yen/vinh-yen"),
        ("demo_agency", "bao-yen"),
        ("demo_leader", "xa-nghia-do"),  # the commune formed in 2025 lies under the province
    ],
)
def test_a_unit_outside_the_users_scope_answers_404(client, demo, username, target_key):
    login(client, username)
    assert get(client, unit=unit(target_key).pk, **YEAR_2024).status_code == 404


def test_an_unknown_unit_answers_404(client, demo):
    login(client, "demo_leader")
    assert get(client, unit=10**9, **YEAR_2024).status_code == 404


def test_a_user_without_any_unit_gets_404(client, demo):
    client.force_login(UserFactory(username="nobody"))
    assert get(client).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, demo):
    response = get(client, **YEAR_2024)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_only_answers_get(client, demo):
    login(client, "demo_leader")
    assert client.post(URL, YEAR_2024).status_code == 405


# --- One definition per figure --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "params", "start", "end"),
    [
        ("bao-yen", YEAR_2024, date(2024, 1, 1), date(2024, 12, 31)),
        ("bao-yen", Q3_2024, date(2024, 7, 1), date(2024, 9, 30)),
        ("bao-yen/vinh-yen", YEAR_2024, date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_every_card_shows_the_kpi_set_of_the_same_unit_and_period(client, demo, key, params, start, end):
    login(client, "demo_leader")
    target = unit(key)
    response = get(client, unit=target.pk, **params)
    period = Period(params["period"], start, end)
    expected = kpis.compute([target], start, end)
    before, last_year = previous(period), same_period_last_year(period)
    figures = response.context["figures"]
    assert figures["period"]["kpis"] == expected
    assert figures["previous"]["kpis"] == kpis.compute([target], before.start, before.end)
    assert figures["last_year"]["kpis"] == kpis.compute([target], last_year.start, last_year.end)
    cards = {card["key"]: card for card in response.context["cards"]}
    assert set(cards) == set(kpis.BY_KEY)
    for kpi_key, value in expected.items():
        assert cards[kpi_key]["value"] == dashboard.number(value), kpi_key
    assert figures["trend"] == sections.trend([target], end, dashboard.TREND_KEYS)


def test_figures_are_printed_in_vietnamese_number_format(client, demo):
    login(client, "demo_leader")
    response = get(client, **YEAR_2024)
    figures = kpis.compute([unit("bao-yen")], date(2024, 1, 1), date(2024, 12, 31))
    html = response.content.decode()
    value = f"{figures['value_mobilized_vnd']:,}".replace(",", ".")  # 227.000.000
    assert figures["value_mobilized_vnd"] >= 1_000_000
    assert re.search(rf"data-kpi-value>{re.escape(value)}<small[^>]*> đồng", html)
    rate = figures["on_time_rate"].replace(".", ",")  # 36,8
    assert f"data-kpi-value>{rate}&nbsp;%" in html


def test_changes_compare_with_the_previous_period_and_last_year(client, demo):
    login(client, "demo_leader")
    response = get(client, **YEAR_2024)
    cards = {card["key"]: card for card in response.context["cards"]}
    this_year = kpis.compute([unit("bao-yen")], date(2024, 1, 1), date(2024, 12, 31))
    last_year = kpis.compute([unit("bao-yen")], date(2023, 1, 1), date(2023, 12, 31))
    received = cards["petitions_received"]["last_year"]
    assert received["base"] == last_year["petitions_received"]
    difference = this_year["petitions_received"] - last_year["petitions_received"]
    assert received["direction"] == ("up" if difference > 0 else "down" if difference < 0 else "same")
    if last_year["petitions_received"]:
        expected = round(abs(difference) * 100 / last_year["petitions_received"], 1)
        assert float(received["percent"]) == pytest.approx(expected, abs=0.05)
    # More overdue petitions is bad news, more programs good news.
    assert dashboard.change(5, 3, kpis.BY_KEY["petitions_overdue"])["tone"] == "bad"
    assert dashboard.change(5, 3, kpis.BY_KEY["programs"])["tone"] == "good"
    # Percentages move by points, and nothing is divided by zero.
    assert dashboard.change("60.0", "50.0", kpis.BY_KEY["on_time_rate"])["points"] == 10
    assert dashboard.change(4, 0, kpis.BY_KEY["programs"])["percent"] is None
    assert dashboard.change(None, 3, kpis.BY_KEY["movement_average_score"])["direction"] is None


def test_commune_ranking_rows_are_each_communes_kpi_set(client, demo):
    login(client, "demo_leader")
    response = get(client, **YEAR_2024)
    rows = {row["unit_id"]: row for row in response.context["communes"]}
    vinh_yen = unit("bao-yen/vinh-yen")
    assert rows[vinh_yen.pk]["kpis"] == kpis.compute([vinh_yen], date(2024, 1, 1), date(2024, 12, 31))
    assert len(rows) == len(sections.communes_of([unit("bao-yen")]))
    ranks = [row["rank"] for row in response.context["communes"]]
    assert ranks == sorted(ranks)


def test_commune_ranking_sorts_by_a_kpi_and_ignores_unknown_columns(client, demo):
    login(client, "demo_leader")
    received = [
        row["kpis"]["petitions_received"]
        for row in get(client, sort="-petitions_received", **YEAR_2024).context["communes"]
    ]
    assert received == sorted(received, reverse=True)
    ascending = [
        row["kpis"]["petitions_received"]
        for row in get(client, sort="petitions_received", **YEAR_2024).context["communes"]
    ]
    assert ascending == sorted(ascending)
    response = get(client, sort="password", **YEAR_2024)
    assert response.status_code == 200
    assert response.context["sort"] == ""
    assert [row["rank"] for row in response.context["communes"]] == sorted(
        row["rank"] for row in response.context["communes"]
    )


def test_a_merged_commune_counts_the_old_units_it_continues_when_asked(client, demo):
    login(client, "demo_admin")
    new_commune = unit("xa-nghia-do")
    old_units = list(new_commune.predecessors.order_by("path"))
    assert old_units
    alone = get(client, unit=new_commune.pk, **YEAR_2024)
    assert alone.context["figures"]["period"]["kpis"] == kpis.compute(
        [new_commune], date(2024, 1, 1), date(2024, 12, 31)
    )
    merged = get(client, unit=new_commune.pk, predecessors="1", **YEAR_2024)
    assert merged.context["with_predecessors"] is True
    assert merged.context["figures"]["period"]["kpis"] == kpis.compute(
        [new_commune, *old_units], date(2024, 1, 1), date(2024, 12, 31)
    )
    assert {row["unit_id"] for row in merged.context["communes"]} == {new_commune.pk, *(u.pk for u in old_units)}


# --- Drill-down: the links list what the card counts --------------------------------------------


def card_url(response, key: str) -> str:
    return next(card["url"] for card in response.context["cards"] if card["key"] == key)


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


@pytest.mark.parametrize("key", ["bao-yen", "bao-yen/vinh-yen"])
def test_petitions_received_card_links_to_exactly_those_petitions(client, demo, key):
    login(client, "demo_leader")
    response = get(client, unit=unit(key).pk, **YEAR_2024)
    received = response.context["figures"]["period"]["kpis"]["petitions_received"]
    assert received > 0
    url = card_url(response, "petitions_received")
    assert parse_qs(urlsplit(url).query) == {
        "unit": [str(unit(key).pk)],
        "received_from": ["2024-01-01"],
        "received_to": ["2024-12-31"],
    }
    assert listed(client, url) == received


def test_dialogue_and_donation_cards_of_the_district_list_what_they_count(client, demo):
    login(client, "demo_leader")
    response = get(client, **YEAR_2024)
    figures = response.context["figures"]["period"]["kpis"]
    assert listed(client, card_url(response, "dialogues")) == figures["dialogues"]
    donations = program_metrics.donations([unit("bao-yen")], date(2024, 1, 1), date(2024, 12, 31))
    assert listed(client, card_url(response, "land_donated_m2")) == donations["donors"]


def test_program_card_lists_the_programs_of_the_period_in_every_status(client, demo):
    # The program list cannot select "held or reviewed" at once: it lists every status, and the
    # card counts those that took place (docs/dashboard.md, the drill-down mapping).
    login(client, "demo_leader")
    response = get(client, **YEAR_2024)
    by_status = program_metrics.programs_by_status([unit("bao-yen")], date(2024, 1, 1), date(2024, 12, 31))
    shown = listed(client, card_url(response, "programs"))
    assert shown == sum(by_status.values())
    assert response.context["figures"]["period"]["kpis"]["programs"] == by_status["held"] + by_status["reviewed"]


def test_overdue_card_of_a_running_period_links_to_the_same_petitions(client, demo, time_machine):
    time_machine.move_to(SPRING_2025, tick=False)
    login(client, "demo_leader")
    response = get(client, period="year", year="2025")
    overdue = response.context["overdue_count"]
    assert overdue > 0
    assert response.context["overdue_on"] == date(2025, 4, 15)
    assert listed(client, card_url(response, "petitions_overdue")) == overdue
    rows = response.context["overdue_rows"]
    assert len(rows) == min(overdue, dashboard.OVERDUE_ROWS)
    assert [row["deadline"] for row in rows] == sorted(row["deadline"] for row in rows)
    assert all(row["days_overdue"] > 0 for row in rows)
    petition = client.get(rows[0]["url"])
    assert petition.status_code == 200
    assert petition.context["petition"].pk == rows[0]["id"]


def test_each_commune_links_to_its_own_dashboard_for_the_same_period(client, demo):
    login(client, "demo_leader")
    response = get(client, **Q3_2024)
    vinh_yen = unit("bao-yen/vinh-yen")
    row = next(row for row in response.context["communes"] if row["unit_id"] == vinh_yen.pk)
    assert f'href="{row["url"]}"'.replace("&", "&amp;") in response.content.decode()
    drilled = client.get(row["url"])
    assert drilled.status_code == 200
    assert drilled.context["unit"] == vinh_yen
    assert drilled.context["period"] == Period("quarter", date(2024, 7, 1), date(2024, 9, 30))
    # The breadcrumbs lead back up to the district, for the same period.
    crumbs = dict(drilled.context["breadcrumbs"])
    assert "quarter=3" in crumbs["Huyện Bảo Yên"]
    assert f"unit={unit('bao-yen').pk}" in crumbs["Huyện Bảo Yên"]


def test_a_commune_officer_drills_down_to_nothing_outside_their_commune(client, demo):
    login(client, "demo_commune")
    response = get(client, **YEAR_2024)
    assert response.context["show_ranking"] is False
    names = [label for label, _url in response.context["breadcrumbs"]]
    assert "Huyện Bảo Yên" not in names


# --- Bad input: a message and a sane default, never a 500 ---------------------------------------


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"period": "quarter", "year": "2024", "quarter": "7"}, "Quarter"),
        ({"period": "month", "year": "abc", "month": "3"}, "Year"),
        ({"period": "week", "year": "2024"}, "Period"),
        ({"period": "month", "year": "2024"}, "Choose the month"),
        ({"period": "quarter", "start": "2024-02-01"}, "A quarterly report runs from 1 January"),
        ({"period": "year", "start": "2024-13-45"}, "Starting on"),
        ({"period": "year", "year": "1999"}, "Year"),
        ({"period": "year", "year": "2999"}, "Year"),
        ({"year": "2024"}, "Choose the kind of period"),
        ({"unit": "abc", "period": "year", "year": "2024"}, "is not a unit number"),
    ],
)
def test_bad_parameters_show_a_message_and_a_default(client, demo, time_machine, params, words):
    time_machine.move_to(SPRING_2025, tick=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the field names as written here
    login(client, "demo_leader")
    response = get(client, **params)
    assert response.status_code == 200
    assert any(words in problem for problem in problems(response)), problems(response)
    assert response.context["unit"] == unit("bao-yen")
    if "unit" not in params:
        # The last complete month before 15/4/2025.
        assert response.context["period"] == Period("month", date(2025, 3, 1), date(2025, 3, 31))
    assert 'role="alert" data-period-problem' in response.content.decode()


def test_a_period_can_be_given_by_its_first_day(client, demo):
    login(client, "demo_leader")
    response = get(client, period="quarter", start="2024-07-01")
    assert problems(response) == []
    assert response.context["period"] == Period("quarter", date(2024, 7, 1), date(2024, 9, 30))


def test_without_parameters_the_last_complete_month_is_shown(client, demo, time_machine):
    time_machine.move_to(SPRING_2025, tick=False)
    login(client, "demo_leader")
    response = get(client)
    assert problems(response) == []
    assert response.context["period"] == Period("month", date(2025, 3, 1), date(2025, 3, 31))
    # The demo stops in 2024: nothing in March 2025, and the page says what to do.
    assert response.context["has_data"] is False
    with translation.override("vi"):
        assert translation.gettext("Nothing was recorded for this unit in this period") in response.content.decode()


def test_links_keep_the_chosen_period(client, demo):
    login(client, "demo_leader")
    response = get(client, **Q3_2024)
    for column in response.context["ranking_columns"]:
        query = parse_qs(urlsplit(column["url"]).query)
        assert (query["period"], query["year"], query["quarter"]) == (["quarter"], ["2024"], ["3"])
    html = response.content.decode()
    assert '<option value="quarter" selected>' in html
    assert '<option value="3" selected>III</option>' in html


# --- The page itself ------------------------------------------------------------------------------


def test_charts_are_drawn_from_a_json_script_with_the_trend_figures(client, demo):
    login(client, "demo_leader")
    response = get(client, **YEAR_2024)
    html = response.content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert "/static/vendor/chart.js/chart.umd.min.js" in html
    assert "/static/js/dashboard.js" in html
    # No inline script: every <script> is a file or the JSON data block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    data = response.context["chart_data"]
    trend = response.context["figures"]["trend"]
    assert data["activity"]["labels"][0] == "01/2024"
    assert data["activity"]["labels"][-1] == "12/2024"
    received = next(series for series in data["activity"]["datasets"] if series["key"] == "petitions_received")
    assert received["data"] == [row["petitions_received"] for row in trend]
    assert sum(received["data"]) == response.context["figures"]["period"]["kpis"]["petitions_received"]
    for name in ("activity", "value", "comparison"):
        assert f'data-chart="{name}"' in html


def test_the_page_offers_a_print_layout(client, demo):
    login(client, "demo_leader")
    html = get(client, **YEAR_2024).content.decode()
    assert "data-print hidden" in html
    assert "/static/css/dashboard.css" in html
    assert 'class="dashboard-filters' in html and "d-print-none" in html


# --- Performance: cached, and bounded by units and months, not by records -----------------------


def first_load_queries(client, django_assert_max_num_queries, bound: int) -> int:
    cache.clear()
    with django_assert_max_num_queries(bound) as captured:
        assert get(client, **YEAR_2024).status_code == 200
    return len(captured)


def test_a_second_load_is_served_from_the_cache(client, demo, fresh_cache, django_assert_max_num_queries):
    login(client, "demo_leader")
    first_load_queries(client, django_assert_max_num_queries, 450)
    with django_assert_max_num_queries(12):
        response = get(client, **YEAR_2024)
    assert response.context["figures"]["period"]["kpis"] == kpis.compute(
        [unit("bao-yen")], date(2024, 1, 1), date(2024, 12, 31)
    )


def test_first_load_does_not_grow_with_the_number_of_petitions(
    client, demo, fresh_cache, django_assert_max_num_queries
):
    login(client, "demo_leader")
    before = first_load_queries(client, django_assert_max_num_queries, 450)
    communes = [unit("bao-yen/vinh-yen"), unit("bao-yen/nghia-do"), unit("bao-yen/pho-rang")]
    for index in range(30):
        PetitionFactory(unit=communes[index % 3], received_on=date(2024, 3, 1) + timedelta(days=index))
    after = first_load_queries(client, django_assert_max_num_queries, 450)
    assert after == before
    assert (
        get(client, **YEAR_2024).context["figures"]["period"]["kpis"]["petitions_received"]
        == kpis.compute([unit("bao-yen")], date(2024, 1, 1), date(2024, 12, 31))["petitions_received"]
    )


def test_cached_figures_expire_after_a_minute(client, demo, fresh_cache, time_machine):
    time_machine.move_to(SPRING_2025, tick=False)
    login(client, "demo_leader")
    shown = get(client, **YEAR_2024).context["figures"]["period"]["kpis"]["petitions_received"]
    PetitionFactory(unit=unit("bao-yen/vinh-yen"), received_on=date(2024, 6, 3))
    # Within the minute the page may show the figure it computed...
    assert get(client, **YEAR_2024).context["figures"]["period"]["kpis"]["petitions_received"] == shown
    time_machine.move_to(SPRING_2025 + timedelta(seconds=dashboard.CACHE_SECONDS + 1), tick=False)
    # ...and after it, the new record is counted.
    assert get(client, **YEAR_2024).context["figures"]["period"]["kpis"]["petitions_received"] == shown + 1
    assert Petition.objects.filter(received_on=date(2024, 6, 3), unit=unit("bao-yen/vinh-yen")).exists()


def test_each_language_has_its_own_cached_labels(client, demo):
    # Period labels are translated inside the cached figures, so each language has its entry.
    login(client, "demo_leader")
    units, period = [unit("bao-yen")], Period("year", date(2024, 1, 1), date(2024, 12, 31))
    with translation.override("vi"):
        vietnamese_key = dashboard.cache_key(units, period)
    with translation.override("en"):
        english_key = dashboard.cache_key(units, period)
    assert vietnamese_key != english_key
    get(client, **YEAR_2024)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert get(client, **YEAR_2024).context["period_label"] == "the year 2024"
    assert cache.get(vietnamese_key) is not None
    assert cache.get(english_key)["period"]["label"] == "the year 2024"
