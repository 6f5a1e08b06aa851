#!/usr/bin/env bash
# Full OParl import of the large dataset, from a local Ratsnetz instance
# serving it, into a fresh SQLite file and a fresh PostgreSQL database:
#
#   scripts/bench-import.sh [sqlite] [postgres]     (default: both)
#
# The source is only read: `ratsnetz oparl serve` opens it without migrating
# and serves nothing but the OParl API (port $PORT, default 18470).
#   SRC_DATA   source data directory, served as it is (default: a migrated
#              copy of /tmp/ratsnetz-bench/data-sqlite-pristine in $WORK/src-data)
#   SRC_DB     or a PostgreSQL URL as source instead
#   WORK       scratch directory for the target (default /tmp/ratsnetz-import-bench)
#   PGSERVER   target database server (default postgres://postgres@127.0.0.1:5432)
#   PGDB       target database there, dropped and created (default ratsnetz_import_bench)
#   BIN        a ratsnetz binary built elsewhere (an A/B against a base commit;
#              default: built from this tree into $WORK/ratsnetz)
#   IMPORT_FLAGS  extra flags for `ratsnetz import oparl` (e.g. --concurrency 8)
#   TIMEOUT    stop each import after this many seconds (a subset on a busy
#              machine; the import is interrupted like Ctrl-C and would resume)
# Prints objects, wall time, objects/s, the importer's peak RSS
# (/usr/bin/time -f %M) and the source server's (VmHWM) per target, and the CPU seconds of the importer, the
# source server and (PostgreSQL) the database backends serving the import,
# with objects per CPU second of all three together: that figure does not
# depend on what else runs on the machine. The importer's own report is kept
# in $WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=${*:-sqlite postgres}
WORK=${WORK:-/tmp/ratsnetz-import-bench}
PORT=${PORT:-18130}
PGSERVER=${PGSERVER:-postgres://postgres@127.0.0.1:5432}
PGDB=${PGDB:-ratsnetz_import_bench}
mkdir -p "$WORK"
if [ -z "${BIN:-}" ]; then
  BIN=$WORK/ratsnetz
  go build -o "$BIN" ./cmd/ratsnetz
fi

# The source needs the schema this binary serves from: unless SRC_DATA or
# SRC_DB is given (used as they are), a copy of the pristine large dataset
# in $WORK/src-data is made once and migrated (a no-op when up to date).
if [ -z "${SRC_DATA:-}" ] && [ -z "${SRC_DB:-}" ]; then
  SRC_DATA=$WORK/src-data
  [ -d "$SRC_DATA" ] || cp -a "${SRC_PRISTINE:-/tmp/ratsnetz-bench/data-sqlite-pristine}" "$SRC_DATA"
  env -u RATSNETZ_DATABASE_URL RATSNETZ_DATA="$SRC_DATA" "$BIN" migrate >/dev/null
fi

if [ -n "${SRC_DB:-}" ]; then
  RATSNETZ_DATABASE_URL="$SRC_DB" RATSNETZ_DATA="$WORK/src" "$BIN" oparl serve --addr 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
else
  RATSNETZ_DATA="$SRC_DATA" "$BIN" oparl serve --addr 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
fi
spid=$!
trap 'kill $spid 2>/dev/null || true; wait $spid 2>/dev/null || true' EXIT
URL=http://127.0.0.1:$PORT/oparl/v1.1/system
for _ in $(seq 1 100); do curl -fs "$URL" >/dev/null && break; sleep 0.2; done
curl -fs "$URL" >/dev/null || { echo "source server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }

for t in $TARGETS; do
  case "$t" in
    sqlite)
      rm -rf "$WORK/sqlite"; mkdir -p "$WORK/sqlite"
      export RATSNETZ_DATA="$WORK/sqlite"; unset RATSNETZ_DATABASE_URL ;;
    postgres)
      psql "$PGSERVER/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null
      psql "$PGSERVER/postgres" -qc "CREATE DATABASE $PGDB" >/dev/null
      rm -rf "$WORK/postgres"; mkdir -p "$WORK/postgres"
      export RATSNETZ_DATA="$WORK/postgres"
      export RATSNETZ_DATABASE_URL="$PGSERVER/$PGDB?sslmode=disable" ;;
    *) echo "usage: $0 [sqlite] [postgres]" >&2; exit 2 ;;
  esac
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== import into $t (load: $load0)"
  s0=$(awk '{print $14+$15}' /proc/$spid/stat)
  # PostgreSQL backends of the target database: their CPU ticks, sampled
  # every second (a backend's last second may be missed).
  pgcpu=$WORK/pgcpu-$t.txt; : >"$pgcpu"
  if [ "$t" = postgres ]; then
    ( while :; do
        for p in $(psql "$PGSERVER/postgres" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$PGDB'" 2>/dev/null); do
          [ -r /proc/$p/stat ] && echo "$p $(awk '{print $14+$15}' /proc/$p/stat)"
        done >>"$pgcpu"
        sleep 1
      done ) &
    sampler=$!
  fi
  to=()
  [ -n "${TIMEOUT:-}" ] && to=(timeout -s INT "$TIMEOUT")
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time-$t.txt" \
    "${to[@]}" "$BIN" import oparl ${IMPORT_FLAGS:-} "$URL" >"$WORK/report-$t.txt" 2>"$WORK/progress-$t.txt" || true
  [ "$t" = postgres ] && { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; }
  read -r wall rss usr sys < <(tail -1 "$WORK/time-$t.txt")
  objects=$(grep -m1 -oE 'Objekte: [0-9]+' "$WORK/report-$t.txt" | tr -dc '0-9' || true)
  [ -n "$objects" ] || objects=$(tail -c 2000 "$WORK/progress-$t.txt" | tr '\r' '\n' | grep -oE 'Import: [0-9]+ Objekte' | tail -1 | tr -dc '0-9')
  scpu=$(awk -v s0="$s0" '{printf "%.1f", ($14+$15-s0)/100}' /proc/$spid/stat)
  pcpu=$(awk '{if ($2 > m[$1]) m[$1] = $2} END {s = 0; for (p in m) s += m[p]; printf "%.1f", s/100}' "$pgcpu")
  icpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN{printf "%.1f", u+s}')
  srss=$(awk '/^VmHWM/ {printf "%d", $2/1024}' /proc/$spid/status)
  echo "$t: $objects objects in $wall s = $(awk -v o="$objects" -v w="$wall" 'BEGIN{printf "%.0f", o/w}') objects/s (wall)," \
    "peak RSS: importer $((rss / 1024)) MB, source server $srss MB (since it started);" \
    "CPU: importer $icpu s, source server $scpu s, database backends $pcpu s" \
    "= $(awk -v o="$objects" -v a="$icpu" -v b="$scpu" -v c="$pcpu" 'BEGIN{printf "%.0f", o/(a+b+c)}') objects per CPU second" \
    "($(awk -v o="$objects" -v a="$icpu" -v b="$scpu" -v c="$pcpu" 'BEGIN{printf "%.1f µs importer + %.1f µs server + %.1f µs database", a*1e6/o, b*1e6/o, c*1e6/o}') per object;" \
    "load before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg))"
  grep -m1 -E 'Anfragen|Auffälligkeiten' "$WORK/report-$t.txt" || true
done
