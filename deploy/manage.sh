#!/usr/bin/env bash
# Run manage.py on a server exactly as the services run the portal: as the danvan user, with the
# environment of /etc/danvan/danvan.env, from the checkout this script belongs to.
#   deploy/manage.sh migrate --noinput
#   deploy/manage.sh check --deploy
# Without it, manage.py falls back to the dev settings and SQLite, which is never what is wanted
# on a server. DANVAN_USER and DANVAN_ENV_FILE override the user and the file.
set -euo pipefail

user=${DANVAN_USER:-danvan}
env_file=${DANVAN_ENV_FILE:-/etc/danvan/danvan.env}
app_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ $(id -un) != "$user" ]]; then
  exec sudo -u "$user" DANVAN_USER="$user" DANVAN_ENV_FILE="$env_file" "${BASH_SOURCE[0]}" "$@"
fi
[[ -r $env_file ]] || { echo "manage.sh: cannot read $env_file" >&2; exit 2; }
set -a
# shellcheck source=/dev/null
. "$env_file"
set +a
cd "$app_dir"
exec .venv/bin/python manage.py "$@"
