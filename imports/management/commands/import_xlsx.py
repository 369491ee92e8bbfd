"""``manage.py import_xlsx <kind> <file> [--dry-run] --as <username>``: the import from a shell.

Same checks, same scoping (the file is read as the user named by ``--as``: a commune officer's
file cannot write into another commune) and the same log as the Import page. Exit status 0 when
the file imports (or, with ``--dry-run``, would import) cleanly; 1 with the problem list
otherwise; 2 for a wrong command line.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from imports import services
from imports.kinds import REGISTRY, ordered
from imports.models import ImportStatus
from imports.problems import Problem


class Command(BaseCommand):
    help = "Import an Excel file filled from a template (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[kind.key for kind in ordered()] or list(REGISTRY))
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="the user the file is imported as")
        parser.add_argument("--dry-run", action="store_true", help="check only; save nothing")

    def handle(self, *args, kind: str, file: Path, username: str, dry_run: bool, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.", returncode=2)
        if not file.is_file():
            raise CommandError(f"No file {file}.", returncode=2)
        with translation.override(translation.get_language() or "vi"):
            try:
                with file.open("rb") as handle:
                    job = services.import_now(user=user, kind_key=kind, handle=handle, name=file.name, dry_run=dry_run)
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)])), returncode=1) from None
            for line in job.summary:
                self.stdout.write(
                    _("%(sheet)s: %(create)s to create, %(existing)s already present")
                    % {"sheet": line["sheet"], "create": line["create"], "existing": line["existing"]}
                )
            if job.status == ImportStatus.PROBLEMS:
                for problem in job.problems:
                    self.stderr.write(str(Problem(**problem)))
                hidden = job.problem_count - len(job.problems)
                if hidden:
                    self.stderr.write(f"… {hidden} more")
                raise CommandError(
                    f"{job.problem_count} problem(s); nothing was saved (import #{job.pk}).", returncode=1
                )
            self.stdout.write(self.style.SUCCESS(f"{job.message} (import #{job.pk})"))
