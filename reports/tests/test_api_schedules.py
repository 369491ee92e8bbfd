"""Report schedules through the API: kept by portal administrators with the admin's own form
(``reports.admin.ReportScheduleForm``), so the API refuses exactly what the admin refuses and
stores what it stores; read by anyone whose units include the schedule's unit."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from reports.models import ReportSchedule

SCHEDULES = "/api/v1/report-schedules/"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def post(client, data):
    return client.post(SCHEDULES, data, content_type="application/json")


def patch(client, pk, data):
    return client.patch(f"{SCHEDULES}{pk}/", data, content_type="application/json")


@pytest.fixture
def schedule(tree) -> ReportSchedule:
    return ReportSchedule.objects.create(unit=tree.district, issuer=tree.party_committee, kinds=["month", "year"])


def test_an_administrator_schedules_drafts_through_the_admins_form(client, tree, portal_admin):
    client.force_login(portal_admin)

    response = post(client, {"unit": tree.district.pk, "issuer": tree.party_committee.pk, "kinds": ["year", "month"]})

    assert response.status_code == 201, response.content
    schedule = ReportSchedule.objects.get()
    # The form's clean_kinds stores the kinds in the order of ReportKind, whatever order was sent.
    assert schedule.kinds == ["month", "year"]
    assert response.json() == {
        "id": schedule.pk,
        "unit": {"id": tree.district.pk, "name": tree.district.name, "kind": "district"},
        "issuer": {"id": tree.party_committee.pk, "name": tree.party_committee.name, "kind": "party_committee"},
        "kinds": ["month", "year"],
        "include_predecessors": False,
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"issuer": "commune_a"}, "issuer", "%(unit)s has no document symbol."),
        ({"issuer": "peoples_committee", "unit": "commune_a"}, "issuer", "The issuing body must belong to the unit."),
        ({"kinds": ["custom"]}, "kinds", None),
        ({"kinds": []}, "kinds", None),
    ],
)
def test_what_the_admin_refuses_is_refused_and_nothing_is_saved(client, tree, portal_admin, change, field, message):
    client.force_login(portal_admin)
    data = {"unit": tree.district.pk, "issuer": tree.party_committee.pk, "kinds": ["month"]}
    data.update({name: getattr(tree, value).pk if isinstance(value, str) else value for name, value in change.items()})

    response = post(client, data)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [_(message) % {"unit": tree.commune_a.name}]
    assert not ReportSchedule.objects.exists()


def test_a_unit_has_one_schedule(client, tree, portal_admin, schedule):
    client.force_login(portal_admin)

    response = post(client, {"unit": tree.district.pk, "issuer": tree.party_committee.pk, "kinds": ["quarter"]})

    assert response.status_code == 400
    assert list(response.json()) == ["unit"]
    assert ReportSchedule.objects.get().kinds == ["month", "year"]


def test_a_change_keeps_what_it_does_not_name(client, tree, portal_admin, schedule):
    client.force_login(portal_admin)

    stopped = patch(client, schedule.pk, {"is_active": False})
    refused = patch(client, schedule.pk, {"issuer": tree.commune_a.pk})

    assert stopped.status_code == 200
    assert refused.status_code == 400
    schedule.refresh_from_db()
    assert (schedule.is_active, schedule.kinds, schedule.issuer) == (False, ["month", "year"], tree.party_committee)


@pytest.mark.parametrize("persona", ["district_staff", "leader", "commune_a_officer"])
def test_portal_roles_read_schedules_but_do_not_keep_them(request, client, tree, schedule, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    listed = [item["id"] for item in client.get(SCHEDULES).json()["results"]]
    changed = patch(client, schedule.pk, {"is_active": False})
    deleted = client.delete(f"{SCHEDULES}{schedule.pk}/")
    created = post(client, {"unit": tree.commune_a.pk, "issuer": tree.party_committee.pk, "kinds": ["month"]})

    # The commune officer does not see the district's schedule at all: 404, as for a missing one.
    in_scope = persona != "commune_a_officer"
    assert listed == ([schedule.pk] if in_scope else [])
    assert changed.status_code == deleted.status_code == (403 if in_scope else 404)
    assert created.status_code == 403
    assert ReportSchedule.objects.get().is_active is True


def test_an_administrator_deletes_a_schedule(client, portal_admin, schedule):
    client.force_login(portal_admin)

    assert client.delete(f"{SCHEDULES}{schedule.pk}/").status_code == 204
    assert not ReportSchedule.objects.exists()
