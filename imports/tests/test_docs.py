"""docs/import.md is generated from the kinds' declarations and must match them."""

from pathlib import Path

from django.conf import settings

from imports.docs import render
from imports.kinds import ordered


def test_docs_import_md_is_up_to_date():
    committed = (Path(settings.BASE_DIR) / "docs" / "import.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/import.md is out of date: run `python manage.py import_docs` and commit it"


def test_every_kind_and_column_is_documented():
    text = render()
    for kind in ordered():
        assert f"`{kind.key}`" in text
        for spec in kind.sheets:
            assert f"Sheet “{spec.name}”" in text
            for column in spec.columns:
                assert f"| {column.header} |" in text
