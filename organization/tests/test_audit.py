"""organization.audit.history_rows and the history table on detail pages."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import update_change_reason

from organization import audit
from organization.models import Person, Unit, UnitKind
from organization.tests.factories import PersonFactory, UnitFactory, UserFactory


def label(model, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def test_created_record_has_one_row_without_changes(tree):
    rows = audit.history_rows(tree.commune_a)
    assert len(rows) == 1
    assert rows[0].action_code == "+"
    assert rows[0].action == pgettext("history action", "created")
    assert rows[0].who == pgettext("history author", "system")
    assert rows[0].changes == []


def test_change_rows_are_newest_first_with_field_level_old_and_new(tree):
    editor = UserFactory(username="editor", full_name="Lý Thị Mai")
    unit = tree.commune_a
    unit._history_user = editor
    unit.name = "Xã Vĩnh Yên (cũ)"
    unit.save()
    unit.kind = UnitKind.TOWNSHIP
    unit.valid_to = date(2025, 5, 31)
    unit.save()

    rows = audit.history_rows(unit)
    assert [row.action_code for row in rows] == ["~", "~", "+"]
    latest, rename = rows[0], rows[1]
    assert rename.who == "Lý Thị Mai"
    assert [(c.label, c.old, c.new) for c in rename.changes] == [
        (label(Unit, "name"), "Xã Vĩnh Yên", "Xã Vĩnh Yên (cũ)")
    ]
    changes = {c.label: (c.old, c.new) for c in latest.changes}
    # choices show their labels and dates are written day first
    assert changes[label(Unit, "kind")] == (str(UnitKind.COMMUNE.label), str(UnitKind.TOWNSHIP.label))
    assert changes[label(Unit, "valid_to")] == ("30/06/2025", "31/05/2025")


def test_foreign_key_changes_show_names_not_ids(tree):
    person = PersonFactory(full_name="Vàng Seo Sử", unit=tree.commune_a)
    person.unit = tree.commune_b
    person.save()
    change = audit.history_rows(person)[0].changes[0]
    assert (change.label, change.old, change.new) == (label(Person, "unit"), "Xã Vĩnh Yên", "Xã Nghĩa Đô")


def test_change_reason_is_kept(tree):
    unit = tree.village_a
    unit.name = "Bản Tổng Kim Mới"
    unit.save()
    update_change_reason(unit, "Đổi tên theo Nghị quyết HĐND")
    assert audit.history_rows(unit)[0].reason == "Đổi tên theo Nghị quyết HĐND"


def test_limit_still_diffs_the_oldest_shown_row(tree):
    unit = tree.village_b
    for index in range(4):
        unit.name = f"Thôn {index}"
        unit.save()
    rows = audit.history_rows(unit, limit=2)
    assert len(rows) == 2
    assert [(c.old, c.new) for c in rows[1].changes] == [("Thôn 1", "Thôn 2")]


def test_history_rows_query_count_does_not_grow_with_records(tree, django_assert_num_queries):
    person = PersonFactory(unit=tree.commune_a)
    for index, unit in enumerate([tree.commune_b, tree.village_a, tree.village_b] * 5):
        person.unit = unit
        person.position = f"Chức vụ {index}"
        person.save()
    # the records with their users, then the units named in foreign-key changes
    with django_assert_num_queries(2):
        rows = audit.history_rows(person)
    assert len(rows) == 16


def test_unit_detail_history_shows_who_changed_the_name(client, tree, district_staff):
    editor = UserFactory(username="editor", full_name="Lý Thị Mai")
    unit = tree.commune_b
    unit._history_user = editor
    unit.name = "Xã Nghĩa Đô mới"
    unit.save()
    client.force_login(district_staff)
    response = client.get(reverse("unit_detail", args=[unit.pk]))
    html = response.content.decode()
    assert "history-table" in html
    assert "Lý Thị Mai" in html
    assert '<del class="text-body-secondary">Xã Nghĩa Đô</del>' in html
    assert "Xã Nghĩa Đô mới" in html


def test_edit_through_the_admin_records_the_request_user(client, tree, portal_admin):
    client.force_login(portal_admin)
    url = reverse("admin:organization_unit_change", args=[tree.village_a.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        name="Bản Tổng Kim (đổi tên)",
        valid_from="01/01/2020",
        valid_to="30/06/2025",
        parent=tree.commune_a.pk,
        **{
            "succession_links-TOTAL_FORMS": "0",
            "succession_links-INITIAL_FORMS": "0",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = audit.history_rows(tree.village_a)[0]
    assert row.who == portal_admin.get_full_name()


def test_history_table_empty_state_when_no_record():
    from django.template.loader import render_to_string

    html = render_to_string("components/history_table.html", {"rows": []})
    assert _("No changes yet") in html


def test_other_users_changes_do_not_show_on_another_unit(client, tree, district_staff):
    other = UnitFactory(parent=tree.district, name="Xã Khác", valid_to=date(2025, 6, 30))
    other._history_user = UserFactory(username="someone", full_name="Người Khác")
    other.name = "Xã Khác 2"
    other.save()
    client.force_login(district_staff)
    html = client.get(reverse("unit_detail", args=[tree.commune_b.pk])).content.decode()
    assert "Người Khác" not in html
