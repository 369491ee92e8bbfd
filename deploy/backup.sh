#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the uploaded files (a tar of
# MEDIA_ROOT) into BACKUP_DIR/danvan-YYYYmmdd-HHMMSS/, with a manifest restore.sh verifies
# against: the row count of every table and the SHA-256 of every file. Then deletes backups
# older than BACKUP_KEEP_DAYS. See docs/operations.md, Backups.
#
# Environment (the same file the services read, /etc/danvan/danvan.env):
#   DATABASE_URL       postgres://user[:password]@host:port/name (required)
#   MEDIA_ROOT         uploaded files (default: $DANVAN_VAR_DIR/media, as in the settings)
#   BACKUP_DIR         where the dated directories go (default: /var/backups/danvan)
#   BACKUP_KEEP_DAYS   delete backups older than this many days; 0 keeps every one (default: 14)
#
# Files of a backup:
#   database.dump   pg_dump --format=custom (restore with pg_restore, or restore.sh)
#   media.tar       MEDIA_ROOT, paths relative to it (./reports/2025/…)
#   counts.tsv      "schema.table<TAB>rows" for every table, counted in the dump's own snapshot
#   media.sha256    the SHA-256 of every file inside media.tar (sha256sum format)
#   manifest.txt    when, from which database and server, how many tables, rows and files
#   SHA256SUMS      the SHA-256 of each file above
set -euo pipefail
# A backup holds every personal record of the portal: only its owner may read it.
umask 077

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_commands psql pg_dump tar sha256sum flock find

[[ -n ${DATABASE_URL:-} ]] || die 2 "DATABASE_URL is not set"
media_root=${MEDIA_ROOT:-${DANVAN_VAR_DIR:+$DANVAN_VAR_DIR/media}}
[[ -n $media_root ]] || die 2 "neither MEDIA_ROOT nor DANVAN_VAR_DIR is set"
[[ -d $media_root ]] || die 2 "MEDIA_ROOT $media_root is not a directory"
backup_root=${BACKUP_DIR:-/var/backups/danvan}
keep_days=${BACKUP_KEEP_DAYS:-14}
[[ $keep_days =~ ^[0-9]+$ ]] || die 2 "BACKUP_KEEP_DAYS=$keep_days is not a number of days"

pg_url_split "$DATABASE_URL"
database_url=$(pg_url "$PG_DBNAME")

mkdir -p "$backup_root"
# Two backups at once (the timer and an administrator) would only compete for the disk.
exec 9>"$backup_root/.lock"
flock --nonblock 9 || die 1 "another backup is running in $backup_root"

stamp=$(date -u +%Y%m%d-%H%M%S)
final="$backup_root/danvan-$stamp"
[[ ! -e $final ]] || die 1 "$final already exists"
# Written under a hidden name and renamed at the end, so a half-written backup never looks whole.
work="$backup_root/.danvan-$stamp.partial"
mkdir "$work"

psql_pid=
cleanup() {
  if [[ -n $psql_pid ]]; then kill "$psql_pid" 2>/dev/null || true; fi
  if [[ -d $work ]]; then rm -rf -- "$work"; fi
}
trap cleanup EXIT

echo "backup: database $PG_DBNAME → $final"
# The counts must describe exactly what the dump holds, while the portal keeps writing. So one
# psql session opens a repeatable-read transaction, exports its snapshot, counts the rows in it,
# and stays open while pg_dump reads the same snapshot (--snapshot); then it ends.
coproc SNAPSHOT { exec psql "${PSQL_OPTS[@]}" "$database_url"; }
psql_pid=$SNAPSHOT_PID
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" "SELECT pg_export_snapshot();" \
  >&"${SNAPSHOT[1]}"
read -r -t 60 snapshot <&"${SNAPSHOT[0]}" || die 1 "could not open a snapshot of $PG_DBNAME"
printf '%s\n' "$COUNT_ROWS_SQL" "SELECT '-- end of counts';" >&"${SNAPSHOT[1]}"
: >"$work/counts.tsv"
while true; do
  # Counting a large table takes a while; an hour without a line means something is wrong.
  read -r -t 3600 line <&"${SNAPSHOT[0]}" || die 1 "counting the rows failed"
  [[ $line != "-- end of counts" ]] || break
  printf '%s\n' "$line" >>"$work/counts.tsv"
done
pg_dump --format=custom --no-password --snapshot="$snapshot" --file="$work/database.dump" \
  "$database_url"
printf '%s\n' "COMMIT;" '\q' >&"${SNAPSHOT[1]}"
wait "$psql_pid" || die 1 "the snapshot session failed"
psql_pid=

# Files uploaded while the dump ran are in the tar too: harmless, nothing in the database
# points at them. --format=posix keeps long and Vietnamese file names intact.
echo "backup: uploaded files in $media_root"
tar_status=0
tar --create --format=posix --file="$work/media.tar" --directory="$media_root" . || tar_status=$?
# GNU tar's 1 means "a file changed while it was read": the archive is still whole, and the
# checksums below are taken from the archive itself, so the manifest matches it. 2 is fatal.
if ((tar_status > 1)); then die 1 "tar failed ($tar_status)"; fi
if ((tar_status == 1)); then echo "backup: warning: files changed while archived (kept as read)" >&2; fi
# The checksums of the files as archived (not as they are on disk a moment later); tar runs the
# command once per regular file, with its name in TAR_FILENAME. (Upload names are sanitised by
# Django, so they hold no newline or backslash that sha256sum's format would need to escape.)
# shellcheck disable=SC2016  # expanded by the shell tar starts, not here
tar --extract --file="$work/media.tar" \
  --to-command='sha256sum | { read -r sum _; printf "%s  %s\n" "$sum" "$TAR_FILENAME"; }' \
  >"$work/media.sha256"

tables=$(wc -l <"$work/counts.tsv")
rows=$(awk -F '\t' '{ total += $2 } END { print total + 0 }' "$work/counts.tsv")
files=$(wc -l <"$work/media.sha256")
{
  echo "created_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database=$PG_DBNAME"
  echo "server=$(psql "${PSQL_OPTS[@]}" -c 'SHOW server_version' "$database_url")"
  echo "pg_dump=$(pg_dump --version)"
  echo "media_root=$media_root"
  echo "tables=$tables"
  echo "rows=$rows"
  echo "media_files=$files"
} >"$work/manifest.txt"
(cd "$work" && sha256sum database.dump media.tar counts.tsv media.sha256 manifest.txt >SHA256SUMS)

mv "$work" "$final"
echo "backup: done, $tables tables, $rows rows, $files files, $(du -sh "$final" | cut -f1)"

if ((keep_days > 0)); then
  # Only directories this script names, never anything else an administrator put there; the
  # backup just written is minutes old, so at least one always remains.
  find "$backup_root" -mindepth 1 -maxdepth 1 -type d -name 'danvan-[0-9]*-[0-9]*' \
    -mmin "+$((keep_days * 24 * 60))" -print -exec rm -rf -- {} + |
    sed 's/^/backup: deleted (older than '"$keep_days"' days): /'
fi
# Left behind by a run killed before its cleanup could run (power loss, SIGKILL).
find "$backup_root" -mindepth 1 -maxdepth 1 -type d -name '.danvan-*.partial' -mmin +1440 \
  -exec rm -rf -- {} +
