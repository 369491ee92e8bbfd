#!/usr/bin/env bash
# Restore a backup written by backup.sh into a NEW database and a media directory, then verify
# it: every table's row count must equal the manifest's and every file's SHA-256 must match.
# Exits 0 only when the restore is verified; 1 when it failed or does not match; 2 when refused.
#
# Usage: restore.sh [--force] [--no-owner] [--jobs N] BACKUP_DIR NEW_DATABASE MEDIA_DIR
#
#   BACKUP_DIR     a danvan-YYYYmmdd-HHMMSS directory written by backup.sh
#   NEW_DATABASE   created on the server DATABASE_URL names (its own database name is not used).
#                  An existing empty database is used as it is (e.g. created beforehand by the
#                  postgres user with the portal's role as owner); an existing database with
#                  tables is refused unless --force, which drops and recreates it. The database
#                  DATABASE_URL itself names is always refused: restore beside it, then switch.
#   MEDIA_DIR      where the uploaded files go; must be missing or empty unless --force
#   --no-owner     make the restoring user the owner of every object (restoring as a role other
#                  than the one that owned them, without superuser rights)
#   --jobs N       restore with N parallel jobs (faster on large databases; not in one transaction)
#
# Run it as the portal's user with its environment, e.g. for a restore drill:
#   set -a; . /etc/danvan/danvan.env; set +a
#   deploy/restore.sh /var/backups/danvan/danvan-20250701-020000 danvan_drill /tmp/danvan-drill-media
set -euo pipefail
umask 077

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die 2 "usage: restore.sh [--force] [--no-owner] [--jobs N] BACKUP_DIR NEW_DATABASE MEDIA_DIR"; }

force=0
restore_opts=(--exit-on-error --no-password)
jobs=
args=()
while (($# > 0)); do
  case $1 in
    --force) force=1 ;;
    --no-owner) restore_opts+=(--no-owner --no-privileges) ;;
    --jobs)
      (($# > 1)) || usage
      jobs=$2
      [[ $jobs =~ ^[1-9][0-9]*$ ]] || die 2 "--jobs needs a positive number"
      shift
      ;;
    -*) usage ;;
    *) args+=("$1") ;;
  esac
  shift
done
((${#args[@]} == 3)) || usage
backup=${args[0]}
target=${args[1]}
media=${args[2]}

need_commands psql pg_restore tar sha256sum diff
[[ -n ${DATABASE_URL:-} ]] || die 2 "DATABASE_URL is not set (it names the server to restore on)"
# A plain identifier: no quoting surprises in CREATE/DROP DATABASE, and PostgreSQL's 63-byte limit.
[[ $target =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
  die 2 "NEW_DATABASE must be lower-case letters, digits and _ (at most 63), not '$target'"
for file in database.dump media.tar counts.tsv media.sha256 manifest.txt SHA256SUMS; do
  [[ -f $backup/$file ]] || die 2 "$backup is not a backup written by backup.sh (no $file)"
done

pg_url_split "$DATABASE_URL"
[[ $target != "$PG_DBNAME" ]] ||
  die 2 "$target is the database DATABASE_URL points at; restore into a new name and switch DATABASE_URL to it"
maintenance_url=$(pg_url postgres)
target_url=$(pg_url "$target")

# --- Refusals first, before anything is written ---------------------------------------------
exists=$(psql "${PSQL_OPTS[@]}" -v name="$target" "$maintenance_url" \
  <<<"SELECT count(*) FROM pg_database WHERE datname = :'name';")
tables=0
if ((exists)); then
  tables=$(psql "${PSQL_OPTS[@]}" "$target_url" <<<"SELECT count(*) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%';")
  if ((tables > 0 && !force)); then
    die 2 "database $target exists and holds $tables objects; use --force to replace it"
  fi
fi
if [[ -e $media && ! -d $media ]]; then die 2 "$media is not a directory"; fi
if [[ -d $media && -n $(ls -A -- "$media") ]] && ((!force)); then
  die 2 "$media is not empty; use --force to restore into it anyway"
fi

# --- The backup itself: is it whole? --------------------------------------------------------
echo "restore: checking the backup's own checksums"
(cd "$backup" && sha256sum --check --quiet --strict SHA256SUMS) ||
  die 1 "the backup in $backup is damaged (its files do not match SHA256SUMS)"

# --- Database -------------------------------------------------------------------------------
if ((tables > 0)); then
  echo "restore: --force: dropping database $target"
  psql "${PSQL_OPTS[@]}" "$maintenance_url" <<<"DROP DATABASE \"$target\" WITH (FORCE);"
  exists=0
fi
if ((!exists)); then
  # template0: nothing an administrator added to template1 can collide with the dump's objects.
  psql "${PSQL_OPTS[@]}" "$maintenance_url" <<<"CREATE DATABASE \"$target\" TEMPLATE template0 ENCODING 'UTF8';"
fi
echo "restore: database → $target"
if [[ -n $jobs ]]; then
  restore_opts+=(--jobs="$jobs")
else
  # All or nothing: a failure leaves an empty database rather than half of one.
  restore_opts+=(--single-transaction)
fi
pg_restore "${restore_opts[@]}" --dbname="$target_url" "$backup/database.dump" ||
  die 1 "pg_restore failed; database $target is incomplete (drop it, or rerun with --force)"

# --- Uploaded files -------------------------------------------------------------------------
echo "restore: uploaded files → $media"
mkdir -p "$media"
tar --extract --file="$backup/media.tar" --directory="$media" --no-same-owner ||
  die 1 "extracting the uploaded files failed"

# --- Verification ---------------------------------------------------------------------------
failed=0
echo "restore: verifying row counts"
if ! counts_diff=$(diff <(psql "${PSQL_OPTS[@]}" "$target_url" <<<"$COUNT_ROWS_SQL") "$backup/counts.tsv"); then
  echo "restore: row counts differ from the manifest (< restored, > backup):" >&2
  printf '%s\n' "$counts_diff" >&2
  failed=1
fi
echo "restore: verifying checksums of the uploaded files"
checksums=$(realpath "$backup/media.sha256")
if ! (cd "$media" && sha256sum --check --quiet --strict "$checksums"); then
  echo "restore: uploaded files differ from the manifest (listed above)" >&2
  failed=1
fi

tables=$(wc -l <"$backup/counts.tsv")
rows=$(awk -F '\t' '{ total += $2 } END { print total + 0 }' "$backup/counts.tsv")
files=$(wc -l <"$backup/media.sha256")
if ((failed)); then
  echo "restore: NOT VERIFIED: $target and $media do not match $backup" >&2
  exit 1
fi
echo "restore: verified: $tables tables, $rows rows and $files files match $(basename "$backup")"
