#!/usr/bin/env bash
# The test command (see README): installs what the tests need, then runs the whole suite on
# SQLite and again on PostgreSQL. Works on a fresh Debian machine as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_debs=()
command -v pg_ctlcluster >/dev/null || need_debs+=(postgresql)
command -v node >/dev/null || need_debs+=(nodejs npm)
[ -x /usr/bin/chromium ] || need_debs+=(chromium)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || need_debs+=(poppler-utils)
command -v zbarimg >/dev/null || need_debs+=(zbar-tools)
pkg-config --exists libical 2>/dev/null || need_debs+=(libical-dev pkg-config)
command -v pip3 >/dev/null || python3 -m pip --version >/dev/null 2>&1 || need_debs+=(python3-pip)
if [ ${#need_debs[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_debs[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_debs[@]}" >/dev/null
fi

echo "== installing the calendar parsers the feed tests check against (ical.js, Python icalendar; libical from Debian)"
npm ci --prefix tests/ical --no-audit --no-fund --loglevel=error
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  -r tests/ical/requirements.txt 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages -r tests/ical/requirements.txt
bash tests/ical/selftest.sh
echo "== installing schemathesis for the API schema test"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  -r tests/api/requirements.txt 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages -r tests/api/requirements.txt
command -v st >/dev/null || { echo "schemathesis installed but \`st\` is not on PATH" >&2; exit 1; }
echo "== installing playwright-core for the browser test (it drives Debian's chromium)"
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

echo "== starting PostgreSQL"
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  echo "no PostgreSQL cluster found after installing postgresql" >&2
  exit 1
fi
as_root pg_ctlcluster $cluster start 2>/dev/null || true
port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$port"
as_root su postgres -c "psql -q -p $port -c \"ALTER USER postgres PASSWORD 'lessoncast'\"" >/dev/null
export LESSONCAST_PG="postgres://postgres:lessoncast@127.0.0.1:$port"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

df -h . | tail -1 | awk '{print "== disk: "$4" free of "$2}'
echo "== tests on SQLite"
cargo test --locked
echo "== the same integration tests on PostgreSQL"
LESSONCAST_TEST_POSTGRES="$LESSONCAST_PG" cargo test --locked --tests -- --test-threads=4

df -h . | tail -1 | awk '{print "== disk: "$4" free of "$2}'
echo "== fuzzing (short, bounded)"
# The seeds are replayed by tests/fuzz_corpus.rs on any toolchain; the fuzzer itself needs
# nightly. Without it this step says so and the run goes on: the replay above has checked the
# seeds.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
  bash fuzz/run.sh "${LESSONCAST_FUZZ_SECONDS:-20}"
else
  echo "!! no nightly toolchain: the fuzz targets were not run (rustup toolchain install nightly)" >&2
fi
