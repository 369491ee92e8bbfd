"""Exports of the petition list: the filtered rows of every page, Excel-safe, in few queries."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dialogues.tests.factories import PetitionFactory
from dialogues.views_petitions import PetitionListView
from dialogues.workflow import PetitionStatus

INJECTION = '=HYPERLINK("http://x")'


@pytest.fixture
def petitions(tree, commune_a_officer, commune_b_officer, district_staff):
    rows = {
        "formula": PetitionFactory(
            unit=tree.commune_a, by=commune_a_officer, content=INJECTION, field="land", received_on=date(2024, 3, 4)
        ),
        "dash": PetitionFactory(
            unit=tree.commune_a,
            by=commune_a_officer,
            content="- Đề nghị cấp giấy chứng nhận quyền sử dụng đất.",
            field="land",
            received_on=date(2024, 3, 5),
            village=tree.village_a,
        ),
        "transport": PetitionFactory(
            unit=tree.commune_a, by=commune_a_officer, field="transport", received_on=date(2024, 3, 6)
        ),
        "other_commune": PetitionFactory(
            unit=tree.commune_b, by=commune_b_officer, field="land", received_on=date(2024, 3, 7)
        ),
        "assigned": PetitionFactory(
            unit=tree.commune_a,
            by=district_staff,
            status=PetitionStatus.ASSIGNED,
            agency=tree.agency,
            deadline=date(2024, 4, 30),
            field="land",
            received_on=date(2024, 3, 8),
        ),
    }
    return rows


def export(client, fmt, **params):
    response = client.get(reverse("dialogues:petition_list"), {**params, "export": fmt})
    assert response.status_code == 200, response
    return response


def xlsx_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows())


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_xlsx_export_holds_exactly_the_filtered_rows(client, tree, petitions, district_staff):
    client.force_login(district_staff)
    response = export(client, "xlsx", unit=tree.commune_a.pk, field="land")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    header, *body = rows
    assert all(cell.font.bold for cell in header)
    ids = {row[0].value for row in body}
    assert ids == {petitions[key].pk for key in ("formula", "dash", "assigned")}
    # Numbers stay numbers and dates stay dates.
    by_id = {row[0].value: row for row in body}
    assigned = by_id[petitions["assigned"].pk]
    assert isinstance(assigned[0].value, int)
    # The columns of the petitions import template first (imports/kinds/petitions.py), then
    # the informational ones.
    assert [cell.value for cell in header][:3] == ["Mã", "Xã, phường", "Ngày tiếp nhận"]
    assert assigned[2].is_date and assigned[2].value.date() == date(2024, 3, 8)
    assert assigned[14].is_date and assigned[14].value.date() == date(2024, 4, 30)
    assert assigned[13].value == tree.agency.name


def test_csv_export_holds_exactly_the_filtered_rows_and_starts_with_a_bom(client, tree, petitions, district_staff):
    client.force_login(district_staff)
    response = export(client, "csv", unit=tree.commune_a.pk, field="land")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *body = csv_rows(response)
    assert len(header) == 20
    assert {int(row[0]) for row in body} == {petitions[key].pk for key in ("formula", "dash", "assigned")}
    # Every field is quoted, so commas inside a petition cannot shift the columns.
    first_line = response.content.decode("utf-8-sig").splitlines()[1]
    assert first_line.startswith('"') and first_line.count('","') == 19
    assigned = next(row for row in body if int(row[0]) == petitions["assigned"].pk)
    assert assigned[2] == "08/03/2024" and assigned[14] == "30/04/2024"


def test_export_neutralizes_spreadsheet_formulas(client, petitions, district_staff):
    client.force_login(district_staff)
    content_column = 6

    rows = xlsx_rows(export(client, "xlsx"))
    by_id = {row[0].value: row for row in rows[1:]}
    formula_cell = by_id[petitions["formula"].pk][content_column]
    assert formula_cell.data_type != "f" and formula_cell.data_type == "s"
    assert formula_cell.value == INJECTION and formula_cell.quotePrefix
    dash_cell = by_id[petitions["dash"].pk][content_column]
    assert dash_cell.data_type == "s" and dash_cell.value.startswith("- Đề nghị")

    by_id = {int(row[0]): row for row in csv_rows(export(client, "csv"))[1:]}
    assert by_id[petitions["formula"].pk][content_column] == "'" + INJECTION
    assert by_id[petitions["dash"].pk][content_column].startswith("'- Đề nghị")


def test_export_respects_scope_and_search(client, petitions, commune_b_officer):
    client.force_login(commune_b_officer)
    body = csv_rows(export(client, "csv"))[1:]
    assert [int(row[0]) for row in body] == [petitions["other_commune"].pk]
    assert csv_rows(export(client, "csv", q="hyperlink"))[1:] == []


def test_export_covers_every_page_not_only_the_first(client, tree, commune_a_officer):
    for _index in range(30):
        PetitionFactory(unit=tree.commune_a, by=commune_a_officer, received_on=date(2024, 1, 2))
    client.force_login(commune_a_officer)
    assert len(csv_rows(export(client, "csv", page=2))) == 31


def test_export_over_the_limit_is_refused_with_a_message(client, petitions, district_staff, monkeypatch):
    monkeypatch.setattr(PetitionListView, "export_max_rows", 3)
    client.force_login(district_staff)
    response = client.get(reverse("dialogues:petition_list"), {"export": "xlsx", "field": "land"})
    assert response.status_code == 302
    assert "export" not in response.url and "field=land" in response.url
    page = client.get(response.url)
    text = " ".join(str(message) for message in page.context["messages"])
    assert "4" in text and "3" in text


def test_unknown_export_format_shows_the_page(client, petitions, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("dialogues:petition_list"), {"export": "pdf"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("count", [3, 30])
def test_export_query_count_does_not_grow_with_rows(client, tree, district_staff, django_assert_max_num_queries, count):
    for index in range(count):
        PetitionFactory(
            unit=tree.commune_a if index % 2 else tree.commune_b,
            village=tree.village_a if index % 2 else None,
            received_on=date(2024, 1, 2),
        )
    client.force_login(district_staff)
    with django_assert_max_num_queries(5):
        response = export(client, "xlsx")
    assert len(xlsx_rows(response)) == count + 1


def test_anonymous_cannot_export(client, petitions):
    response = client.get(reverse("dialogues:petition_list"), {"export": "csv"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_dialogue_list_exports_the_filtered_dialogues_with_counts(client, tree, commune_a_officer, district_staff):
    from dialogues.tests.factories import DialogueFactory, petition_input

    DialogueFactory(unit=tree.commune_a, topic="=cmd|' /C calc'!A0 Nặm Mèng", petitions=[petition_input()] * 2)
    DialogueFactory(unit=tree.commune_b, topic="Đối thoại ở Nghĩa Đô")
    client.force_login(commune_a_officer)
    response = client.get(reverse("dialogues:dialogue_list"), {"export": "xlsx", "q": "nam meng"})
    rows = xlsx_rows(response)
    assert len(rows) == 2  # header + the one dialogue of commune A matching the search
    header = [cell.value for cell in rows[0]]
    topic = rows[1][header.index("Chủ đề")]
    assert topic.data_type != "f" and topic.value.startswith("=cmd")
    assert rows[1][header.index("Số kiến nghị")].value == 2
    client.force_login(district_staff)
    text = client.get(reverse("dialogues:dialogue_list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "Nghĩa Đô" in text and "'=cmd" in text
