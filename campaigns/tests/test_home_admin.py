"""The campaigns links on the home page, per role, and the admin: the commitment items an
administrator keeps as an editable list, and the service-owned records shown read-only."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.home import NEXT_STEPS_BY_ROLE
from campaigns.models import CommitmentItem, CriteriaSet, Movement, Scorecard, ScoringRound
from campaigns.tests.factories import movement_with_criteria, open_round
from organization.models import Role

pytestmark = pytest.mark.django_db


def step_urls(client, user) -> list[str]:
    """The home page's next steps for ``user`` (the navigation bar lists every page anyway)."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [row["url"] for row in response.context["next_steps"]]


def test_every_step_links_to_a_page():
    for steps in NEXT_STEPS_BY_ROLE.values():
        for step in steps:
            assert reverse(step.url_name).startswith("/campaigns/")
    assert set(NEXT_STEPS_BY_ROLE) <= set(Role.values)


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("district_staff", ["movement_list", "dvk_list", "award_list", "commitment_list"], []),
        ("commune_a_officer", ["movement_list", "dvk_list", "commitment_list"], ["award_list"]),
        ("leader", ["movement_list", "dvk_list", "award_list"], ["commitment_list"]),
        ("viewer", ["movement_list", "dvk_list"], ["award_list", "commitment_list"]),
        ("portal_admin", ["movement_list"], ["dvk_list"]),
        ("agency_officer", [], ["movement_list", "dvk_list", "award_list", "commitment_list"]),
    ],
)
def test_each_role_finds_its_campaigns_steps_on_the_home_page(client, request, role, present, absent):
    urls = step_urls(client, request.getfixturevalue(role))
    for name in present:
        assert reverse(f"campaigns:{name}") in urls, name
    for name in absent:
        assert reverse(f"campaigns:{name}") not in urls, name
    assert len(urls) == len(set(urls))  # each page once, even when two steps share it


# --- Admin ----------------------------------------------------------------------------------------


def test_admin_keeps_commitment_items_as_an_editable_list(client, portal_admin):
    client.force_login(portal_admin)
    url = reverse("admin:campaigns_commitmentitem_changelist")
    items = list(CommitmentItem.objects.order_by("order", "id"))
    data = {
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "_save": "Save",
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"form-{index}-id": str(item.pk),
                f"form-{index}-text": item.text,
                f"form-{index}-order": str(item.order),
                f"form-{index}-is_active": "on",
            }
        )
    data["form-4-text"] = "Tích cực tham gia xây dựng nông thôn mới, đô thị văn minh"
    del data["form-3-is_active"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert CommitmentItem.objects.get(code="join-new-rural-area").text.endswith("đô thị văn minh")
    assert not CommitmentItem.objects.get(code="obey-the-law").is_active

    response = client.post(
        reverse("admin:campaigns_commitmentitem_add"),
        {"code": "no-drunk-driving", "text": "Không lái xe khi say", "order": 6, "is_active": "on"},
    )
    assert response.status_code == 302
    assert CommitmentItem.objects.filter(code="no-drunk-driving", is_active=True).exists()
    item = CommitmentItem.objects.get(code="no-drunk-driving")
    assert client.get(reverse("admin:campaigns_commitmentitem_delete", args=[item.pk])).status_code == 403


def test_admin_shows_service_records_without_adding_or_changing_scores(
    client, tree, district_staff, commune_a_officer, portal_admin
):
    movement = movement_with_criteria(district_staff, tree.district)
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    services.scorecard_create(user=commune_a_officer, round_=round_, unit=tree.village_a)
    client.force_login(portal_admin)
    for model in (Movement, CriteriaSet, ScoringRound, Scorecard):
        name = model._meta.model_name
        assert client.get(reverse(f"admin:campaigns_{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"admin:campaigns_{name}_add")).status_code == 403, name
    card = Scorecard.objects.get()
    page = client.get(reverse("admin:campaigns_scorecard_change", args=[card.pk]))
    assert page.status_code == 200
    assert 'name="self_total"' not in page.content.decode()  # read-only
    response = client.post(
        reverse("admin:campaigns_movement_change", args=[movement.pk]),
        {
            "name": movement.name,
            "launched_by": movement.launched_by_id,
            "launch_date": "01/01/2024",
            "is_dvk": "on",
            "description": "Quy định tạm thời về tiêu chí chấm điểm",
            "status": movement.status,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    movement.refresh_from_db()
    assert (movement.description, movement.version) == ("Quy định tạm thời về tiêu chí chấm điểm", 2)


def test_only_staff_reach_the_admin(client, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("admin:campaigns_commitmentitem_changelist"))
    assert response.status_code == 302
