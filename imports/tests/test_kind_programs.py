"""The programs import (programs with contributions and participation) and the program list
export it round-trips with."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import services
from imports.kinds import REGISTRY
from imports.kinds.programs import CONTRIBUTIONS, PARTICIPATION, PROGRAMS, field_lookup, parse_fields
from imports.reader import read_book
from imports.template import build_template
from imports.tests.helpers import handle, problem_texts, sheet_rows, workbook_bytes
from organization import services as organization_services
from organization.models import DocumentKind
from organization.tests.factories import UnitFactory
from programs.models import (
    Contribution,
    ContributionKind,
    ContributorType,
    OrganizerLevel,
    ParticipantCategory,
    Participation,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
)
from programs.tests.factories import ProgramFactory, contribution, participation

KIND = REGISTRY["programs"]
FIELDS = (
    "unit_id",
    "village_id",
    "date",
    "title",
    "organizer_level",
    "organizer_id",
    "fields",
    "status",
    "basis_document_id",
    "survey_notes",
    "summary",
)


def label(choice) -> str:
    return str(choice.label)


def program(**values):
    base = {
        "ref": 1,
        "commune": "Xã Vĩnh Yên",
        "date": "26/03/2024",
        "title": "Ra quân vệ sinh môi trường",
        "status": label(ProgramStatus.HELD),
    }
    base.update(values)
    return base


def given(**values):
    base = {
        "program_ref": 1,
        "contributor_type": label(ContributorType.RESIDENTS),
        "kind": label(ContributionKind.CASH),
        "value_vnd": "1.234.567",
    }
    base.update(values)
    return base


def people(**values):
    base = {"program_ref": 1, "category": label(ParticipantCategory.RESIDENTS), "person_times": 120}
    base.update(values)
    return base


def good_file() -> bytes:
    fields = f"{label(ProgramField.ENVIRONMENT)}; {label(ProgramField.SECURITY)}"
    return workbook_bytes(
        "programs",
        {
            PROGRAMS.name: [
                program(village="Tổng Kim", fields=fields, summary="Dọn 3 km đường"),
                program(
                    ref=2,
                    commune="02953",
                    date=date(2023, 9, 2),
                    title="Ngày thứ bảy tình nguyện",
                    organizer_level=label(OrganizerLevel.DISTRICT),
                    organizer="Ban Dân vận Huyện ủy",
                    status=label(ProgramStatus.PLANNED),
                ),
            ],
            CONTRIBUTIONS.name: [
                given(),
                given(
                    contributor_type=label(ContributorType.ARMED_FORCES),
                    kind=label(ContributionKind.LABOUR_DAYS),
                    value_vnd=None,
                    quantity="283,75",
                    unit_of_measure="ngày công",
                ),
                given(program_ref=2, value_vnd=20_000_000, qualifier=label(Qualifier.OVER), note="Ủng hộ"),
            ],
            PARTICIPATION.name: [
                people(),
                people(
                    category=label(ParticipantCategory.YOUTH), person_times="1.500", qualifier=label(Qualifier.ALMOST)
                ),
            ],
        },
    )


def located(problems):
    return [(item.sheet, item.row, item.column, item.message) for item in problems.kept]


def dry_run(data: bytes, user):
    return services.attempt(KIND, handle(data), user, write=False)


# --- The template and the fields cell ----------------------------------------------------------


def test_template_builds_and_reads_back_with_its_example_rows_skipped(district_staff):
    data = build_template(KIND, district_staff)
    for spec in KIND.sheets:
        assert sheet_rows(data, spec.name)[0] == [column.header for column in spec.columns]
    book = read_book(io.BytesIO(data), KIND.sheets)
    assert not book.problems, problem_texts(book.problems)
    assert all(book.rows[spec.name] == [] for spec in KIND.sheets)
    assert book.skipped_examples == 3


def test_fields_are_read_by_label_even_when_a_label_holds_a_comma():
    lookup = field_lookup()
    security = label(ProgramField.SECURITY)  # "Quốc phòng, an ninh" in Vietnamese
    assert parse_fields(f"Môi trường, {security}; economy", lookup) == (
        [ProgramField.ENVIRONMENT, ProgramField.SECURITY, ProgramField.ECONOMY],
        None,
    )
    assert parse_fields("Rural infrastructure;;", lookup) == ([ProgramField.INFRASTRUCTURE], None)
    assert parse_fields("Môi trường; Thể thao", lookup) == ([ProgramField.ENVIRONMENT], "Thể thao")


# --- Preview and import --------------------------------------------------------------------------


def test_preview_writes_nothing_and_counts_what_would_be_created(district_staff):
    outcome = dry_run(good_file(), district_staff)
    assert not outcome.problems, problem_texts(outcome.problems)
    assert outcome.plan.summary(KIND.sheets) == [
        {"sheet": PROGRAMS.name, "create": 2, "existing": 0},
        {"sheet": CONTRIBUTIONS.name, "create": 3, "existing": 0},
        {"sheet": PARTICIPATION.name, "create": 2, "existing": 0},
    ]
    assert (Program.objects.count(), Contribution.objects.count(), Participation.objects.count()) == (0, 0, 0)


def test_import_creates_programs_with_their_rows(tree, district_staff):
    services.execute(KIND, handle(good_file()), district_staff)
    programs = {item.title: item for item in Program.objects.all()}
    clean_up = programs["Ra quân vệ sinh môi trường"]
    assert (clean_up.unit, clean_up.village, clean_up.date, clean_up.status) == (
        tree.commune_a,
        tree.village_a,
        date(2024, 3, 26),
        ProgramStatus.HELD,
    )
    # Left blank: a commune-level program organized by the commune itself.
    assert (clean_up.organizer_level, clean_up.organizer) == (OrganizerLevel.COMMUNE, tree.commune_a)
    assert clean_up.fields == [ProgramField.ENVIRONMENT, ProgramField.SECURITY]
    assert (clean_up.summary, clean_up.created_by) == ("Dọn 3 km đường", district_staff)
    assert sorted(clean_up.contributions.values_list("contributor_type", "kind", "quantity", "value_vnd")) == [
        (ContributorType.ARMED_FORCES, ContributionKind.LABOUR_DAYS, Decimal("283.75"), 0),
        (ContributorType.RESIDENTS, ContributionKind.CASH, Decimal(0), 1_234_567),
    ]
    assert sorted(clean_up.participation.values_list("category", "person_times", "qualifier")) == [
        (ParticipantCategory.RESIDENTS, 120, Qualifier.EXACT),
        (ParticipantCategory.YOUTH, 1500, Qualifier.ALMOST),
    ]
    volunteer = programs["Ngày thứ bảy tình nguyện"]
    assert (volunteer.unit, volunteer.organizer_level, volunteer.organizer, volunteer.status) == (
        tree.commune_b,
        OrganizerLevel.DISTRICT,
        tree.ban_dan_van,
        ProgramStatus.PLANNED,
    )
    assert list(volunteer.contributions.values_list("value_vnd", "qualifier", "note")) == [
        (20_000_000, Qualifier.OVER, "Ủng hộ")
    ]
    assert volunteer.participation.count() == 0


def test_importing_the_same_file_again_creates_nothing(district_staff):
    services.execute(KIND, handle(good_file()), district_staff)
    again = services.execute(KIND, handle(good_file()), district_staff)
    assert again.plan.summary(KIND.sheets) == [
        {"sheet": PROGRAMS.name, "create": 0, "existing": 2},
        {"sheet": CONTRIBUTIONS.name, "create": 0, "existing": 3},
        {"sheet": PARTICIPATION.name, "create": 0, "existing": 2},
    ]
    assert (Program.objects.count(), Contribution.objects.count(), Participation.objects.count()) == (2, 3, 2)


def test_a_program_recorded_on_the_page_is_skipped_case_and_accents_ignored(tree, commune_a_officer):
    ProgramFactory(
        unit=tree.commune_a, title="Ra quân vệ sinh môi trường", date=date(2024, 3, 26), by=commune_a_officer
    )
    data = workbook_bytes("programs", {PROGRAMS.name: [program(title="RA QUAN VE SINH  MOI TRUONG")]})
    outcome = services.execute(KIND, handle(data), commune_a_officer)
    assert outcome.plan.existing[PROGRAMS.name] == 1
    assert Program.objects.count() == 1


def test_a_commune_officer_cannot_import_into_another_commune(commune_a_officer):
    data = workbook_bytes(
        "programs",
        {
            PROGRAMS.name: [program(), program(ref=2, commune="Xã Nghĩa Đô", title="Khác")],
            CONTRIBUTIONS.name: [given(), given(program_ref=2)],
        },
    )
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), commune_a_officer)
    assert located(caught.value.problems) == [
        (
            PROGRAMS.name,
            3,
            "Xã, phường",
            _("“%(text)s” is outside the units you may record data for.") % {"text": "Xã Nghĩa Đô"},
        ),
        (
            CONTRIBUTIONS.name,
            3,
            "Số TT chương trình",
            _("The program with Số TT %(ref)s (row %(row)s of the sheet “%(sheet)s”) has problems; fix that row first.")
            % {"ref": 2, "row": 3, "sheet": PROGRAMS.name},
        ),
    ]
    assert Program.objects.count() == 0  # the good first program is not written either


def test_an_organizer_the_commune_officer_cannot_see_is_refused(commune_a_officer):
    data = workbook_bytes("programs", {PROGRAMS.name: [program(organizer="Ban Dân vận Huyện ủy")]})
    outcome = dry_run(data, commune_a_officer)
    assert located(outcome.problems) == [
        (PROGRAMS.name, 2, "Đơn vị tổ chức", _("Choose an organizer within your units."))
    ]


# --- Bad values ------------------------------------------------------------------------------------


def test_negative_person_times_are_refused_at_their_cell(district_staff):
    data = workbook_bytes("programs", {PROGRAMS.name: [program()], PARTICIPATION.name: [people(person_times=-5)]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), district_staff)
    assert located(caught.value.problems) == [
        (
            PARTICIPATION.name,
            2,
            "C · Lượt người",
            _("%(value)s is negative; this column cannot be below zero.") % {"value": -5},
        )
    ]
    assert Program.objects.count() == 0


def test_a_reference_the_program_sheet_lacks_is_reported(district_staff):
    data = workbook_bytes(
        "programs",
        {
            PROGRAMS.name: [program()],
            CONTRIBUTIONS.name: [given(program_ref=7)],
            PARTICIPATION.name: [people(program_ref=8)],
        },
    )
    outcome = dry_run(data, district_staff)
    message = _("There is no program with Số TT %(ref)s in the sheet “%(sheet)s”.")
    assert located(outcome.problems) == [
        (CONTRIBUTIONS.name, 2, "Số TT chương trình", message % {"ref": 7, "sheet": PROGRAMS.name}),
        (PARTICIPATION.name, 2, "Số TT chương trình", message % {"ref": 8, "sheet": PROGRAMS.name}),
    ]


def test_a_row_referring_to_a_program_row_with_problems_says_so(district_staff):
    data = workbook_bytes(
        "programs",
        {PROGRAMS.name: [program(date="31/02/2024")], PARTICIPATION.name: [people()]},
    )
    outcome = dry_run(data, district_staff)
    assert located(outcome.problems) == [
        (PROGRAMS.name, 2, "D · Ngày", _("“%(value)s” is not a real date.") % {"value": "31/02/2024"}),
        (
            PARTICIPATION.name,
            2,
            "Số TT chương trình",
            _("The program with Số TT %(ref)s (row %(row)s of the sheet “%(sheet)s”) has problems; fix that row first.")
            % {"ref": 1, "row": 2, "sheet": PROGRAMS.name},
        ),
    ]


def test_duplicate_reference_numbers_and_duplicate_programs_are_reported(district_staff):
    data = workbook_bytes(
        "programs",
        {
            PROGRAMS.name: [
                program(),
                program(title="Khác"),  # Số TT 1 again
                program(ref=3, title="ra quan ve sinh moi truong"),  # the first program again
            ]
        },
    )
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), district_staff)
    assert located(caught.value.problems) == [
        (PROGRAMS.name, 3, "Số TT", _("Số TT %(ref)s is used twice (also on row %(row)s).") % {"ref": 1, "row": 2}),
        (
            PROGRAMS.name,
            4,
            "Tên chương trình",
            _("This row repeats row %(row)s (same commune, date and title).") % {"row": 2},
        ),
    ]
    assert Program.objects.count() == 0


def test_unknown_fields_and_self_contradicting_hedges_are_reported(district_staff):
    data = workbook_bytes(
        "programs",
        {
            PROGRAMS.name: [program(fields="Môi trường; Thể thao"), program(ref=2, title="Khác")],
            CONTRIBUTIONS.name: [
                given(program_ref=2, value_vnd=1_234_567, qualifier=label(Qualifier.OVER)),
                given(program_ref=2, value_vnd=None),
            ],
            PARTICIPATION.name: [people(program_ref=2), people(program_ref=2, person_times=5)],
        },
    )
    outcome = dry_run(data, district_staff)
    texts = dict(((item.sheet, item.row, item.column), item.message) for item in outcome.problems.kept)
    labels = "; ".join(str(name) for _value, name in ProgramField.choices)
    assert texts[PROGRAMS.name, 2, "Lĩnh vực"] == _("“%(value)s” is not one of: %(labels)s.") % {
        "value": "Thể thao",
        "labels": labels,
    }
    assert texts[CONTRIBUTIONS.name, 2, "Mức độ chính xác"] == _(
        "“Over” or “almost” qualifies a round figure (e.g. 20.000); enter the exact value as exact."
    )
    assert texts[CONTRIBUTIONS.name, 3, "Số lượng"] == _("Enter the quantity given or its value in đồng.")
    assert texts[PARTICIPATION.name, 3, "Nhóm"] == _(
        "Each category is counted once per program: row %(row)s already counts it. Add the person-times there."
    ) % {"row": 2}
    assert outcome.problems.total == 4


def test_what_the_service_refuses_is_shown_by_the_preview_on_its_row(tree, district_staff):
    # A commune still in existence, so only the service's own rule can refuse the date.
    UnitFactory(key="t-tan-tien", name="Xã Tân Tiến", parent=tree.district, valid_from=date(2020, 1, 1))
    future = timezone.localdate() + timedelta(days=30)
    data = workbook_bytes("programs", {PROGRAMS.name: [program(commune="Xã Tân Tiến", date=future)]})
    outcome = dry_run(data, district_staff)
    assert located(outcome.problems) == [
        (PROGRAMS.name, 2, "Ngày", _("A program that has been held cannot be dated in the future."))
    ]
    assert Program.objects.count() == 0


# --- The program list export and the round trip -------------------------------------------------


def test_round_trip_of_the_program_list(client, tree, district_staff):
    basis = organization_services.document_issue(
        issuer=tree.party_committee,
        kind=DocumentKind.DA,
        day=date(2023, 1, 10),
        subject="Đề án dân vận khéo",
        created_by=district_staff,
    )
    ProgramFactory(
        unit=tree.commune_a,
        village=tree.village_a,
        organizer=tree.commune_a,
        title="Ra quân làm đường",
        date=date(2023, 3, 15),
        fields=[ProgramField.INFRASTRUCTURE, ProgramField.ECONOMY, ProgramField.SECURITY],
        basis_document=basis,
        survey_notes="Khảo sát 3 tuyến",
        summary="Làm 1,2 km đường",
        contributions=[contribution(value_vnd=5_000_000)],
        participation=[participation(person_times=300)],
        by=district_staff,
    )
    ProgramFactory(
        unit=tree.commune_b,
        organizer_level=OrganizerLevel.DISTRICT,
        organizer=tree.ban_dan_van,
        title="=Tuyên truyền pháp luật",
        date=date(2024, 1, 5),
        status=ProgramStatus.PLANNED,
        fields=[],
        by=district_staff,
    )
    before = sorted(Program.objects.values_list(*FIELDS))
    client.force_login(district_staff)
    exported = client.get(reverse("programs:program_list"), {"export": "xlsx"})
    assert exported.status_code == 200
    header, *lines = sheet_rows(exported.content, PROGRAMS.name)  # the import's sheet title
    assert header == [column.header for column in PROGRAMS.columns] + list(PROGRAMS.ignored)
    first = dict(zip(header, lines[-1], strict=True))
    assert first["Văn bản căn cứ"] == "1-ĐA/HU"
    assert first["Giá trị (đồng)"] == 5_000_000  # informational, ignored by the import
    Program.objects.all().delete()

    outcome = services.execute(KIND, handle(exported.content), district_staff)
    assert outcome.plan.created[PROGRAMS.name] == 2
    assert sorted(Program.objects.values_list(*FIELDS)) == before
    # The list export has one sheet: the contributions and participation stay on the pages.
    assert Contribution.objects.count() == Participation.objects.count() == 0
    again = services.execute(KIND, handle(exported.content), district_staff)
    assert again.plan.existing[PROGRAMS.name] == 2


def test_a_commune_officers_export_imports_into_their_commune(client, tree, commune_a_officer):
    ProgramFactory(unit=tree.commune_a, title="Ra quân", date=date(2023, 5, 1), by=commune_a_officer)
    client.force_login(commune_a_officer)
    exported = client.get(reverse("programs:program_list"), {"export": "xlsx"})
    before = sorted(Program.objects.values_list(*FIELDS))
    Program.objects.all().delete()
    services.execute(KIND, handle(exported.content), commune_a_officer)
    assert sorted(Program.objects.values_list(*FIELDS)) == before
