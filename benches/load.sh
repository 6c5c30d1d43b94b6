#!/usr/bin/env bash
# Load while importing: two `lessoncast serve` replicas on one PostgreSQL database, wrk at 128
# connections (64 on each) on the grade and station feeds, and a large guide imported by the
# CLI meanwhile. Prints wrk's latency percentiles and errors per replica and what the import
# did. Everything runs on 127.0.0.1 and stops after DURATION seconds (default 30).
#
#   cargo build --release
#   PG=postgres://postgres:lessoncast@127.0.0.1:5432 bash benches/load.sh [DURATION]
#
# Needs wrk (Debian: wrk) and a PostgreSQL server the URL in PG can create databases on.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30}
bin=${LESSONCAST_BIN:-target/release/lessoncast}
pg=${PG:?set PG to a PostgreSQL server URL, e.g. postgres://postgres:lessoncast@127.0.0.1:5432}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$bin" ] || { echo "$bin is missing: cargo build --release" >&2; exit 1; }

work=$(mktemp -d)
db="lessoncast_load_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$pg/postgres" -c "CREATE DATABASE $db"
export DATABASE_URL="$pg/$db" RUST_LOG=warn LESSONCAST_SCHEDULES="$PWD/schedules"

# A guide shaped like a real one: 120 channels, programmes of 15 to 60 minutes, two weeks from
# this Monday, with stops, categories and descriptions.
python3 - "$work/guide.xml" <<'EOF'
import datetime as dt, sys
monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
start = dt.datetime.combine(monday, dt.time(), tzinfo=dt.timezone.utc)
titles = ["Cyberchase", "Wild Kratts", "Molly of Denali", "NOVA", "Odd Squad", "Nature",
          "Let's Learn", "Sci Girls", "Peg + Cat", "Nova Now"]
lengths = [30, 30, 60, 15, 45, 30]
fmt = lambda t: t.strftime("%Y%m%d%H%M%S +0000")
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tv generator-info-name="lessoncast load">\n')
    for c in range(120):
        f.write(f'<channel id="W{c:03}.{c % 60 + 2}.1"><display-name>W{c:03}</display-name>'
                f'<lcn>{c % 60 + 2}.{c // 60 + 1}</lcn></channel>\n')
    n = 0
    for c in range(120):
        t, i = start, 0
        while t < start + dt.timedelta(days=14):
            length = dt.timedelta(minutes=lengths[(i + c) % len(lengths)])
            title = titles[(i * 7 + c) % len(titles)]
            # Six educational channels carry lessons by grade band, as in 2020; the rest air
            # what stations usually air.
            if c < 6:
                grades = "Grades 4-8" if i % 3 == 0 else ("Grades K-3" if i % 3 == 1 else "Children")
            else:
                grades = ["News", "Drama", "Documentary", "Sports"][(i + c) % 4]
            f.write(f'<programme start="{fmt(t)}" stop="{fmt(t + length)}" channel="W{c:03}.{c % 60 + 2}.1">'
                    f'<title lang="en">{title}</title><sub-title lang="en">Episode {i % 400}</sub-title>'
                    f'<desc lang="en">Episode {i} of the season, about numbers, words and the world.</desc>'
                    f'<category lang="en">{grades}</category></programme>\n')
            t += length
            i += 1
            n += 1
    f.write("</tv>\n")
print(f"guide: {n} programmes", file=sys.stderr)
EOF

ports=()
for i in 1 2; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ports+=("$port")
  LESSONCAST_ADDR="127.0.0.1:$port" LESSONCAST_BASE_URL="http://127.0.0.1:$port" \
    "$bin" serve >"$work/serve-$i.log" 2>&1 &
  pids+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
done

# Each connection asks for the grade feeds, a station feed and the family page in turn.
cat >"$work/paths.lua" <<'EOF'
local paths = {
  "/feeds/grades/5.ics", "/feeds/grades/2.ics?lang=es", "/feeds/stations/KCET.ics",
  "/feeds/grades/8.ics?alarm=30", "/?grade=5", "/feeds/grades/K.ics",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
EOF

echo "== wrk: 2 x 64 connections for ${duration}s, importing $(grep -c '<programme ' "$work/guide.xml") programmes meanwhile"
for i in 1 2; do
  wrk -t1 -c64 -d"${duration}s" --timeout 10s --latency -s "$work/paths.lua" \
    "http://127.0.0.1:${ports[$((i - 1))]}" >"$work/wrk-$i.txt" 2>&1 &
  pids+=($!)
done
sleep 2
import_start=$(date +%s.%N)
"$bin" import "$work/guide.xml" --json >"$work/import.json" 2>"$work/import.err"
import_secs=$(python3 -c "import time; print(round(time.time() - $import_start, 1))")
wait "${pids[2]}" "${pids[3]}"

for i in 1 2; do
  echo "== replica $i"
  grep -E "Latency|50%|90%|99%|requests in|Non-2xx|Socket errors|Requests/sec" "$work/wrk-$i.txt"
done
echo "== import: ${import_secs}s"
python3 -c "import json; r=json.load(open('$work/import.json')); c=r.get('counts', r); print({k: c.get(k) for k in ('added','updated','removed','unchanged','skipped')})"
for i in 1 2; do
  errors=$(grep -ciE "error|panic" "$work/serve-$i.log" || true)
  echo "replica $i log lines with error or panic: $errors"
done
