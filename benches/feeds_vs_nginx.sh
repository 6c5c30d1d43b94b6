#!/usr/bin/env bash
# Feed serving against nginx serving the identical bytes as a static file, in the same run:
# wrk on loopback, 128 connections, 30 s each, for 200 and 304 responses, on a URL with a query
# string as phones poll it (`?lang=es&from=…&to=…`; nginx ignores it for a static file).
# Needs nginx and wrk (Debian packages nginx, wrk). Usage: bash benches/feeds_vs_nginx.sh [SECONDS]
# LESSONCAST_BENCH_BIN=path/to/lessoncast runs another build (a baseline) instead of this one.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
for tool in nginx wrk; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get install -y nginx wrk" >&2; exit 1; }
done
if [ -n "${LESSONCAST_BENCH_BIN:-}" ]; then
  bin=$LESSONCAST_BENCH_BIN
else
  cargo build --release --quiet
  bin=$PWD/target/release/lessoncast
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/bench.db" RUST_LOG=warn LESSONCAST_GRADE_RULES=$PWD/schedules/grade-rules.toml

# Eight weeks of the demo schedule, starting this week.
this_monday=$(python3 -c 'import datetime as d; t=d.date.today(); print(t-d.timedelta(days=t.weekday()))')
base=$(( ( $(date -d "$this_monday" +%s) - $(date -d 2020-04-13 +%s) ) / 604800 ))
for i in $(seq 0 7); do "$bin" import schedules/ --shift-weeks $((base + i)) >/dev/null; done

"$bin" serve --addr 127.0.0.1:18181 --no-demo 2>"$work/serve.log" &
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18181/healthz >/dev/null && break; sleep 0.1; done
query="?lang=es&from=$this_monday&to=$(date -d "$this_monday +27 days" +%F)"
path="/feeds/grades/5.ics$query"
curl -sf -D "$work/h" "http://127.0.0.1:18181$path" -o "$work/www/grade5.ics" --create-dirs
etag=$(grep -i '^etag:' "$work/h" | cut -d' ' -f2 | tr -d '\r')
events=$(grep -c 'BEGIN:VEVENT' "$work/www/grade5.ics")
bytes=$(stat -c %s "$work/www/grade5.ics")

cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/calendar ics; }
  server {
    listen 127.0.0.1:18182;
    root $work/www;
    etag on;
  }
}
CONF
chmod -R a+rX "$work"   # nginx workers run as www-data
nginx -c "$work/nginx.conf"
sleep 0.3
nginx_etag=$(curl -sI http://127.0.0.1:18182/grade5.ics | grep -i '^etag:' | cut -d' ' -f2 | tr -d '\r')
[ -n "$nginx_etag" ] || { echo "nginx does not serve the feed: $(cat "$work/nginx-error.log")" >&2; exit 1; }

run() { # name url [header]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c128 -d"${secs}s" --latency -H "$3" "$2"); else out=$(wrk -t2 -c128 -d"${secs}s" --latency "$2"); fi
  local rps p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx or 3xx|Socket errors/ {print}' | tr '\n' ' ')
  echo "| $1 | $rps | $p99 | ${errors:-none} |"
}
echo "grade 5 feed $path: $events events, $bytes bytes, $secs s per run, 128 connections, wrk -t2"
echo
echo "| run | requests/s | p99 latency | errors |"
echo "|---|---|---|---|"
run "nginx 200" "http://127.0.0.1:18182/grade5.ics$query"
run "lessoncast 200" "http://127.0.0.1:18181$path"
run "nginx 304" "http://127.0.0.1:18182/grade5.ics$query" "If-None-Match: $nginx_etag"
run "lessoncast 304" "http://127.0.0.1:18181$path" "If-None-Match: $etag"
