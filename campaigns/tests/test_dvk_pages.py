"""Dân vận khéo model pages: the scoped list (filters, sort, export, empty state), registering a
model with its criteria and pillars, editing with the version check, the detail page (lifecycle,
criteria met, commitments summary, awards, events, history) and moving a model through its
lifecycle: only allowed steps, recognition only by district staff and only when every criterion
is met, a reason to stop. Bad input shows a clear message and changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import CommitmentItem, DvkCriterion, DvkEvent, DvkModel, DvkPillar
from campaigns.services import DvkModelInput
from campaigns.workflow import DvkStatus
from organization.services import document_issue

pytestmark = pytest.mark.django_db

PERSONAS = ["district_staff", "commune_a_officer", "commune_b_officer", "agency_officer", "leader", "viewer"]
CRITERION_BLANK = {"text": "", "target": "", "achieved": "", "met": "unknown", "evidence": ""}
PILLAR_BLANK = {"number": "", "title": "", "description": ""}
HMONG = "Mô hình dân vận khéo xây dựng nếp sống văn hóa mới đồng bào Mông"


# --- Arrangements ------------------------------------------------------------------------------


def make_model(user, owner, locality, *, name=HMONG, criteria=None, pillars=None, **values) -> DvkModel:
    """A model registered through the service, as the page does."""
    fields = {
        "name": name,
        "kind": "model",
        "field": "culture_society",
        "level": "village",
        "owner_unit": owner,
        "locality": locality,
        "target_group": "Hộ đồng bào Mông khu dân cư Nặm Mèng",
        "registered_on": date(2024, 2, 1),
        "objectives": "Xóa bỏ hủ tục lạc hậu",
        **values,
    }
    return services.dvk_model_create(
        user=user, data=DvkModelInput(values=fields, criteria=criteria or [], pillars=pillars or [])
    )


def criterion(text: str, met: bool | None = True, **values) -> dict:
    return {"text": text, "target": "100% hộ", "achieved": "100% hộ", "met": met, "evidence": "Biên bản", **values}


def item_ids(count: int) -> list[int]:
    return list(CommitmentItem.objects.order_by("order").values_list("pk", flat=True)[:count])


def advance(user, model: DvkModel, *statuses: str) -> DvkModel:
    for status in statuses:
        model = services.dvk_transition(user=user, model=model, to_status=status, note=f"Bước {status}")
    return model


TO_EVALUATED = ("surveyed", "village_consulted", "launched", "in_progress", "evaluated")


def rows_post(prefix: str, blank: dict, rows: list[dict], total: int = 3, initial: int = 0) -> dict:
    """POST data of an inline formset: ``rows`` filled in, the rest of ``total`` left blank."""
    count = max(total, len(rows))
    data = {
        f"{prefix}-TOTAL_FORMS": str(count),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for index in range(count):
        values = {**blank, **(rows[index] if index < len(rows) else {})}
        data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
    return data


def form_data(tree, *, criteria=(), pillars=(), **overrides) -> dict:
    data = {
        "name": HMONG,
        "kind": "model",
        "field": "culture_society",
        "level": "village",
        "owner_unit": tree.commune_a.pk,
        "locality": tree.village_a.pk,
        "movement": "",
        "target_group": "Hộ đồng bào Mông",
        "registered_on": "01/02/2024",
        "rationale": "Còn hủ tục trong đám cưới, đám tang",
        "objectives": "100% hộ ký cam kết",
        "methods": "Tuyên truyền, vận động",
        "forces": "Chi bộ, trưởng bản, người có uy tín",
        "timeline": "2024–2025",
        "start_date": "01/03/2024",
        "end_date": "31/12/2025",
        "outputs": "Bản không còn tảo hôn",
    }
    data.update(rows_post("criteria", CRITERION_BLANK, list(criteria)))
    data.update(rows_post("pillars", PILLAR_BLANK, list(pillars)))
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int, int]:
    return (DvkModel.objects.count(), DvkCriterion.objects.count(), DvkPillar.objects.count(), DvkEvent.objects.count())


@pytest.fixture
def model_a(tree, commune_a_officer):
    return make_model(
        commune_a_officer,
        tree.commune_a,
        tree.village_a,
        criteria=[criterion("100% hộ ký cam kết"), criterion("Không còn tảo hôn", met=None)],
    )


@pytest.fixture
def model_b(tree, commune_b_officer):
    return make_model(
        commune_b_officer,
        tree.commune_b,
        tree.village_b,
        name="Mô hình Chính quyền thân thiện xã Nghĩa Đô",
        field="political_system",
        level="commune",
        registered_on=date(2023, 6, 1),
        is_pilot=True,
    )


def listed(client, **params) -> list[str]:
    response = client.get(reverse("campaigns:dvk_list"), params)
    assert response.status_code == 200
    return [model.name for model in response.context["models"]]


def status_of(model: DvkModel) -> tuple[str, int]:
    model.refresh_from_db()
    return model.status, model.version


# --- Role matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", [HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"]),
        ("leader", [HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"]),
        ("commune_a_officer", [HMONG]),
        ("viewer", [HMONG]),
        ("commune_b_officer", ["Mô hình Chính quyền thân thiện xã Nghĩa Đô"]),
        ("agency_officer", []),
    ],
)
def test_list_shows_only_models_in_scope(client, request, model_a, model_b, persona, expected):
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
def test_detail_by_role(client, request, model_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("campaigns:dvk_detail", args=[model_a.pk])).status_code == expected


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
def test_register_page_is_for_district_staff_and_commune_officers(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("campaigns:dvk_create")).status_code == expected
    if expected == 403:
        assert client.post(reverse("campaigns:dvk_create"), form_data(tree)).status_code == 403
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
def test_edit_page_by_role(client, tree, request, model_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:dvk_edit", args=[model_a.pk])
    assert client.get(url).status_code == expected
    if expected != 200:
        data = form_data(tree, name="Đổi tên", version=model_a.version)
        assert client.post(url, data).status_code == expected
        model_a.refresh_from_db()
        assert (model_a.name, model_a.version) == (HMONG, 1)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("commune_b_officer", 404), ("agency_officer", 404), ("leader", 403), ("viewer", 403)],
)
def test_status_change_is_refused_to_users_who_cannot_edit_the_model(client, request, model_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:dvk_transition", args=[model_a.pk])
    assert client.post(url, {"to_status": "surveyed", "version": 1}).status_code == expected
    assert status_of(model_a) == ("registered", 1)
    assert DvkEvent.objects.count() == 0


def test_read_only_users_see_no_edit_link_and_no_status_form(client, model_a, leader):
    client.force_login(leader)
    response = client.get(reverse("campaigns:dvk_detail", args=[model_a.pk]))
    assert response.context["transition_form"] is None
    assert not response.context["may_edit"] and not response.context["may_sign"]
    assert reverse("campaigns:dvk_edit", args=[model_a.pk]) not in response.content.decode()


def test_anonymous_is_sent_to_login_from_every_model_page(client, tree, model_a):
    urls = [
        reverse("campaigns:dvk_list"),
        reverse("campaigns:dvk_create"),
        reverse("campaigns:dvk_detail", args=[model_a.pk]),
        reverse("campaigns:dvk_edit", args=[model_a.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url in [reverse("campaigns:dvk_create"), reverse("campaigns:dvk_transition", args=[model_a.pk])]:
        response = client.post(url, {"to_status": "surveyed", "version": 1})
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert status_of(model_a) == ("registered", 1)


def test_status_change_answers_405_to_get(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.get(reverse("campaigns:dvk_transition", args=[model_a.pk])).status_code == 405


# --- Registering a model ---------------------------------------------------------------------------


def test_commune_officer_registers_a_model_with_criteria_and_pillars(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    criteria = [
        {"text": "100% hộ ký cam kết", "target": "100% hộ", "achieved": "95% hộ", "met": "false", "evidence": "Sổ"},
        {"text": "Không còn tảo hôn", "target": "0 trường hợp", "met": "true"},
        {"text": "Đường nội bản", "target": "600 m"},
    ]
    pillars = [
        {"number": "1", "title": "Tiếp dân thân thiện"},
        {"number": "2", "title": "Giải quyết thủ tục nhanh", "description": "Một cửa"},
    ]
    response = client.post(reverse("campaigns:dvk_create"), form_data(tree, criteria=criteria, pillars=pillars))

    model = DvkModel.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("campaigns:dvk_detail", args=[model.pk])
    assert (model.owner_unit, model.locality, model.status) == (tree.commune_a, tree.village_a, "registered")
    assert (model.registered_on, model.start_date, model.end_date) == (
        date(2024, 2, 1),
        date(2024, 3, 1),
        date(2025, 12, 31),
    )
    assert model.created_by == commune_a_officer
    assert [(c.text, c.achieved, c.met, c.order) for c in model.criteria.all()] == [
        ("100% hộ ký cam kết", "95% hộ", False, 1),
        ("Không còn tảo hôn", "", True, 2),
        ("Đường nội bản", "", None, 3),
    ]
    assert [(p.number, p.title, p.description) for p in model.pillars.all()] == [
        (1, "Tiếp dân thân thiện", ""),
        (2, "Giải quyết thủ tục nhanh", "Một cửa"),
    ]

    detail = client.get(response.url)
    html = detail.content.decode()
    assert detail.context["criteria_met"] == 1
    assert _("%(met)s/%(total)s met") % {"met": 1, "total": 3} in html
    assert "Tiếp dân thân thiện" in html


def test_register_page_works_without_javascript(client, tree, commune_a_officer, district_staff):
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:dvk_create"))
    html = response.content.decode()
    for prefix in ("criteria", "pillars"):
        assert response.context["formsets"][prefix].total_form_count() == 3
        assert f'data-formset-add="{prefix}" hidden' in html
        assert f'name="{prefix}-__prefix__-' in html
    assert "js/campaigns_models.js" in html
    form = response.context["form"]
    assert form.initial["owner_unit"] == tree.commune_a  # their one commune, chosen already
    assert list(form.fields["owner_unit"].queryset) == [tree.commune_a]
    assert list(form.fields["locality"].queryset) == [tree.commune_a, tree.village_a]

    client.force_login(district_staff)
    form = client.get(reverse("campaigns:dvk_create")).context["form"]
    assert list(form.fields["owner_unit"].queryset) == [tree.district, tree.commune_a, tree.commune_b]
    assert "owner_unit" not in form.initial


def test_movement_choices_are_the_dvk_movements_the_user_sees(client, tree, district_staff, commune_a_officer):
    from campaigns.tests.factories import movement_with_criteria

    dvk = movement_with_criteria(district_staff, tree.district, name="Dân vận khéo 2024")
    other = movement_with_criteria(district_staff, tree.district, name="10 phút")
    other.is_dvk = False
    other.save()
    client.force_login(commune_a_officer)
    form = client.get(reverse("campaigns:dvk_create")).context["form"]
    assert list(form.fields["movement"].queryset) == [dvk]

    response = client.post(reverse("campaigns:dvk_create"), form_data(tree, movement=dvk.pk))
    assert response.status_code == 302
    assert DvkModel.objects.get().movement == dvk


def test_locality_outside_the_owner_unit_is_refused_with_the_models_message(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(
        reverse("campaigns:dvk_create"),
        form_data(tree, locality=tree.village_b.pk, criteria=[{"text": "Tiêu chí", "target": "1"}]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["locality"] == [_("The locality must lie within the owner unit.")]
    assert counts() == (0, 0, 0, 0)


def test_commune_officer_cannot_register_for_another_commune(client, tree, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.post(reverse("campaigns:dvk_create"), form_data(tree))
    assert response.status_code == 200
    assert "owner_unit" in response.context["form"].errors
    assert counts() == (0, 0, 0, 0)


def test_bad_rows_save_nothing(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    data = form_data(
        tree,
        criteria=[{"text": "Không có chỉ tiêu"}],
        pillars=[{"number": "1", "title": "Một"}, {"number": "1", "title": "Trùng"}],
    )
    response = client.post(reverse("campaigns:dvk_create"), data)
    assert response.status_code == 200
    formsets = response.context["formsets"]
    assert "target" in formsets["criteria"].forms[0].errors
    assert formsets["pillars"].forms[1].errors["number"] == [_("Each pillar has its own number.")]
    assert _("Each pillar has its own number.") in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_end_before_start_is_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:dvk_create"), form_data(tree, end_date="01/01/2024"))
    assert response.context["form"].errors["end_date"] == [_("The end is before the start.")]
    assert counts() == (0, 0, 0, 0)


# --- Editing -------------------------------------------------------------------------------------


def test_editing_replaces_the_rows_and_bumps_the_version(client, tree, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    url = reverse("campaigns:dvk_edit", args=[model_a.pk])
    form = client.get(url).context["form"]
    assert form.initial["version"] == 1 and form.initial["name"] == HMONG
    data = form_data(
        tree,
        name="Mô hình nếp sống mới",
        version=1,
        criteria=[{"text": "100% hộ ký cam kết", "target": "100% hộ", "achieved": "100% hộ", "met": "true"}],
        pillars=[{"number": "1", "title": "Tuyên truyền"}],
    )
    response = client.post(url, data)
    assert response.status_code == 302
    model_a.refresh_from_db()
    assert (model_a.name, model_a.version) == ("Mô hình nếp sống mới", 2)
    assert [(c.text, c.met) for c in model_a.criteria.all()] == [("100% hộ ký cam kết", True)]
    assert [p.title for p in model_a.pillars.all()] == ["Tuyên truyền"]


def test_edit_page_starts_with_the_models_rows(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    formsets = client.get(reverse("campaigns:dvk_edit", args=[model_a.pk])).context["formsets"]
    assert [form.initial["text"] for form in formsets["criteria"].initial_forms] == [
        "100% hộ ký cam kết",
        "Không còn tảo hôn",
    ]
    assert formsets["criteria"].total_form_count() == 5  # two rows and three blank ones


def test_stale_edit_is_refused_and_changes_nothing(client, tree, model_a, commune_a_officer, district_staff):
    advance(district_staff, model_a, "surveyed")  # someone else moved it meanwhile: version 2
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:dvk_edit", args=[model_a.pk]), form_data(tree, name="Ghi đè", version=1))
    assert response.status_code == 200 and response.context["stale"]
    assert _("Someone else changed this record while you were editing it. Reload it and try again.") in (
        response.context["form"].non_field_errors()
    )
    model_a.refresh_from_db()
    assert (model_a.name, model_a.version, model_a.criteria.count()) == (HMONG, 2, 2)


# --- Lifecycle -------------------------------------------------------------------------------------


def test_moving_to_the_next_status_logs_an_event(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:dvk_transition", args=[model_a.pk]),
        {"to_status": "surveyed", "note": "Khảo sát 45 hộ", "version": 1},
    )
    assert response.status_code == 302
    assert status_of(model_a) == ("surveyed", 2)
    event = DvkEvent.objects.get()
    assert (event.from_status, event.to_status, event.note, event.by) == (
        "registered",
        "surveyed",
        "Khảo sát 45 hộ",
        commune_a_officer,
    )
    detail = client.get(response.url)
    html = detail.content.decode()
    assert "Khảo sát 45 hộ" in html
    states = {step["value"]: step["state"] for step in detail.context["lifecycle"]}
    assert states["registered"] == "done" and states["surveyed"] == "current" and states["launched"] == "todo"
    assert 'aria-current="step" data-status="surveyed"' in html


def test_a_step_that_is_not_allowed_shows_the_message_and_changes_nothing(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:dvk_transition", args=[model_a.pk]), {"to_status": "launched", "version": 1}
    )
    assert response.status_code == 200
    message = _("A model cannot go from “%(from)s” to “%(to)s”.") % {
        "from": DvkStatus.REGISTERED.label,
        "to": DvkStatus.LAUNCHED.label,
    }
    assert response.context["transition_form"].errors["to_status"] == [message]
    assert message in response.content.decode()
    assert status_of(model_a) == ("registered", 1)
    assert DvkEvent.objects.count() == 0


def test_the_form_offers_only_the_next_steps(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    form = client.get(reverse("campaigns:dvk_detail", args=[model_a.pk])).context["transition_form"]
    assert [value for value, _label in form.fields["to_status"].choices] == ["surveyed", "stopped"]


def test_commune_officer_is_not_offered_recognition_and_cannot_force_it(
    client, model_a, commune_a_officer, district_staff
):
    model = advance(commune_a_officer, model_a, *TO_EVALUATED)
    client.force_login(commune_a_officer)
    form = client.get(reverse("campaigns:dvk_detail", args=[model.pk])).context["transition_form"]
    assert [value for value, _label in form.fields["to_status"].choices] == ["stopped"]
    assert not form.offers_recognition

    DvkCriterion.objects.filter(model=model).update(met=True)
    response = client.post(
        reverse("campaigns:dvk_transition", args=[model.pk]),
        {"to_status": "recognized", "recognized_on": "20/12/2024", "version": model.version},
    )
    assert response.status_code == 403
    assert status_of(model) == ("evaluated", model.version)

    client.force_login(district_staff)
    form = client.get(reverse("campaigns:dvk_detail", args=[model.pk])).context["transition_form"]
    assert [value for value, _label in form.fields["to_status"].choices] == ["recognized", "not_met", "stopped"]
    assert form.offers_recognition


def test_recognizing_with_unmet_criteria_is_refused(client, model_a, district_staff):
    model = advance(district_staff, model_a, *TO_EVALUATED)
    client.force_login(district_staff)
    response = client.post(
        reverse("campaigns:dvk_transition", args=[model.pk]),
        {"to_status": "recognized", "recognized_on": "20/12/2024", "version": model.version},
    )
    assert response.status_code == 200
    message = _("Criteria not met yet: %(list)s.") % {"list": "Không còn tảo hôn"}
    assert response.context["transition_form"].errors["to_status"] == [message]
    model.refresh_from_db()
    assert (model.status, model.recognized_on) == ("evaluated", None)
    assert DvkEvent.objects.filter(to_status="recognized").count() == 0


def test_district_staff_recognize_a_model_whose_criteria_are_all_met(client, tree, model_a, district_staff):
    decision = document_issue(
        issuer=tree.party_committee,
        kind="QD",
        day=date(2024, 12, 20),
        subject="Công nhận mô hình dân vận khéo",
        created_by=None,
    )
    model = advance(district_staff, model_a, *TO_EVALUATED)
    DvkCriterion.objects.filter(model=model).update(met=True)
    client.force_login(district_staff)
    detail_form = client.get(reverse("campaigns:dvk_detail", args=[model.pk])).context["transition_form"]
    assert list(detail_form.fields["recognition_document"].queryset) == [decision]

    missing_date = client.post(
        reverse("campaigns:dvk_transition", args=[model.pk]), {"to_status": "recognized", "version": model.version}
    )
    assert missing_date.context["transition_form"].errors["recognized_on"] == [
        _("Give the date of the recognition decision.")
    ]
    assert status_of(model)[0] == "evaluated"

    response = client.post(
        reverse("campaigns:dvk_transition", args=[model.pk]),
        {
            "to_status": "recognized",
            "recognized_on": "20/12/2024",
            "recognition_document": decision.pk,
            "note": "Đạt 2/2 tiêu chí",
            "version": model.version,
        },
    )
    assert response.status_code == 302
    model.refresh_from_db()
    assert (model.status, model.recognized_on, model.recognition_document) == (
        "recognized",
        date(2024, 12, 20),
        decision,
    )
    html = client.get(response.url).content.decode()
    assert decision.symbol in html and "20/12/2024" in html


def test_stopping_needs_a_reason(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    url = reverse("campaigns:dvk_transition", args=[model_a.pk])
    response = client.post(url, {"to_status": "stopped", "note": "  ", "version": 1})
    assert response.context["transition_form"].errors["note"] == [_("Say why the model stops.")]
    assert status_of(model_a) == ("registered", 1)

    response = client.post(url, {"to_status": "stopped", "note": "Hộ dân chuyển đi", "version": 1})
    assert response.status_code == 302
    assert status_of(model_a) == ("stopped", 2)
    assert client.get(response.url).context["transition_form"] is None  # a final status


def test_a_stale_status_form_changes_nothing(client, model_a, commune_a_officer, district_staff):
    advance(district_staff, model_a, "surveyed")
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:dvk_transition", args=[model_a.pk]), {"to_status": "surveyed", "version": 1}
    )
    assert response.status_code == 200
    assert response.context["transition_form"].non_field_errors()
    assert status_of(model_a) == ("surveyed", 2)
    assert DvkEvent.objects.count() == 1


def test_an_unknown_status_is_refused(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:dvk_transition", args=[model_a.pk]), {"to_status": "deleted", "version": 1}
    )
    assert response.status_code == 200
    assert "to_status" in response.context["transition_form"].errors
    assert status_of(model_a) == ("registered", 1)


# --- The detail page -------------------------------------------------------------------------------


def test_detail_shows_commitments_summary_awards_and_history(client, tree, model_a, commune_a_officer):
    model = advance(commune_a_officer, model_a, "surveyed", "village_consulted")
    for index, head in enumerate(["Giàng A Páo", "Sùng Seo Chứ", "Vàng A Dế"]):
        commitment = services.commitment_create(
            user=commune_a_officer,
            values={"model": model, "household_head": head, "village": tree.village_a, "signed_on": date(2024, 4, 1)},
            items=item_ids(2),
        )
        if index == 2:
            services.commitment_update(
                user=commune_a_officer,
                commitment=commitment,
                values={"status": "broken", "broken_on": date(2024, 9, 1)},
                broken_items=item_ids(1),
            )
    services.award_create(
        user=commune_a_officer,
        values={
            "dvk_model": model,
            "recipient_unit": tree.village_a,
            "form": "certificate",
            "issuer": tree.commune_a,
            "date": date(2024, 12, 30),
            "reason": "Tiêu biểu trong xây dựng nếp sống mới",
        },
    )
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:dvk_detail", args=[model.pk]))
    assert response.context["summary"] == {"signed": 3, "kept": 2, "broken": 1}
    assert response.context["may_sign"]
    html = response.content.decode()
    assert f"{reverse('campaigns:commitment_create')}?model={model.pk}" in html
    assert f"{reverse('campaigns:commitment_list')}?model={model.pk}" in html
    assert "Tiêu biểu trong xây dựng nếp sống mới" in html
    assert [award.reason for award in response.context["awards"]] == ["Tiêu biểu trong xây dựng nếp sống mới"]
    assert len(response.context["events"]) == 2
    assert response.context["history"]


def test_household_link_is_offered_only_once_the_village_was_consulted(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:dvk_detail", args=[model_a.pk]))
    assert not response.context["may_sign"]
    assert f"{reverse('campaigns:commitment_create')}?model=" not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 8])
def test_detail_query_count_does_not_grow_with_rows(
    client, tree, district_staff, commune_a_officer, django_assert_max_num_queries, rows
):
    model = make_model(
        commune_a_officer,
        tree.commune_a,
        tree.village_a,
        criteria=[criterion(f"Tiêu chí {n}", met=n % 2 == 0) for n in range(rows)],
        pillars=[{"number": n + 1, "title": f"Trụ cột {n}"} for n in range(rows)],
    )
    model = advance(commune_a_officer, model, "surveyed", "village_consulted")
    for n in range(rows):
        services.commitment_create(
            user=commune_a_officer,
            values={
                "model": model,
                "household_head": f"Hộ {n}",
                "village": tree.village_a,
                "signed_on": date(2024, 4, 1),
            },
            items=item_ids(1),
        )
        services.award_create(
            user=district_staff,
            values={
                "dvk_model": model,
                "recipient_unit": tree.village_a,
                "recipient_name": f"Hộ {n}",
                "form": "commendation",
                "issuer": tree.commune_a,
                "date": date(2024, 12, 30),
                "reason": "Tiêu biểu",
            },
        )
        services.dvk_model_update(
            user=commune_a_officer, model=model, data=DvkModelInput(values={"timeline": f"Giai đoạn {n}"})
        )
    client.force_login(district_staff)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("campaigns:dvk_detail", args=[model.pk]))
    assert len(response.context["criteria"]) == rows and len(response.context["awards"]) == rows
    assert response.context["summary"]["signed"] == rows


# --- The list ------------------------------------------------------------------------------------


def test_filters_search_and_sort(client, model_a, model_b, district_staff, tree):
    client.force_login(district_staff)
    assert listed(client, q="nep song van hoa mong") == [HMONG]
    assert listed(client, q="NGHIA DO") == ["Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, q="tong kim") == []  # the locality is not part of the searched text
    assert listed(client, field="political_system") == ["Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, level="village") == [HMONG]
    assert listed(client, pilot="yes") == ["Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, pilot="no") == [HMONG]
    assert listed(client, owner=tree.commune_b.pk) == ["Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, owner=tree.district.pk) == [HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, year=2023) == ["Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, status="registered", kind="model") == [HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, status="recognized") == []
    assert listed(client, sort="name") == ["Mô hình Chính quyền thân thiện xã Nghĩa Đô", HMONG]
    assert listed(client, sort="-name") == [HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"]
    assert listed(client, sort="password") == [HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"]


def test_list_is_paginated(client, tree, commune_a_officer):
    for n in range(27):
        make_model(commune_a_officer, tree.commune_a, tree.village_a, name=f"Mô hình {n:02d}")
    client.force_login(commune_a_officer)
    first = client.get(reverse("campaigns:dvk_list"))
    second = client.get(reverse("campaigns:dvk_list"), {"page": 2})
    assert len(first.context["models"]) == 25 and len(second.context["models"]) == 2


@pytest.mark.parametrize("rows", [1, 12])
def test_list_query_count_does_not_grow_with_rows(client, tree, commune_a_officer, django_assert_max_num_queries, rows):
    for n in range(rows):
        make_model(commune_a_officer, tree.commune_a, tree.village_a, name=f"Mô hình Nặm Mèng {n}")
    client.force_login(commune_a_officer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaigns:dvk_list"), {"q": "nam meng", "sort": "name"})
    assert len(response.context["rows"]) == rows


def test_exports_hold_every_filtered_model(client, model_a, model_b, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:dvk_list"), {"export": "xlsx", "pilot": "yes"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "Mô hình Chính quyền thân thiện xã Nghĩa Đô"
    assert rows[1][5] == "Xã Nghĩa Đô"

    response = client.get(reverse("campaigns:dvk_list"), {"export": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 3
    assert {line[1] for line in lines[1:]} == {HMONG, "Mô hình Chính quyền thân thiện xã Nghĩa Đô"}
    assert lines[1][10] in {"01/02/2024", "01/06/2023"}


def test_empty_list_says_how_to_register_the_first_model(client, tree, commune_a_officer, leader):
    client.force_login(commune_a_officer)
    html = client.get(reverse("campaigns:dvk_list")).content.decode()
    assert _("No Dân vận khéo models registered yet") in html
    assert reverse("campaigns:dvk_create") in html

    client.force_login(leader)
    html = client.get(reverse("campaigns:dvk_list")).content.decode()
    assert _("No Dân vận khéo models registered yet") in html
    assert reverse("campaigns:dvk_create") not in html


def test_a_status_change_carries_the_day_it_happened(client, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    url = reverse("campaigns:dvk_transition", args=[model_a.pk])
    later = model_a.registered_on + timedelta(days=20)
    response = client.post(url, {"to_status": "surveyed", "effective_on": later.strftime("%d/%m/%Y"), "version": 1})
    assert response.status_code == 302
    assert list(DvkEvent.objects.values_list("to_status", "effective_on")) == [("surveyed", later)]
    page = client.get(reverse("campaigns:dvk_detail", args=[model_a.pk])).content.decode()
    assert later.strftime("%d/%m/%Y") in page
