"""The dialogues import: dialogues with their petitions, through dialogue_create."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues.models import Dialogue, DialogueLevel, HostBody, Petition, PetitionField, PetitionSource
from imports import services
from imports.kinds import REGISTRY
from imports.tests.helpers import handle, problem_texts, workbook_bytes

KIND = REGISTRY["dialogues"]
DIALOGUES, PETITIONS = "Đối thoại", "Kiến nghị"


def dialogue(ref=1, **values):
    base = {
        "ref": ref,
        "commune": "Xã Vĩnh Yên",
        "date": "12/03/2024",
        "level": str(DialogueLevel.COMMUNE.label),
        "host_body": str(HostBody.COMMUNE_PEOPLES_COMMITTEE.label),
        "topic": f"Đối thoại về giao thông nông thôn {ref}",
        "village": "Bản Tổng Kim",
        "venue": "Nhà văn hóa",
        "participant_count": 85,
        "minutes_text": "Biên bản đối thoại",
    }
    base.update(values)
    return base


def petition(ref=1, **values):
    base = {"dialogue_ref": ref, "field": str(PetitionField.TRANSPORT.label), "content": f"Làm đường cho thôn ({ref})"}
    base.update(values)
    return base


def test_dialogues_are_created_with_their_petitions(tree, commune_a_officer):
    data = workbook_bytes(
        "dialogues",
        {
            DIALOGUES: [dialogue(1), dialogue(2, village=None)],
            PETITIONS: [petition(1), petition(1, content="Sửa cầu"), petition(2)],
        },
    )
    preview = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert not preview.problems, problem_texts(preview.problems)
    assert preview.plan.summary(KIND.sheets) == [
        {"sheet": DIALOGUES, "create": 2, "existing": 0},
        {"sheet": PETITIONS, "create": 3, "existing": 0},
    ]
    assert Dialogue.objects.count() == 0
    services.execute(KIND, handle(data), commune_a_officer)
    first = Dialogue.objects.get(topic="Đối thoại về giao thông nông thôn 1")
    assert (first.unit, first.commune, first.village, first.date) == (
        tree.commune_a,
        tree.commune_a,
        tree.village_a,
        date(2024, 3, 12),
    )
    assert first.participant_count == 85
    assert first.minutes_filed_at is not None  # minutes text given: marked filed, as on the page
    assert sorted(first.petitions.values_list("content", flat=True)) == ["Làm đường cho thôn (1)", "Sửa cầu"]
    assert set(Petition.objects.values_list("source", flat=True)) == {PetitionSource.DIALOGUE}
    assert set(Petition.objects.values_list("received_on", flat=True)) == {date(2024, 3, 12)}


def test_a_dialogue_already_present_is_skipped_with_its_petitions(commune_a_officer):
    data = workbook_bytes("dialogues", {DIALOGUES: [dialogue(1)], PETITIONS: [petition(1)]})
    services.execute(KIND, handle(data), commune_a_officer)
    again = services.execute(KIND, handle(data), commune_a_officer)
    assert again.plan.summary(KIND.sheets) == [
        {"sheet": DIALOGUES, "create": 0, "existing": 1},
        {"sheet": PETITIONS, "create": 0, "existing": 1},
    ]
    assert (Dialogue.objects.count(), Petition.objects.count()) == (1, 1)


def test_a_petition_naming_a_missing_dialogue_is_reported(commune_a_officer):
    data = workbook_bytes("dialogues", {DIALOGUES: [dialogue(1)], PETITIONS: [petition(9)]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    problem = outcome.problems.kept[0]
    assert (problem.sheet, problem.row, problem.column) == (PETITIONS, 2, "Số TT đối thoại")
    assert problem.message == _("There is no dialogue with Số TT %(ref)s in the sheet “%(sheet)s”.") % {
        "ref": 9,
        "sheet": DIALOGUES,
    }


def test_a_reference_used_twice_is_reported(commune_a_officer):
    data = workbook_bytes("dialogues", {DIALOGUES: [dialogue(1), dialogue(1, topic="Khác")]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert problem_texts(outcome.problems) == [
        _("Số TT %(ref)s is used twice (also on row %(row)s).") % {"ref": 1, "row": 2}
    ]


def test_service_rules_show_in_the_preview_on_the_right_row(commune_a_officer):
    # A held dialogue cannot be in the future: dialogue_create's rule, reported at the preview.
    data = workbook_bytes("dialogues", {DIALOGUES: [dialogue(1, date="12/03/2099")]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert outcome.problems
    problem = outcome.problems.kept[0]
    assert (problem.sheet, problem.row) == (DIALOGUES, 2)
    assert Dialogue.objects.count() == 0


def test_a_commune_officer_cannot_import_another_communes_dialogues(commune_b_officer):
    data = workbook_bytes("dialogues", {DIALOGUES: [dialogue(1)], PETITIONS: [petition(1)]})
    with pytest.raises(services.ImportProblems):
        services.execute(KIND, handle(data), commune_b_officer)
    assert Dialogue.objects.count() == 0


def test_district_staff_may_name_the_district_as_owner(tree, district_staff):
    data = workbook_bytes(
        "dialogues",
        {
            DIALOGUES: [
                dialogue(
                    1,
                    unit="Huyện Bảo Yên",
                    level=str(DialogueLevel.DISTRICT.label),
                    host_body=str(HostBody.STANDING_BOARD.label),
                )
            ]
        },
    )
    services.execute(KIND, handle(data), district_staff)
    assert Dialogue.objects.get().unit == tree.district


def test_round_trip_of_the_dialogue_list(client, commune_a_officer):
    data = workbook_bytes("dialogues", {DIALOGUES: [dialogue(1), dialogue(2, village=None, participant_count=12)]})
    services.execute(KIND, handle(data), commune_a_officer)
    fields = (
        "unit_id",
        "commune_id",
        "village_id",
        "date",
        "level",
        "host_body",
        "kind",
        "status",
        "topic",
        "venue",
        "participant_count",
        "minutes_text",
    )
    before = sorted(Dialogue.objects.values_list(*fields), key=repr)
    client.force_login(commune_a_officer)
    exported = client.get(reverse("dialogues:dialogue_list"), {"export": "xlsx"})
    Dialogue.objects.all().delete()
    outcome = services.execute(KIND, handle(exported.content), commune_a_officer)  # one sheet: petitions optional
    assert outcome.plan.created[DIALOGUES] == 2
    assert sorted(Dialogue.objects.values_list(*fields), key=repr) == before
