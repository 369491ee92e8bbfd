"""The villages import (kind "units"), the unit list export it round-trips with, and the exports
of the document register and the people list."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from imports import services
from imports.kinds import REGISTRY
from imports.kinds.units import SHEET as SPEC
from imports.kinds.units import slug
from imports.reader import read_book
from imports.template import build_template
from imports.tests.helpers import handle, problem_texts, sheet_rows, workbook_bytes
from organization import services as organization_services
from organization.models import DocumentKind, PersonKind, Unit, UnitKind
from organization.tests.factories import PersonFactory, UnitFactory

KIND = REGISTRY["units"]
SHEET = SPEC.name
VILLAGE = str(UnitKind.VILLAGE.label)
CLUSTER = str(UnitKind.RESIDENTIAL_CLUSTER.label)
FIELDS = ("key", "name", "kind", "code", "parent_id", "valid_from", "valid_to")


def row(**values):
    base = {"commune": "Xã Vĩnh Yên", "name": "Thôn Làng Mới", "kind": VILLAGE}
    base.update(values)
    return base


def good_file() -> bytes:
    return workbook_bytes(
        "units",
        {
            SHEET: [
                row(),
                row(name="Tổ dân phố 3", kind=CLUSTER, code="0295603", valid_from="01/01/2022"),
                row(commune="02953", name="Bản Khuổi Phéc", kind=None, valid_from=date(2021, 5, 1)),
            ]
        },
    )


def new_units():
    return Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER)).exclude(
        key__in=("t-tong-kim", "t-na-pong")
    )


def located(problems):
    return [(item.sheet, item.row, item.column, item.message) for item in problems.kept]


# --- The template --------------------------------------------------------------------------


def test_template_builds_and_reads_back_with_its_example_row_skipped(district_staff):
    data = build_template(KIND, district_staff)
    assert sheet_rows(data, SHEET)[0] == [column.header for column in SPEC.columns]
    book = read_book(io.BytesIO(data), KIND.sheets)
    assert not book.problems, problem_texts(book.problems)
    assert book.rows[SHEET] == []
    assert book.skipped_examples == 1
    lists = sheet_rows(data, "Danh mục")
    kinds_column = lists[0].index(f"{SHEET} · Loại")
    assert [line[kinds_column] for line in lists[1:] if line[kinds_column]] == [VILLAGE, CLUSTER]


def test_key_segments_follow_the_units_data_file():
    assert slug("Bản Tổng Kim") == "tong-kim"
    assert slug("Tổ dân phố 1") == "to-dan-pho-1"
    assert slug("Thôn Đồng Tâm 2") == "dong-tam-2"
    assert slug("Làng  Mới") == "moi"


# --- Preview and import ----------------------------------------------------------------------


def test_preview_writes_nothing_and_counts_what_would_be_created(district_staff):
    before = Unit.objects.count()
    outcome = services.attempt(KIND, handle(good_file()), district_staff, write=False)
    assert not outcome.problems, problem_texts(outcome.problems)
    assert outcome.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 3, "existing": 0}]
    assert Unit.objects.count() == before


def test_import_creates_the_villages_under_their_communes(tree, district_staff):
    services.execute(KIND, handle(good_file()), district_staff)
    units = {unit.name: unit for unit in new_units()}
    assert set(units) == {"Thôn Làng Mới", "Tổ dân phố 3", "Bản Khuổi Phéc"}
    village = units["Thôn Làng Mới"]
    assert (village.key, village.kind, village.parent, village.code) == (
        "t-vinh-yen/lang-moi",
        UnitKind.VILLAGE,
        tree.commune_a,
        "",
    )
    # Blank dates are the commune's, so the village is valid exactly while its commune is.
    assert (village.valid_from, village.valid_to) == (tree.commune_a.valid_from, tree.commune_a.valid_to)
    assert village.path.startswith(tree.commune_a.path) and village.depth == tree.commune_a.depth + 1
    cluster = units["Tổ dân phố 3"]
    assert (cluster.key, cluster.kind, cluster.code, cluster.valid_from) == (
        "t-vinh-yen/to-dan-pho-3",
        UnitKind.RESIDENTIAL_CLUSTER,
        "0295603",
        date(2022, 1, 1),
    )
    by_code = units["Bản Khuổi Phéc"]  # the commune was written by its code, the kind left blank
    assert (by_code.parent, by_code.kind, by_code.valid_from) == (tree.commune_b, UnitKind.VILLAGE, date(2021, 5, 1))
    assert village.history.first().history_user == district_staff


def test_importing_the_same_file_again_creates_nothing(district_staff):
    services.execute(KIND, handle(good_file()), district_staff)
    count = Unit.objects.count()
    again = services.execute(KIND, handle(good_file()), district_staff)
    assert again.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 0, "existing": 3}]
    assert Unit.objects.count() == count


def test_a_village_already_in_the_portal_is_skipped_case_and_accents_ignored(tree, district_staff):
    data = workbook_bytes("units", {SHEET: [row(name="BAN TONG KIM")]})
    outcome = services.execute(KIND, handle(data), district_staff)
    assert outcome.plan.existing[SHEET] == 1
    assert not new_units().exists()


def test_a_commune_officer_cannot_add_villages_to_another_commune(commune_a_officer):
    before = Unit.objects.count()
    data = workbook_bytes("units", {SHEET: [row(), row(commune="Xã Nghĩa Đô", name="Thôn Mới")]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), commune_a_officer)
    assert located(caught.value.problems) == [
        (
            SHEET,
            3,
            "Xã, phường",
            _("“%(text)s” is outside the units you may record data for.") % {"text": "Xã Nghĩa Đô"},
        )
    ]
    assert Unit.objects.count() == before  # the good first row is not written either


def test_a_commune_officer_adds_villages_to_their_own_commune(tree, commune_a_officer):
    services.execute(KIND, handle(workbook_bytes("units", {SHEET: [row()]})), commune_a_officer)
    assert new_units().get().parent == tree.commune_a


# --- Bad values ------------------------------------------------------------------------------


def test_an_unknown_village_kind_is_reported_with_the_allowed_ones(district_staff):
    data = workbook_bytes("units", {SHEET: [row(kind="Xóm trại")]})
    outcome = services.attempt(KIND, handle(data), district_staff, write=False)
    assert located(outcome.problems) == [
        (
            SHEET,
            2,
            "C · Loại",
            _("“%(value)s” is not one of: %(labels)s.") % {"value": "Xóm trại", "labels": f"{VILLAGE}; {CLUSTER}"},
        )
    ]


def test_duplicate_rows_inside_the_file_are_reported(district_staff):
    data = workbook_bytes("units", {SHEET: [row(), row(name="thon lang moi")]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), district_staff)
    assert located(caught.value.problems) == [
        (SHEET, 3, "Tên", _("This row repeats row %(row)s (same commune and name).") % {"row": 2})
    ]
    assert not new_units().exists()


def test_two_names_giving_one_key_are_reported(district_staff):
    data = workbook_bytes("units", {SHEET: [row(name="Thôn Nà Hu"), row(name="Bản Nà Hu")]})
    outcome = services.attempt(KIND, handle(data), district_staff, write=False)
    assert problem_texts(outcome.problems) == [
        _("This name gives the same key “%(key)s” as row %(row)s. Two villages of a commune need distinct names.")
        % {"key": "t-vinh-yen/na-hu", "row": 2}
    ]


def test_a_key_another_unit_holds_is_reported_not_renamed(tree, district_staff):
    UnitFactory(key="t-vinh-yen/na-hu", name="Trường Nà Hu", kind=UnitKind.SCHOOL, parent=tree.commune_a)
    data = workbook_bytes("units", {SHEET: [row(name="Thôn Nà Hu")]})
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), district_staff)
    assert located(caught.value.problems) == [
        (
            SHEET,
            2,
            "Tên",
            _("The key “%(key)s” this name gives is already used by %(unit)s. Write the name differently.")
            % {"key": "t-vinh-yen/na-hu", "unit": "Trường Nà Hu"},
        )
    ]
    assert not new_units().exists()


def test_a_code_another_unit_holds_is_reported(district_staff):
    data = workbook_bytes("units", {SHEET: [row(code="02953")]})
    outcome = services.attempt(KIND, handle(data), district_staff, write=False)
    assert located(outcome.problems) == [
        (SHEET, 2, "Mã", _("The code %(code)s is already used by %(unit)s.") % {"code": "02953", "unit": "Xã Nghĩa Đô"})
    ]


def test_a_village_must_lie_within_its_communes_validity(district_staff):
    data = workbook_bytes(
        "units",
        {
            SHEET: [
                row(name="Thôn Sau", valid_to="31/12/2026"),
                row(name="Thôn Trước", valid_from="01/01/2019"),
                row(name="Thôn Ngược", valid_from="01/06/2024", valid_to="01/01/2024"),
            ]
        },
    )
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), district_staff)
    assert located(caught.value.problems) == [
        (
            SHEET,
            2,
            "Hiệu lực đến",
            _("A village is valid only while its commune %(commune)s is (%(start)s – %(end)s).")
            % {"commune": "Xã Vĩnh Yên", "start": "01/01/2020", "end": "30/06/2025"},
        ),
        (
            SHEET,
            3,
            "Xã, phường",
            _("%(unit)s existed from %(start)s to %(end)s, not on %(day)s.")
            % {"unit": "Xã Vĩnh Yên", "start": "01/01/2020", "end": "30/06/2025", "day": "01/01/2019"},
        ),
        (SHEET, 4, "Hiệu lực đến", _("The end of validity is before its start.")),
    ]
    assert not new_units().exists()


# --- The unit list export and the round trip -------------------------------------------------


def test_round_trip_of_the_village_list(client, tree, district_staff):
    services.execute(KIND, handle(good_file()), district_staff)
    before = sorted(new_units().values_list(*FIELDS))
    client.force_login(district_staff)
    villages = client.get(reverse("unit_list"), {"kind": UnitKind.VILLAGE, "export": "xlsx"})
    clusters = client.get(reverse("unit_list"), {"kind": UnitKind.RESIDENTIAL_CLUSTER, "export": "xlsx"})
    assert villages.status_code == clusters.status_code == 200
    rows = sheet_rows(villages.content, SHEET)  # the import's sheet title
    assert rows[0] == [column.header for column in SPEC.columns] + ["Trực thuộc", "Mã định danh"]
    assert ["Xã Vĩnh Yên", "Thôn Làng Mới", VILLAGE, None, date(2020, 1, 1), date(2025, 6, 30)] in [
        [cell.date() if hasattr(cell, "date") else cell for cell in line[:6]] for line in rows[1:]
    ]
    new_units().delete()

    outcome = services.execute(KIND, handle(villages.content), district_staff)
    # The fixture's two villages are in the export too: already present, skipped.
    assert outcome.plan.summary(KIND.sheets) == [{"sheet": SHEET, "create": 2, "existing": 2}]
    services.execute(KIND, handle(clusters.content), district_staff)
    assert sorted(new_units().values_list(*FIELDS)) == before


def test_an_export_of_every_unit_lists_them_all_and_imports_only_villages(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("unit_list"), {"export": "xlsx"})
    lines = sheet_rows(response.content, SHEET)[1:]
    rows = {line[1]: line for line in lines}
    assert len(rows) == 10  # every unit of the district's tree, the province above it not included
    assert rows["Xã Vĩnh Yên"][:3] == [None, "Xã Vĩnh Yên", str(UnitKind.COMMUNE.label)]
    assert rows["Xã Vĩnh Yên"][6:] == ["Huyện Bảo Yên", "t-vinh-yen"]
    assert rows["Bản Tổng Kim"][:3] == ["Xã Vĩnh Yên", "Bản Tổng Kim", VILLAGE]
    before = Unit.objects.count()
    outcome = services.attempt(KIND, handle(response.content), district_staff, write=True)
    # Communes and bodies are not villages: each such row is reported on its "Loại", the two
    # villages are already present, and nothing is written.
    not_villages = {number for number, line in enumerate(lines, start=2) if line[2] != VILLAGE}
    assert {item.row for item in outcome.problems.kept if item.column == "C · Loại"} == not_villages
    assert {item.row for item in outcome.problems.kept} == not_villages
    assert outcome.plan.existing[SHEET] == 2
    assert Unit.objects.count() == before


def test_the_unit_list_export_keeps_to_the_users_scope(client, tree, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.get(reverse("unit_list"), {"export": "csv"})
    assert response.content.startswith("\ufeff".encode())
    names = [line[1] for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]
    assert sorted(names) == ["Thôn Nà Pồng", "Xã Nghĩa Đô"]


def test_the_unit_list_shows_the_export_buttons(client, district_staff):
    client.force_login(district_staff)
    html = client.get(reverse("unit_list"), {"kind": UnitKind.VILLAGE}).content.decode()
    assert "export=xlsx" in html and "export=csv" in html and "kind=village" in html


# --- Exports of the document register and the people list ------------------------------------


@pytest.fixture
def register(tree, district_staff):
    signer = PersonFactory(full_name="Nguyễn Văn Ký", unit=tree.party_committee, position="Bí thư")
    document = organization_services.document_issue(
        issuer=tree.party_committee,
        kind=DocumentKind.DA,
        day=date(2023, 1, 10),
        subject="=Đề án dân vận khéo",  # a formula trigger, neutralized in the export
        signer=signer,
        created_by=district_staff,
    )
    PersonFactory(full_name="Hoàng Thị Lan", unit=tree.commune_a, kind=PersonKind.PRESTIGIOUS, phone="0912 345 678")
    PersonFactory(full_name="Lò Văn Páo", unit=tree.commune_b, kind=PersonKind.ELDER, ethnicity="Tày")
    return document


def test_the_document_register_exports_to_xlsx_and_csv(client, register, district_staff):
    client.force_login(district_staff)
    xlsx = client.get(reverse("document_list"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    header, line = sheet_rows(xlsx.content)
    record = dict(zip(header, line, strict=True))
    assert record[_("Number and symbol")] == register.symbol == "1-ĐA/HU"
    assert record[_("Subject")] == "=Đề án dân vận khéo"  # kept as text, not a formula
    assert record[_("Kind")] == str(DocumentKind.DA.label)
    assert (record[_("Issuer")], record[_("Signer")], record[_("Term")]) == (
        "Huyện ủy Bảo Yên",
        "Nguyễn Văn Ký",
        "khóa XXII",
    )
    assert record[_("Date")].date() == date(2023, 1, 10)
    csv_response = client.get(reverse("document_list"), {"export": "csv"})
    assert csv_response.content.startswith("\ufeff".encode())
    header, line = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    record = dict(zip(header, line, strict=True))
    assert record[_("Subject")] == "'=Đề án dân vận khéo"
    assert record[_("Date")] == "10/01/2023"


def test_the_people_list_exports_to_xlsx_and_csv_within_the_scope(client, register, district_staff, commune_a_officer):
    client.force_login(district_staff)
    xlsx = client.get(reverse("person_list"), {"export": "xlsx"})
    header, *lines = sheet_rows(xlsx.content)
    people = {line[header.index(_("Full name"))]: dict(zip(header, line, strict=True)) for line in lines}
    assert set(people) == {"Nguyễn Văn Ký", "Hoàng Thị Lan", "Lò Văn Páo"}
    assert people["Hoàng Thị Lan"][_("Kind")] == str(PersonKind.PRESTIGIOUS.label)
    assert people["Hoàng Thị Lan"][_("Phone")] == "0912 345 678"
    assert people["Lò Văn Páo"][_("Ethnicity")] == "Tày"
    client.force_login(commune_a_officer)
    csv_response = client.get(reverse("person_list"), {"export": "csv", "q": "lan"})
    assert csv_response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert [line[0] for line in rows[1:]] == ["Hoàng Thị Lan"]
    assert rows[1][header.index(_("Unit"))] == "Xã Vĩnh Yên"


def test_document_and_people_lists_show_the_export_buttons(client, register, district_staff):
    client.force_login(district_staff)
    for name in ("document_list", "person_list"):
        html = client.get(reverse(name)).content.decode()
        assert "export=xlsx" in html and "export=csv" in html, name
