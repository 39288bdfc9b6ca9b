#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and create the test role; prints the URL to export.
set -euo pipefail
exec 3>&1 1>&2  # only the URL goes to stdout
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
if ! pg_lsclusters -h | grep -q '^15 *main'; then
  pg_createcluster 15 main >/dev/null
fi
# The server daemon must not inherit our stdout (fd 3, read by the caller's $(...)) nor
# the caller's stderr: either would keep a pipe open after this script ends and hang CI.
pg_ctlcluster 15 main start </dev/null >/tmp/queue_app_pg_start.log 2>&1 3>&- \
  || cat /tmp/queue_app_pg_start.log  # "already running" is fine
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'queue_test') THEN
    CREATE ROLE queue_test LOGIN CREATEDB PASSWORD 'queue_test';
  END IF;
END $$;
SQL
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='queue_test'\"" | grep -q 1; then
  su postgres -c "createdb -O queue_test queue_test"
fi
echo "postgresql+psycopg://queue_test:queue_test@127.0.0.1:5432/queue_test" >&3
