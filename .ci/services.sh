#!/usr/bin/env bash
# Start the services tests/integration needs: PostgreSQL and Redis on 127.0.0.1.
# Idempotent, meant for root on a fresh Debian machine (CI or a contributor's container):
# installs what is missing, starts what is stopped, creates the test role and database,
# and prints the environment the tests read (they default to these same values).
set -euo pipefail

DB_USER=talonone
DB_PASSWORD=talonone
DB_NAME=talonone
REDIS_PORT=6379

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: the newest installed version's cluster, created if absent, started if down.
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters --no-header | awk '{print $1, $2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' \
        | grep -qx online; then
    pg_ctlcluster "$version" main start
fi
port=$(pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$port"

psql_admin() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -tAc \"$1\""; }
if [[ -z "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]]; then
    # CREATEDB: pytest-django creates (and drops) its own test_<name> database.
    psql_admin "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
fi
if [[ -z "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]]; then
    psql_admin "CREATE DATABASE $DB_NAME OWNER $DB_USER"
fi

# Redis: a throwaway, loopback-only instance with no persistence.
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
        --save "" --appendonly no >/dev/null
fi
for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
done
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null

echo "TALONONE_TEST_DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
echo "TALONONE_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
