#!/usr/bin/env bash
# Benchmarks the portal on the large dataset (≈200 000 papers):
#   scripts/bench.sh sqlite|postgres [extra ratsnetz bench flags]
# Generates the dataset once (kept under $BENCH_DIR), starts the server and a
# static-file server of the same Go HTTP stack as the ceiling, then prints
# req/s, p50/p90/p99 and the server's peak RSS for each page.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-sqlite}; shift || true
BENCH_DIR=${BENCH_DIR:-/tmp/ratsnetz-bench}
PGURL=${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/ratsnetz_bench?sslmode=disable}
mkdir -p "$BENCH_DIR"
BIN=${BIN:-$BENCH_DIR/ratsnetz}
go build -o "$BIN" ./cmd/ratsnetz
bin="$BIN"

export RATSNETZ_DATA="$BENCH_DIR/data-$DB"
case "$DB" in
  sqlite) unset RATSNETZ_DATABASE_URL ;;
  postgres)
    psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='ratsnetz_bench'" postgres | grep -q 1 \
      || createdb -h 127.0.0.1 -U postgres ratsnetz_bench
    export RATSNETZ_DATABASE_URL="$PGURL" ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac

if [ ! -f "$RATSNETZ_DATA/.large-loaded" ]; then
  echo "== generating the large dataset into $DB"
  mkdir -p "$RATSNETZ_DATA"
  /usr/bin/time -f "demo --scale large: %e s wall, peak RSS %M KB" "$bin" demo --scale large
  touch "$RATSNETZ_DATA/.large-loaded"
fi

# Migrations first, outside the measured run: a new migration may rewrite a
# large table (0013 fills files.visible_public for 500 000 files).
/usr/bin/time -f "migrate: %e s wall" "$bin" migrate
# Fresh statistics and visibility maps after a load or a rewriting migration
# (stale ones made the uncached PostgreSQL pages slower); cheap when nothing
# changed since the last run.
if [ "$DB" = postgres ]; then
  /usr/bin/time -f "vacuum analyze: %e s wall" psql -q "$PGURL" -c 'VACUUM ANALYZE'
fi

# PORT (default 18080) and PORT+1 (the static server); set PORT to run
# beside someone else's bench.
PORT=${PORT:-18080}
SPORT=$((PORT + 1))
"$bin" serve --addr 127.0.0.1:$PORT > "$BENCH_DIR/serve-$DB-$PORT.log" 2>&1 &
spid=$!
"$bin" bench-static --addr 127.0.0.1:$SPORT > /dev/null 2>&1 &
stpid=$!
trap 'kill $spid $stpid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break
  kill -0 $spid 2>/dev/null || { echo "serve exited; see $BENCH_DIR/serve-$DB-$PORT.log" >&2; exit 1; }
  sleep 0.2
done

"$bin" bench --url http://127.0.0.1:$PORT --static-url http://127.0.0.1:$SPORT --pid "$spid" "$@"
