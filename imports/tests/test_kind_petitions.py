"""The petitions import: preview, import, no duplicates, scope, locks, round trip with the list."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues.models import Petition, PetitionEvent, PetitionField, PetitionSource, PetitionStatus, PetitionType
from imports import services
from imports.kinds import REGISTRY
from imports.tests.helpers import handle, problem_texts, workbook_bytes
from reports.models import PeriodLock

KIND = REGISTRY["petitions"]
SHEET = "Kiến nghị"


def row(**values):
    base = {
        "commune": "Xã Vĩnh Yên",
        "received_on": "05/02/2024",
        "source": str(PetitionSource.CITIZEN_RECEPTION.label),
        "field": str(PetitionField.TRANSPORT.label),
        "content": "Đề nghị sửa cầu treo Bản Tổng Kim",
        "petitioner": "Ông Hoàng Văn A",
    }
    base.update(values)
    return base


def good_file():
    return workbook_bytes(
        "petitions",
        {
            SHEET: [
                row(),
                row(content="Đề nghị lắp đèn đường", received_on=date(2024, 2, 6), village="Tổng Kim", type="Đề xuất"),
                row(
                    content="Khiếu nại về đền bù",
                    legal_track=_("Complaint (khiếu nại)"),
                    field=str(PetitionField.CLEARANCE.label),
                ),
                row(content="Hỏi về chính sách", answered_on_spot="Có", on_spot_answer="Đã giải thích tại buổi tiếp."),
            ]
        },
    )


def test_preview_writes_nothing_and_counts_what_would_be_created(commune_a_officer):
    outcome = services.attempt(KIND, handle(good_file()), commune_a_officer, write=False)
    assert not outcome.problems, problem_texts(outcome.problems)
    assert outcome.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 4, "existing": 0}]
    assert Petition.objects.count() == 0
    assert PetitionEvent.objects.count() == 0


def test_import_creates_petitions_through_the_service_rules(tree, commune_a_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    petitions = {petition.content: petition for petition in Petition.objects.all()}
    assert len(petitions) == 4
    plain = petitions["Đề nghị sửa cầu treo Bản Tổng Kim"]
    assert (plain.unit, plain.received_on, plain.status) == (tree.commune_a, date(2024, 2, 5), PetitionStatus.RECEIVED)
    assert plain.created_by == commune_a_officer
    assert plain.search_text  # filled as a single save would
    assert plain.history.count() == 1
    assert list(plain.events.values_list("action", flat=True)) == ["create"]
    lamp = petitions["Đề nghị lắp đèn đường"]
    assert (lamp.village, lamp.type) == (tree.village_a, PetitionType.PROPOSAL)
    assert petitions["Khiếu nại về đền bù"].status == PetitionStatus.ROUTED_OUT
    spot = petitions["Hỏi về chính sách"]
    assert (spot.status, spot.on_spot_answer) == (PetitionStatus.ANSWERED_ON_SPOT, "Đã giải thích tại buổi tiếp.")


def test_importing_the_same_rows_again_creates_nothing(commune_a_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    again = services.execute(KIND, handle(good_file()), commune_a_officer)
    assert again.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 0, "existing": 4}]
    assert Petition.objects.count() == 4


def test_rows_already_entered_by_hand_are_skipped_case_and_accents_ignored(commune_a_officer):
    services.execute(KIND, handle(workbook_bytes("petitions", {SHEET: [row()]})), commune_a_officer)
    shouted = row(content="ĐỀ NGHỊ SỬA CẦU TREO BẢN TỔNG KIM", petitioner="ong hoang van a")
    outcome = services.attempt(
        KIND, handle(workbook_bytes("petitions", {SHEET: [shouted]})), commune_a_officer, write=True
    )
    assert outcome.plan.existing[SHEET] == 1
    assert Petition.objects.count() == 1


def test_duplicate_rows_inside_the_file_are_reported(commune_a_officer):
    data = workbook_bytes("petitions", {SHEET: [row(), row()]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), commune_a_officer)
    problem = caught.value.problems.kept[0]
    assert (problem.sheet, problem.row, problem.column) == (SHEET, 3, "Nội dung")
    assert problem.message == _("This row repeats row %(row)s (same commune, date, content and person).") % {"row": 2}
    assert Petition.objects.count() == 0


def test_another_communes_rows_are_refused_and_nothing_is_written(commune_a_officer):
    data = workbook_bytes("petitions", {SHEET: [row(), row(commune="Xã Nghĩa Đô", content="Khác")]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), commune_a_officer)
    assert problem_texts(caught.value.problems) == [
        _("“%(text)s” is outside the units you may record data for.") % {"text": "Xã Nghĩa Đô"}
    ]
    assert Petition.objects.count() == 0  # the good first row is not written either


def test_a_village_of_another_commune_is_refused(commune_a_officer):
    data = workbook_bytes("petitions", {SHEET: [row(village="Thôn Nà Pồng")]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert problem_texts(outcome.problems) == [
        _("There is no village “%(text)s” in %(commune)s. Check the spelling or add the village first.")
        % {"text": "Thôn Nà Pồng", "commune": "Xã Vĩnh Yên"}
    ]


def test_dialogue_petitions_get_a_precise_message(commune_a_officer):
    data = workbook_bytes("petitions", {SHEET: [row(source=str(PetitionSource.DIALOGUE.label))]})
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert problem_texts(outcome.problems) == [
        _(
            "A petition raised at a dialogue is imported with its dialogue: use the template "
            "“Dialogues with their petitions”, or leave these rows out of this file."
        )
    ]


def test_a_locked_period_is_reported_by_the_preview(tree, commune_a_officer, district_staff):
    PeriodLock.objects.create(
        unit=tree.district,
        start=date(2024, 1, 1),
        end=date(2024, 3, 31),
        reason="Đã báo cáo quý I",
        locked_by=district_staff,
    )
    outcome = services.attempt(KIND, handle(good_file()), commune_a_officer, write=False)
    assert outcome.problems
    assert all("01/01/2024" in text for text in problem_texts(outcome.problems))
    assert Petition.objects.count() == 0


def test_a_user_without_a_writing_role_cannot_import(leader):
    with pytest.raises(services.PermissionDenied):
        services.upload(user=leader, kind_key="petitions", handle=handle(good_file()), name="x.xlsx")


def test_round_trip_export_then_import_gives_the_same_records(client, tree, commune_a_officer, commune_b_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    fields = (
        "unit_id",
        "received_on",
        "source",
        "type",
        "field",
        "content",
        "petitioner",
        "village_id",
        "legal_track",
        "status",
        "on_spot_answer",
    )
    before = sorted(Petition.objects.values_list(*fields))
    client.force_login(commune_a_officer)
    exported = client.get(reverse("dialogues:petition_list"), {"export": "xlsx"})
    assert exported.status_code == 200
    Petition.objects.all().delete()
    outcome = services.execute(KIND, handle(exported.content), commune_a_officer)
    assert outcome.plan.created[SHEET] == 4
    assert sorted(Petition.objects.values_list(*fields)) == before


def test_preview_query_count_does_not_grow_with_rows(commune_a_officer, django_assert_max_num_queries):
    many = workbook_bytes("petitions", {SHEET: [row(content=f"Kiến nghị số {n}") for n in range(60)]})
    with django_assert_max_num_queries(40):
        outcome = services.attempt(KIND, handle(many), commune_a_officer, write=False)
    assert outcome.plan.created[SHEET] == 60
