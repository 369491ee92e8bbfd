"""Throughput of the petitions import: rows per second for the check (dry run) and the import.

Run from the repository root:

    .venv/bin/python bench/import_petitions.py [--rows 50000] [--repeat 3] [--json out.json]

It uses DJANGO_SETTINGS_MODULE (``danvan_portal.settings.dev`` by default) and so DATABASE_URL:
SQLite under var/ without it, PostgreSQL with ``DATABASE_URL=postgres://…``. The database must be
migrated. The bench writes only into its own units (a district and a commune keyed ``bench-…``,
created on first run, with a commune officer ``bench_commune_officer`` who cannot sign in) and,
before each repeat, deletes that commune's petitions; the demo data and every other unit are
left alone. Use a database of its own all the same: the figures should not depend on what else
is in it.

Each repeat times, on the same generated file (all rows valid, so nothing is refused):
* reading the workbook alone (``imports.reader.read_book``),
* the check a user sees as the preview (``imports.services.attempt(..., write=False)``: read,
  resolve units, check rows, write through the services, roll back),
* the import (``imports.services.execute``: the same, committed).

``--profile`` runs one more import under cProfile and splits its time into reading, unit lookup,
row checks, the duplicate look-up, validation, inserts, history and events. No figure is
asserted: the bench measures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan_portal.settings.dev")
# DEBUG keeps every SQL statement in memory; production runs without it, so does the bench
# unless DEBUG is set explicitly.
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from dialogues.models import Petition, PetitionEvent, PetitionField, PetitionSource, PetitionType  # noqa: E402
from imports import services  # noqa: E402
from imports.kinds import REGISTRY  # noqa: E402
from imports.kinds.petitions import SHEET  # noqa: E402
from imports.reader import read_book  # noqa: E402
from organization.models import Membership, Role, Unit, UnitKind, User  # noqa: E402

KIND = REGISTRY["petitions"]
DISTRICT_KEY = "bench-district"
COMMUNE_KEY = "bench-district/bench-commune"
COMMUNE_NAME = "Xã Thử Tải"
VILLAGES = 12
USERNAME = "bench_commune_officer"
VALID_FROM = date(2020, 1, 1)
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2024, 12, 31)

TOPICS = (
    "Đề nghị sửa chữa đoạn đường liên thôn bị sạt lở sau mưa lũ",
    "Đề nghị hỗ trợ kinh phí làm nhà văn hóa thôn",
    "Phản ánh việc cấp giấy chứng nhận quyền sử dụng đất còn chậm",
    "Đề nghị kéo điện lưới về các hộ ở cuối thôn",
    "Kiến nghị bố trí điểm thu gom rác thải sinh hoạt",
    "Đề nghị sửa chữa công trình nước sinh hoạt tự chảy",
    "Phản ánh tình trạng đánh bắt cá bằng kích điện trên suối",
    "Đề nghị xem xét hộ nghèo, hộ cận nghèo năm nay",
    "Đề nghị hỗ trợ giống cây trồng sau thiên tai",
    "Kiến nghị tăng cường tuần tra an ninh trật tự ban đêm",
    "Đề nghị làm rõ mức bồi thường giải phóng mặt bằng",
    "Đề nghị giải quyết thủ tục hành chính nhanh hơn tại bộ phận một cửa",
)
PEOPLE = ("Ông Hoàng Văn", "Bà Lý Thị", "Ông Bàn Văn", "Bà Triệu Thị", "Ông Đặng Văn", "Bà Nông Thị")
GIVEN = ("An", "Bình", "Chiến", "Dũng", "Hoa", "Lan", "Minh", "Phúc", "Quang", "Sinh", "Thắm", "Vinh")


# --- the bench's own units and user ---------------------------------------------------------


def ensure_cast() -> tuple[Unit, list[Unit], User]:
    """The bench district, commune, villages and commune officer; created once, then reused."""
    with transaction.atomic():
        district, _ = Unit.objects.get_or_create(
            key=DISTRICT_KEY,
            defaults={"name": "Huyện Thử Tải", "kind": UnitKind.DISTRICT, "valid_from": VALID_FROM},
        )
        commune, _ = Unit.objects.get_or_create(
            key=COMMUNE_KEY,
            defaults={"name": COMMUNE_NAME, "kind": UnitKind.COMMUNE, "parent": district, "valid_from": VALID_FROM},
        )
        villages = []
        for number in range(1, VILLAGES + 1):
            village, _ = Unit.objects.get_or_create(
                key=f"{COMMUNE_KEY}/thon-{number:02d}",
                defaults={
                    "name": f"Thôn Thử Tải {number:02d}",
                    "kind": UnitKind.VILLAGE,
                    "parent": commune,
                    "valid_from": VALID_FROM,
                },
            )
            villages.append(village)
        user, created = User.objects.get_or_create(username=USERNAME, defaults={"full_name": "Cán bộ xã Thử Tải"})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, unit=commune, role=Role.COMMUNE_OFFICER)
    return commune, villages, user


def clear_petitions(commune: Unit) -> int:
    """Delete the bench commune's petitions with their events and history rows.

    The petitions go by one DELETE statement: the ORM's delete would load every row and let
    simple_history write a "deleted" history row for each, minutes for 50,000 rows. Nothing else
    refers to the bench's petitions (if something did, the database would refuse the DELETE).
    """
    with transaction.atomic():
        PetitionEvent.objects.filter(petition__unit=commune).delete()
        Petition.history.model.objects.filter(unit_id=commune.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(Petition._meta.db_table)} WHERE unit_id = %s",  # noqa: S608
                [commune.pk],
            )
            return cursor.rowcount


# --- the file -------------------------------------------------------------------------------


def generate(rows: int, villages: list[Unit], seed: int, answered_share: float) -> bytes:
    """A petitions workbook of ``rows`` valid rows with the template's headers (write-only, so
    a 50,000-row file is built in seconds). Dates are a mix of real Excel dates and typed
    dd/mm/yyyy text; fields, sources, types, petitioners and villages vary; every row is unique
    by the import's natural key (commune, date, content, person)."""
    rng = random.Random(seed)  # noqa: S311 -- sample content, not secrets
    with translation.override("vi"):
        sources = [str(label) for value, label in PetitionSource.choices if value != PetitionSource.DIALOGUE]
        fields = [str(label) for _value, label in PetitionField.choices]
        types = [str(label) for _value, label in PetitionType.choices]
    span = (LAST_DAY - FIRST_DAY).days
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET.name)
    keys = [column.key for column in SHEET.columns]
    sheet.append([column.header for column in SHEET.columns])
    for number in range(1, rows + 1):
        day = FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        answered = rng.random() < answered_share
        values = {
            "commune": COMMUNE_NAME,
            "received_on": day if rng.random() < 0.7 else day.strftime("%d/%m/%Y"),
            "source": rng.choice(sources),
            "type": rng.choice(types) if rng.random() < 0.6 else None,
            "field": rng.choice(fields),
            "content": f"{rng.choice(TOPICS)} (phiếu số {number})",
            "petitioner": f"{rng.choice(PEOPLE)} {rng.choice(GIVEN)}" if rng.random() < 0.8 else None,
            "village": rng.choice(villages).name if rng.random() < 0.75 else None,
            "answered_on_spot": "Có" if answered else ("Không" if rng.random() < 0.3 else None),
            "on_spot_answer": "Đã giải thích chính sách tại buổi tiếp." if answered else None,
        }
        sheet.append([values.get(key) for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- timing ---------------------------------------------------------------------------------


def timed(call):
    """(wall seconds, this process's CPU seconds, result). On a busy machine the CPU time of
    the Python side is the steadier figure; the database server's own time is only in the wall
    time (and on SQLite, which runs in this process, in both)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def check_outcome(outcome, rows: int, what: str) -> None:
    if outcome.problems:
        first = "; ".join(str(problem) for problem in outcome.problems.kept[:5])
        raise SystemExit(f"{what}: the generated file has {outcome.problems.total} problem(s): {first}")
    if outcome.plan.create_count != rows:
        raise SystemExit(f"{what}: expected {rows} petitions to create, the plan has {outcome.plan.create_count}")


def run_once(data: bytes, rows: int, commune: Unit, user: User) -> dict:
    clear_petitions(commune)
    read_s, read_cpu, book = timed(lambda: read_book(io.BytesIO(data), KIND.sheets))
    if book.problems or book.row_count != rows:
        raise SystemExit(f"read_book: {book.row_count} rows read, {book.problems.total} problem(s)")
    check_s, check_cpu, outcome = timed(lambda: services.attempt(KIND, io.BytesIO(data), user, write=False))
    check_outcome(outcome, rows, "check")
    if Petition.objects.filter(unit=commune).exists():
        raise SystemExit("check: the dry run left petitions behind")
    import_s, import_cpu, outcome = timed(lambda: services.execute(KIND, io.BytesIO(data), user))
    check_outcome(outcome, rows, "import")
    stored = Petition.objects.filter(unit=commune).count()
    if stored != rows:
        raise SystemExit(f"import: {stored} petitions stored, {rows} expected")
    return {
        "read_s": read_s,
        "check_s": check_s,
        "import_s": import_s,
        "read_cpu_s": read_cpu,
        "check_cpu_s": check_cpu,
        "import_cpu_s": import_cpu,
    }


# --- profile --------------------------------------------------------------------------------

#: (phase, module path suffix, function name, calling function or None): the cumulative time
#: of these functions in the profile (only the calls made from the calling function, if given).
#: A phase the code no longer has (the import is being tuned) shows as 0 and is left out.
PHASES = (
    ("reading the workbook (read_book)", "imports/reader.py", "read_book", None),
    ("  openpyxl parsing the sheet XML", "openpyxl/worksheet/_read_only.py", "_cells_by_row", None),
    ("  formulas and merged cells (_scan_sheet_xml)", "imports/reader.py", "_scan_sheet_xml", None),
    ("  cell values (read_cell)", "imports/cells.py", "read_cell", None),
    ("  template example row test (_is_example)", "imports/reader.py", "_is_example", None),
    ("the plan, all of it (kind.plan)", "imports/kinds/petitions.py", "plan", None),
    ("  unit lookup (ctx.commune)", "imports/context.py", "commune", None),
    ("  unit lookup (ctx.village)", "imports/context.py", "village", None),
    ("    of which folding unit names (unit_keys)", "imports/context.py", "unit_keys", None),
    ("  row checks (petition_input)", "imports/kinds/petitions.py", "petition_input", None),
    ("  natural key (petition_key)", "imports/kinds/petitions.py", "petition_key", None),
    ("  already present? (existing_petition_keys)", "imports/kinds/petitions.py", "existing_petition_keys", None),
    ("petitions_intake, all of it", "dialogues/services.py", "petitions_intake", None),
    ("  building Petition objects (Model.__init__)", "django/db/models/base.py", "__init__", "petitions_intake"),
    ("  validation: clean_fields", "django/db/models/base.py", "clean_fields", None),
    ("  validation: Petition.clean", "dialogues/models.py", "clean", None),
    ("  validation: pre_save guards (signal)", "django/dispatch/dispatcher.py", "send", "petitions_intake"),
    ("  search text (fold)", "organization/search.py", "fold", "petitions_intake"),
    ("  ORM inserts, every model (QuerySet.bulk_create)", "django/db/models/query.py", "bulk_create", None),
    (
        "  history rows in Python (simple_history bulk_history_create)",
        "simple_history/manager.py",
        "bulk_history_create",
        None,
    ),
    (
        "  history and events in SQL (_copy_history_and_events)",
        "dialogues/services.py",
        "_copy_history_and_events",
        None,
    ),
    ("accent folding everywhere (fold)", "organization/search.py", "fold", None),
)


def _cumulative(stats: pstats.Stats, suffix: str, name: str, caller: str | None = None) -> float:
    total = 0.0
    for (filename, _line, function), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        if function != name or not filename.replace("\\", "/").endswith(suffix):
            continue
        if caller is None:
            total += ct
        else:
            total += sum(entry[3] for (_file, _l, who), entry in callers.items() if who == caller)
    return total


_TARGET = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|SELECT\b.*?\bFROM)\s+"?(\w+)"?', re.I | re.S)


class SqlClock:
    """Wall time the database spends on each kind of statement (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        match = _TARGET.match(sql)
        key = f"{match.group(1).split()[0].upper()} {match.group(2)}" if match else sql.split(None, 1)[0].upper()
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[key] += time.perf_counter() - start
            self.count[key] += 1


def profile_import(data: bytes, rows: int, commune: Unit, user: User, out: str | None, top: int) -> dict:
    clear_petitions(commune)
    clock = SqlClock()
    profiler = cProfile.Profile()
    with connection.execute_wrapper(clock):
        profiler.enable()
        outcome = services.execute(KIND, io.BytesIO(data), user)
        profiler.disable()
    check_outcome(outcome, rows, "profiled import")
    if out:
        profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)
    phases = {label: _cumulative(stats, suffix, name, caller) for label, suffix, name, caller in PHASES}
    print(f"\nProfile of one import of {rows:,} rows (cProfile adds overhead; compare shares):")
    print(f"{'phase':<64} {'seconds':>8} {'share':>7}")
    for label, seconds in phases.items():
        if seconds > 0:
            print(f"{label:<64} {seconds:8.2f} {seconds / total:7.1%}")
    print(f"{'total (profiled)':<64} {total:8.2f}")
    print("\nSQL statements during the profiled import (database round trips, wall time):")
    print(f"{'statement':<64} {'count':>8} {'seconds':>8}")
    for key in sorted(clock.seconds, key=clock.seconds.get, reverse=True):
        print(f"{key:<64} {clock.count[key]:8,} {clock.seconds[key]:8.2f}")
    print(f"\nTop {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)
    return {
        "profiled_total_s": total,
        "phases_s": {label: seconds for label, seconds in phases.items() if seconds > 0},
        "sql": {key: {"count": clock.count[key], "seconds": clock.seconds[key]} for key in clock.seconds},
    }


# --- report ---------------------------------------------------------------------------------


def describe_database() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite ({Path(settings['NAME']).name})"
    return f"{connection.vendor} ({settings.get('NAME')}, server {connection.cursor().connection.info.server_version})"


def table(runs: list[dict], rows: int) -> dict:
    figures = {}
    for key, label in (("read", "read workbook"), ("check", "check (dry run)"), ("import", "import")):
        seconds = [run[f"{key}_s"] for run in runs]
        cpu = [run[f"{key}_cpu_s"] for run in runs]
        median, best = statistics.median(seconds), min(seconds)
        figures[key] = {
            "label": label,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "median_s": median,
            "best_s": best,
            "median_rows_per_s": rows / median,
            "best_rows_per_s": rows / best,
            "median_cpu_s": statistics.median(cpu),
            "rows_per_cpu_s": rows / statistics.median(cpu),
        }
    print(
        f"\n{'step':<16} {'median s':>9} {'best s':>8} {'median rows/s':>14} {'best rows/s':>12}"
        f" {'CPU s':>7} {'rows/CPU s':>11}"
    )
    for figure in figures.values():
        print(
            f"{figure['label']:<16} {figure['median_s']:9.2f} {figure['best_s']:8.2f} "
            f"{figure['median_rows_per_s']:14,.0f} {figure['best_rows_per_s']:12,.0f}"
            f" {figure['median_cpu_s']:7.2f} {figure['rows_per_cpu_s']:11,.0f}"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the generated file (default 50,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats (default 3)")
    parser.add_argument("--json", metavar="FILE", help="write the figures to FILE as JSON")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated content (default 7)")
    parser.add_argument(
        "--answered-share",
        type=float,
        default=0.0,
        help="share of rows answered on the spot (imported one by one through petition_create); default 0",
    )
    parser.add_argument("--profile", action="store_true", help="profile one more import and show where time goes")
    parser.add_argument("--profile-out", metavar="FILE", help="with --profile: also dump the raw cProfile stats")
    parser.add_argument("--top", type=int, default=25, help="with --profile: functions listed (default 25)")
    parser.add_argument("--keep", action="store_true", help="leave the last import's petitions in the database")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")

    commune, villages, user = ensure_cast()
    generate_s, _cpu, data = timed(lambda: generate(args.rows, villages, args.seed, args.answered_share))
    print(
        f"database: {describe_database()}; Python {platform.python_version()}; Django {django.get_version()}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"file: {args.rows:,} rows, {len(data) / 1048576:.2f} MB (generated in {generate_s:.1f} s); "
        f"answered on the spot: {args.answered_share:.0%}; repeats: {args.repeat}"
    )
    runs = []
    for number in range(1, args.repeat + 1):
        run = run_once(data, args.rows, commune, user)
        runs.append(run)
        print(
            f"  run {number}: read {run['read_s']:.2f} s, check {run['check_s']:.2f} s, "
            f"import {run['import_s']:.2f} s (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    figures = table(runs, args.rows)
    report = {
        "rows": args.rows,
        "repeat": args.repeat,
        "file_bytes": len(data),
        "answered_share": args.answered_share,
        "database": describe_database(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg()[0],
        "figures": figures,
    }
    if args.profile:
        report["profile"] = profile_import(data, args.rows, commune, user, args.profile_out, args.top)
    if not args.keep:
        clear_petitions(commune)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
