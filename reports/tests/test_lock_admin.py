"""A locked period also holds in the Django admin: saving or deleting a record dated in it shows
the refusal as a message (not a server error) and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from dialogues.tests.factories import DialogueFactory
from reports import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_dialogue(tree, district_staff, commune_a_officer):
    dialogue = DialogueFactory(unit=tree.commune_a, date=date(2024, 2, 15), by=commune_a_officer)
    services.lock_period(
        user=district_staff, unit=tree.commune_a, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Quý I"
    )
    return dialogue


def _form_data(page) -> dict:
    """What the admin change form would post back unchanged: every field's current value and the
    inline formsets' management data."""
    data = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for formset in page.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[inline_form.add_prefix(name)] = str(value)
    return data


def test_saving_a_locked_record_in_the_admin_is_refused_with_a_message(admin_client, locked_dialogue):
    url = reverse("admin:dialogues_dialogue_change", args=[locked_dialogue.pk])
    data = _form_data(admin_client.get(url))
    data["topic"] = "Đổi chủ đề trong kỳ đã khóa"

    response = admin_client.post(url, data)

    assert response.status_code == 302 and response.url == url
    locked_dialogue.refresh_from_db()
    assert locked_dialogue.topic != "Đổi chủ đề trong kỳ đã khóa"
    shown = [str(message) for message in admin_client.get(url).context["messages"]]
    assert any("Quý I" in text and "01/01/2024" in text for text in shown)
