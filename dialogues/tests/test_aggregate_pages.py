"""Reported aggregates: totals typed in as printed, shown as such, checked against their parts."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues import services
from dialogues.models import HostBody, ReportedAggregate, ReportedMetric

SOURCE = "Bài viết trên Cổng thông tin Tỉnh ủy Lào Cai về công tác dân vận huyện Bảo Yên"


def form_data(tree, parts=(("2021", 53), ("2022", 54), ("2023", 12)), **overrides) -> dict:
    data = {
        "unit": tree.district.pk,
        "metric": ReportedMetric.DIALOGUES,
        "host_body": HostBody.COMMUNE_PARTY_COMMITTEE,
        "period_start": "01/01/2021",
        "period_end": "31/12/2023",
        "total": "167",
        "source": SOURCE,
        "note": "",
        "parts-TOTAL_FORMS": "5",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "20",
    }
    for index in range(5):
        label, value = parts[index] if index < len(parts) else ("", "")
        data[f"parts-{index}-label"] = label
        data[f"parts-{index}-value"] = value
    data.update(overrides)
    return data


def make(user, unit, total, parts, metric=ReportedMetric.DIALOGUES) -> ReportedAggregate:
    return services.reported_aggregate_create(
        user=user,
        values={
            "unit": unit,
            "metric": metric,
            "host_body": HostBody.COMMUNE_PARTY_COMMITTEE,
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": total,
            "source": SOURCE,
        },
        parts=parts,
    )


def test_district_staff_enters_the_articles_167_and_it_is_flagged(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("dialogues:aggregate_create"), form_data(tree), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dialogues:aggregate_list")
    aggregate = ReportedAggregate.objects.get()
    assert aggregate.total == 167 and aggregate.source == SOURCE
    assert [(part.label, part.value) for part in aggregate.parts.all()] == [("2021", 53), ("2022", 54), ("2023", 12)]
    text = " ".join(str(message) for message in response.context["messages"])
    assert "119" in text and "167" in text
    (row,) = response.context["rows"]
    assert row["mismatch"]["parts_sum"] == 119 and row["mismatch"]["total"] == 167
    html = response.content.decode()
    assert 'data-quality-issue="1"' in html
    assert _("Reported figure (typed in)") in html


def test_parts_that_add_up_are_not_flagged(client, tree, district_staff):
    consistent = make(district_staff, tree.district, 167, [("2021", 53), ("2022", 54), ("2023", 60)])
    inconsistent = make(district_staff, tree.commune_a, 167, [("2021", 53), ("2022", 54), ("2023", 12)])
    without_parts = make(district_staff, tree.commune_b, 18, [])
    client.force_login(district_staff)
    response = client.get(reverse("dialogues:aggregate_list"))
    flags = {row["aggregate"].pk: row["mismatch"] for row in response.context["rows"]}
    assert flags[consistent.pk] is None
    assert flags[without_parts.pk] is None
    assert flags[inconsistent.pk]["parts_sum"] == 119
    html = response.content.decode()
    assert html.count('data-quality-issue="1"') == 1
    assert html.count("badge-reported") == 3


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_create_page_by_role(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:aggregate_create")).status_code == expected


def test_anonymous_is_sent_to_login_from_aggregate_pages(client, tree):
    for url in (reverse("dialogues:aggregate_list"), reverse("dialogues:aggregate_create")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_commune_officer_records_for_own_commune_only(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    refused = client.post(reverse("dialogues:aggregate_create"), form_data(tree, unit=tree.commune_b.pk))
    assert refused.status_code == 200 and "unit" in refused.context["form"].errors
    assert not ReportedAggregate.objects.exists()
    client.post(reverse("dialogues:aggregate_create"), form_data(tree, unit=tree.commune_a.pk))
    assert ReportedAggregate.objects.get().unit == tree.commune_a


@pytest.mark.parametrize(
    "overrides",
    [
        {"period_end": "31/12/2020"},  # ends before it starts
        {"total": "-1"},
        {"source": ""},
        {"parts-0-value": ""},  # a part without its value
        {"parts-1-label": "2021"},  # the same label twice
    ],
)
def test_bad_aggregate_input_saves_nothing(client, tree, district_staff, overrides):
    client.force_login(district_staff)
    response = client.post(reverse("dialogues:aggregate_create"), form_data(tree, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["parts"].total_error_count()
    assert not ReportedAggregate.objects.exists()


def test_list_is_scoped_to_the_users_units(client, tree, district_staff, commune_b_officer):
    make(district_staff, tree.commune_a, 10, [])
    own = make(district_staff, tree.commune_b, 20, [])
    client.force_login(commune_b_officer)
    response = client.get(reverse("dialogues:aggregate_list"))
    assert [row["aggregate"] for row in response.context["rows"]] == [own]


def test_empty_list_offers_to_enter_a_figure(client, tree, district_staff):
    client.force_login(district_staff)
    html = client.get(reverse("dialogues:aggregate_list")).content.decode()
    assert _("No reported figures yet") in html and reverse("dialogues:aggregate_create") in html


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_aggregates(
    client, tree, district_staff, django_assert_max_num_queries, count
):
    for index in range(count):
        make(district_staff, tree.commune_a if index % 2 else tree.district, 100 + index, [("2021", 50), ("2022", 50)])
    client.force_login(district_staff)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("dialogues:aggregate_list"))
    assert len(response.context["rows"]) == min(count, 25)
