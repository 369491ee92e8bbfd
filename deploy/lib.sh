# Helpers shared by backup.sh and restore.sh (sourced, not run).
# shellcheck shell=bash
# The variables set here are read by the scripts that source this file.
# shellcheck disable=SC2034

die() {  # die <exit code> <message>
  local code=$1
  shift
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit "$code"
}

need_commands() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || die 2 "$cmd is not installed"
  done
}

# pg_url_split <url>: sets PG_BASE (scheme://user@host:port, without the password), PG_DBNAME and
# PG_QUERY (?…), and exports the password as PGPASSWORD. A password on a command line can be read
# by every user of the machine (ps); a process's environment only by its own user and root.
pg_url_split() {
  local re='^(postgres(ql)?)://(([^:@/]*)(:([^@/]*))?@)?([^/?]*)(/([^?]*))?(\?.*)?$'
  [[ $1 =~ $re ]] || die 2 "DATABASE_URL is not a postgres://user@host:port/name URL"
  local scheme=${BASH_REMATCH[1]} user=${BASH_REMATCH[4]} password=${BASH_REMATCH[6]}
  local hostport=${BASH_REMATCH[7]}
  PG_DBNAME=${BASH_REMATCH[9]}
  PG_QUERY=${BASH_REMATCH[10]}
  PG_BASE="$scheme://${user:+$user@}$hostport"
  if [[ -n $password ]]; then
    # URLs percent-encode reserved characters (%40 for @); libpq wants the password itself.
    PGPASSWORD=$(printf '%b' "${password//%/\\x}")
    export PGPASSWORD
  fi
}

pg_url() {  # pg_url <database name>: the URL of another database on the same server
  printf '%s/%s%s' "$PG_BASE" "$1" "$PG_QUERY"
}

# -X: ignore ~/.psqlrc, -w: never prompt for a password (no terminal under systemd or cron).
PSQL_OPTS=(-X -q -A -t -w -v ON_ERROR_STOP=1)

# One line per table, "schema.table<TAB>rows", sorted: exact counts (count(*)), not the
# planner's estimates, so that a restore can be compared row for row with its backup.
# query_to_xml runs one count per table inside a single statement, hence inside one snapshot.
COUNT_ROWS_SQL="SELECT n.nspname || '.' || c.relname || E'\t' || (xpath('/row/n/text()',
    query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
  ORDER BY 1;"
