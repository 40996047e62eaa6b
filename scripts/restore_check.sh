#!/usr/bin/env bash
# Restore a DealerMall backup into a fresh database and check it (docs/operations.md, Backups).
#
#   scripts/restore_check.sh BACKUP.dump [FILES.tar.gz] [-- restore_check options]
#
# BACKUP.dump  a `pg_dump --format=custom` of the production database
# FILES.tar.gz optional: the archive of PRIVATE_MEDIA_ROOT made with the same backup; it is
#              unpacked into a temporary folder and every file a row points at must be there
# Environment:
#   DATABASE_URL    postgres://user:password@host:5432/<any database>: the server to restore
#                   onto (the user must be allowed to CREATE DATABASE); the database named in
#                   it is not touched
#   RESTORE_DB      name of the database to create (default: dealermall_restore_<date-time>);
#                   it must not exist yet
#   KEEP=1          keep the restored database afterwards (default: drop it)
# Exit status 0 when every check passed. Never writes to the database in DATABASE_URL.
set -euo pipefail

usage() { sed -n '2,17p' "$0" >&2; exit 2; }
[[ $# -ge 1 && -f "$1" ]] || usage
dump=$1; shift
files=""
if [[ $# -ge 1 && "$1" != "--" ]]; then files=$1; shift; [[ -f "$files" ]] || usage; fi
[[ $# -ge 1 && "$1" == "--" ]] && shift
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL server to restore onto}"

here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}
[[ -x "$python" ]] || python=python3
server=${DATABASE_URL%/*}          # postgres://user:password@host:port
[[ "$server" == postgres://* || "$server" == postgresql://* ]] || { echo "DATABASE_URL must be a postgres:// URL" >&2; exit 2; }
target=${RESTORE_DB:-dealermall_restore_$(date -u +%Y%m%d_%H%M%S)}
[[ "$target" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "RESTORE_DB must be a plain lower-case name" >&2; exit 2; }
workdir=$(mktemp -d)

cleanup() {
  rm -rf "$workdir"
  if [[ "${KEEP:-0}" != 1 && -n "${created:-}" ]]; then
    psql "$server/postgres" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$target\"" >/dev/null || true
  fi
}
trap cleanup EXIT

echo "restoring $(basename "$dump") into $target"
psql "$server/postgres" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$target\"" >/dev/null
created=1
# --no-owner/--no-acl: the restore belongs to the user doing it; --exit-on-error: a damaged
# dump fails here rather than leaving a half database to check.
pg_restore --no-owner --no-acl --exit-on-error --dbname "$server/$target" "$dump"

args=()
if [[ -n "$files" ]]; then
  mkdir -p "$workdir/files"
  tar -xzf "$files" -C "$workdir/files"
  args+=(--media-root "$workdir/files")
else
  args+=(--skip-files)
fi
cd "$here"
DATABASE_URL="$server/$target" "$python" manage.py restore_check "${args[@]}" "$@"
if [[ "${KEEP:-0}" == 1 ]]; then echo "kept the restored database $target"; fi
