"""``manage.py import_docs``: rewrite docs/import.md from the import kinds' declarations."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from imports.docs import render

DOCS = Path(settings.BASE_DIR) / "docs" / "import.md"


class Command(BaseCommand):
    help = "Rewrite docs/import.md from the import templates' declarations."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date; write nothing")

    def handle(self, *args, check: bool, **options):
        text = render()
        if check:
            if not DOCS.exists() or DOCS.read_text(encoding="utf-8") != text:
                self.stderr.write("docs/import.md is out of date: run manage.py import_docs")
                raise SystemExit(1)
            return
        DOCS.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOCS.relative_to(settings.BASE_DIR)}")
