"""deploy/backup.sh and deploy/restore.sh, run for real on a database of their own.

The test creates a source database, migrates and seeds it with the demo data (dev settings, in
subprocesses, as an administrator would), adds uploaded files, backs it up, restores it into a
new database and a new media directory, and then checks the restore itself rather than trusting
the script's verdict: row counts and sequences read on both databases, checksums computed on
both media trees. It also checks the refusals and that a backup whose manifest lies fails.
Every database it creates is dropped in a ``finally``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest

from tests.integration.conftest import BASE_DIR, child_env

pytestmark = pytest.mark.integration(needs=("postgres",))

DEPLOY = BASE_DIR / "deploy"
TOOLS = ("psql", "pg_dump", "pg_restore", "tar", "sha256sum", "flock")

# Tables the demo fills, one or more per app: each must come back with the same rows.
MAIN_TABLES = (
    "django_migrations",
    "organization_unit",
    "organization_user",
    "organization_membership",
    "organization_document",
    "organization_historicalunit",
    "dialogues_dialogue",
    "dialogues_petition",
    "programs_program",
    "programs_landdonation",
    "campaigns_scorecard",
    "campaigns_scoreentry",
)

MEDIA_FILES = {
    "dialogues/2025/biên bản đối thoại.pdf": secrets.token_bytes(200_000),
    "reports/2025/báo cáo tháng 6.xlsx": secrets.token_bytes(50_000),
    "scorecards/2025/ảnh minh chứng (1).jpg": secrets.token_bytes(30_000),
    "imports/2025/07/empty.csv": b"",
}


def database_url(name: str) -> str:
    """DATABASE_URL of this run (the server and its credentials), naming another database."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def admin_execute(sql: str) -> None:
    connection = psycopg2.connect(database_url("postgres"))
    connection.autocommit = True  # CREATE / DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def table_counts(name: str) -> dict[str, int]:
    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 -- names from pg_tables
            counts[table] = cursor.fetchone()[0]
    return counts


def sequence_values(name: str) -> dict[str, int | None]:
    """Where each sequence stands: a restore that lost them would make the next insert collide."""
    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        return dict(cursor.fetchall())


def tree_checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(command: list[str], env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 -- our own scripts and manage.py, fixed arguments
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def manage(*args: str, database: str, var_dir: Path) -> None:
    env = child_env(
        DJANGO_SETTINGS_MODULE="danvan_portal.settings.dev",  # seed_demo refuses to run without DEBUG
        DATABASE_URL=database_url(database),
        DANVAN_VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
    )
    result = run([sys.executable, "manage.py", *args], env)
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def rewrite_sha256sums(backup: Path) -> None:
    """What someone editing a backup by hand would do to make it look whole again."""
    names = ("database.dump", "media.tar", "counts.tsv", "media.sha256", "manifest.txt")
    lines = [f"{hashlib.sha256((backup / name).read_bytes()).hexdigest()}  {name}\n" for name in names]
    (backup / "SHA256SUMS").write_text("".join(lines))


def test_backup_then_restore_into_a_new_database_gives_the_same_rows_and_files(tmp_path):
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (postgresql-client, tar, coreutils, util-linux)")

    source = f"danvan_bk_{secrets.token_hex(4)}"
    restored, tampered = f"{source}_restored", f"{source}_tampered"
    var_dir, backups = tmp_path / "var", tmp_path / "backups"
    media, restored_media = var_dir / "media", tmp_path / "restored-media"
    started = time.monotonic()
    try:
        admin_execute(f'CREATE DATABASE "{source}"')
        manage("migrate", "--noinput", database=source, var_dir=var_dir)
        manage("seed_demo", database=source, var_dir=var_dir)
        for relative, content in MEDIA_FILES.items():
            (media / relative).parent.mkdir(parents=True, exist_ok=True)
            (media / relative).write_bytes(content)
        # A backup past its retention, and a directory that only looks like one: only the first goes.
        expired, foreign = backups / "danvan-20000101-000000", backups / "danvan-notes"
        for directory in (expired, foreign):
            directory.mkdir(parents=True)
            month_ago = time.time() - 30 * 86400
            os.utime(directory, (month_ago, month_ago))
        seeded = time.monotonic()

        env = child_env(
            DATABASE_URL=database_url(source),
            MEDIA_ROOT=str(media),
            BACKUP_DIR=str(backups),
            BACKUP_KEEP_DAYS="14",
        )
        backup = run([str(DEPLOY / "backup.sh")], env)
        assert backup.returncode == 0, backup.stderr
        assert not expired.exists() and foreign.exists()
        (made,) = backups.glob("danvan-2*-*")
        assert not list(backups.glob(".danvan-*")), "a partial backup was left behind"
        assert {path.name for path in made.iterdir()} == {
            "database.dump",
            "media.tar",
            "counts.tsv",
            "media.sha256",
            "manifest.txt",
            "SHA256SUMS",
        }
        assert f"database={source}\n" in (made / "manifest.txt").read_text()

        restore = run([str(DEPLOY / "restore.sh"), str(made), restored, str(restored_media)], env)
        assert restore.returncode == 0, restore.stdout + restore.stderr
        assert "restore: verified:" in restore.stdout

        # Our own comparison, not the script's.
        source_counts, restored_counts = table_counts(source), table_counts(restored)
        assert restored_counts == source_counts
        for table in MAIN_TABLES:
            assert source_counts[table] > 0, f"the demo left {table} empty: the comparison proves nothing"
        assert sequence_values(restored) == sequence_values(source)
        assert tree_checksums(restored_media) == tree_checksums(media)
        assert len(tree_checksums(media)) >= len(MEDIA_FILES)

        # An existing database with tables, or a media directory with files, is never overwritten.
        again = run([str(DEPLOY / "restore.sh"), str(made), restored, str(tmp_path / "other-media")], env)
        assert again.returncode == 2 and "--force" in again.stderr
        again = run([str(DEPLOY / "restore.sh"), str(made), tampered, str(restored_media)], env)
        assert again.returncode == 2 and "not empty" in again.stderr
        assert table_counts(restored) == source_counts

        # A backup whose manifest does not match its dump fails the verification, naming the table.
        lying = tmp_path / "lying-backup"
        shutil.copytree(made, lying)
        counts = (lying / "counts.tsv").read_text()
        units = f"public.organization_unit\t{source_counts['organization_unit']}\n"
        assert units in counts
        (lying / "counts.tsv").write_text(
            counts.replace(units, f"public.organization_unit\t{source_counts['organization_unit'] + 1}\n")
        )
        rewrite_sha256sums(lying)
        failed = run([str(DEPLOY / "restore.sh"), str(lying), tampered, str(tmp_path / "tampered-media")], env)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "NOT VERIFIED" in failed.stderr and "public.organization_unit" in failed.stderr
    finally:
        for name in (source, restored, tampered):
            admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(  # shown with pytest -s: how the time splits between the demo data and the scripts
        f"\nseeding {seeded - started:.0f} s, backup and restores {time.monotonic() - seeded:.0f} s"
    )
