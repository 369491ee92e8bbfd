"""Fixtures of the export tests: private media in a temporary folder, a low threshold so a
handful of petitions makes a background export, and helpers to read the files."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dialogues.tests.factories import PetitionFactory

INJECTION = '=HYPERLINK("http://x","bấm")'
PETITIONS = "dialogues:petition_list"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def threshold(settings):
    """Above 3 rows an export goes to the background."""
    settings.EXPORT_SYNC_MAX_ROWS = 3
    return settings


@pytest.fixture
def petitions(tree, commune_a_officer, commune_b_officer):
    """Five land petitions of commune A (one formula-looking), one transport petition of A, two
    land petitions of commune B."""
    rows = [
        PetitionFactory(unit=tree.commune_a, by=commune_a_officer, field="land", received_on=date(2024, 3, day))
        for day in (4, 5, 6, 7)
    ]
    rows.append(
        PetitionFactory(
            unit=tree.commune_a, by=commune_a_officer, field="land", content=INJECTION, received_on=date(2024, 3, 8)
        )
    )
    rows.append(PetitionFactory(unit=tree.commune_a, by=commune_a_officer, field="transport"))
    rows += [
        PetitionFactory(unit=tree.commune_b, by=commune_b_officer, field="land", received_on=date(2024, 4, day))
        for day in (1, 2)
    ]
    return rows


def list_url(name: str = PETITIONS) -> str:
    return reverse(name)


def xlsx_values(content: bytes) -> tuple[str, list[list]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet.title, [[cell.value for cell in row] for row in sheet.iter_rows()]


def xlsx_cells(content: bytes) -> list:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows())


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def body(response) -> bytes:
    """The bytes of a download, whether an HttpResponse or a FileResponse."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
