"""docs/import.md, written from the kinds' declarations so the page and the templates agree.

``manage.py import_docs`` rewrites the file; a test fails when the committed page differs from
what the declarations produce (change a column, run the command, commit both).
"""

from __future__ import annotations

import sys

from django.utils import translation

from .kinds import ordered
from .spec import BOOLEAN, CHOICE, DATE, DECIMAL, INTEGER
from .template import choice_labels

TYPE_WORDS = {
    INTEGER: "whole number (Excel number, or text like `1.234.567`)",
    DECIMAL: "number (Excel number, or text like `283,75` — comma for decimals, dots between thousands)",
    DATE: "date (Excel date, or text `dd/mm/yyyy`)",
    CHOICE: "one value of the list",
    BOOLEAN: "`Có` or `Không`",
}

INTRO = """# Importing from Excel

Communes keep years of records in Excel. The Import page (menu *Directory → Import from Excel*,
`/imports/`) brings them in, one kind of record per file:

1. **Download the template** of the kind. It opens on the *Hướng dẫn* (instructions) sheet;
   each data sheet has the headers (required ones in dark red), one grey example row (left in,
   it is recognised and skipped), date formats, and drop-down lists for every column whose
   values are fixed (the lists are on the hidden *Danh mục* sheet). Your own communes are
   offered in a drop-down too.
2. **Fill it in and upload it.** The file is checked first, in the background, with a progress
   bar: every row is read and tried against the same rules as the pages (inside a transaction
   that is then rolled back), so the preview lists *every* problem by sheet, row and column, in
   Vietnamese, and says per sheet how many records would be created and how many rows are
   already in the portal. Nothing is saved.
3. **Confirm.** Only the uploader can. The import runs in the background as one transaction:
   all rows or none. It checks the file again first (the data may have changed since the
   preview); on PostgreSQL imports of one kind take turns, so two files with the same rows
   cannot both create them.
4. **The import log** on the same page lists who uploaded what, when, the counts and the result.
   District staff and leaders see the imports of the users in their units; only the uploader
   can download the file itself. The problem list downloads as Excel or CSV.

**No duplicates.** Each kind has a *natural key* (below). A row whose record is already in the
portal — imported before or typed on a page — is skipped and counted as "already present", so
uploading the same file twice creates nothing the second time. Two rows of one file with the
same key are reported as a problem. A file identical to one imported before (same SHA-256) is
also pointed out on the preview.

**Cells.** Real Excel numbers and dates are read as they are; so is text as Vietnamese offices
write it: `1.234.567`, `283,75`, `05/02/2024` (day first). What could be read two ways is
reported, never guessed: `05/02/24` (two-digit year), `02/25/2024` (month first), `1.5` or
`1,234.56` (not Vietnamese separators), a bare number in a date column. Choices accept the
label of the drop-down, in Vietnamese or English, with or without diacritics, or the code.
Negative numbers are refused. Formulas and merged cells are reported (paste values only;
unmerge and fill every row).

**Refused files.** An empty file, a CSV or an old `.xls` renamed to `.xlsx`, a ZIP that is not a
workbook, a damaged workbook, a file over `UPLOAD_MAX_BYTES`, and a compression bomb (a part
that expands more than 200 times beyond a megabyte, or a workbook over 400 MB unpacked) are
refused before they are opened, with what to do instead. A sheet holds at most 100,000 rows.

**Scope.** Units are named as people write them ("Xã Vĩnh Yên", "Vĩnh Yên", "vinh yen", or the
official code). Only units you may record data for are found: a commune officer's file naming
another commune is reported row by row ("outside the units you may record data for") and
nothing is saved. A unit must exist on the row's date (communes merged on 1/7/2025 do not take
later records).

**Round trip.** Lists whose records can be imported export with the template's sheet name and
headers (plus a few informational columns the import ignores), so an exported file can be
imported again unchanged — into another installation, for example.

**Command line.**

```sh
python manage.py import_xlsx <kind> <file.xlsx> --as <username> [--dry-run]
```

Same checks, scoping and log (`via` = `cli`). Exit status 0 when the file imports (or would,
with `--dry-run`), 1 with the problem list on standard error otherwise, 2 for a wrong command
line.

**API.** `GET /api/v1/import-kinds/` describes every kind (sheets, columns, allowed values,
template URL). `POST /api/v1/imports/` (multipart `kind`, `file`) uploads and starts the check;
`GET /api/v1/imports/{id}/` gives the status, progress, summary and problems; `POST
/api/v1/imports/{id}/confirm/` imports; `POST /api/v1/imports/{id}/cancel/` drops a checked file.
Statuses: `checking` → `ready` | `problems`; `ready` → `queued` → `running` → `done` | `failed`;
`ready` → `cancelled`.

**Throughput.** The petitions kind writes in batches (`dialogues.services.petitions_intake`,
the rules of `petition_create` applied to each row); `bench/import_petitions.py` measures rows per
second on a 50,000-row file.

The sections below are generated from the templates' declarations by
`python manage.py import_docs`; a test keeps them in step.
"""


def render() -> str:
    lines = [INTRO]
    # The page is in English like the other docs; the values of the drop-downs are quoted as
    # the Vietnamese template shows them.
    with translation.override("vi"):
        for kind in ordered():
            with translation.override("en"):
                lines.append(f"\n## {kind.label} — `{kind.key}`\n")
                lines.append(f"{kind.description}\n")
            # The kind's module docstring says how rows become records and what counts as
            # "already present"; its paragraphs are kept.
            notes = (sys.modules[kind.__class__.__module__].__doc__ or "").strip().replace("``", "`")
            for paragraph in notes.split("\n\n"):
                lines.append(" ".join(paragraph.split()) + "\n")
            for spec in kind.sheets:
                optional = " (optional sheet)" if spec.optional else ""
                lines.append(f"\n### Sheet “{spec.name}”{optional}\n")
                if spec.help:
                    lines.append(f"{spec.help}\n")
                lines.append("| column | required | what to write | meaning |")
                lines.append("|---|---|---|---|")
                for column in spec.columns:
                    kind_words = TYPE_WORDS.get(column.type, "text")
                    if column.max_length:
                        kind_words += f", at most {column.max_length} characters"
                    meaning = str(column.help or "")
                    allowed = choice_labels(column) if column.type == CHOICE else []
                    if allowed:
                        meaning = (
                            (meaning + " " if meaning else "")
                            + "Values: "
                            + "; ".join(f"`{label}`" for label in allowed)
                            + "."
                        )
                    required = "yes" if column.required else ""
                    lines.append(f"| {column.header} | {required} | {kind_words} | {meaning.replace('|', '/')} |")
                if spec.ignored:
                    ignored = ", ".join(f"“{header}”" for header in spec.ignored)
                    lines.append(f"\nIgnored when present (informational columns of the list export): {ignored}.\n")
    return "\n".join(lines).rstrip() + "\n"
