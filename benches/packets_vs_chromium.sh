#!/usr/bin/env bash
# Packets drawn in-process against headless Chromium printing the same week's HTML packet to PDF,
# in the same run: one grade's packet, and every grade × 2 languages.
# Needs Debian's chromium. Usage: bash benches/packets_vs_chromium.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/chromium ] || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/lessoncast
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/bench.db" RUST_LOG=warn LESSONCAST_GRADE_RULES=$PWD/schedules/grade-rules.toml
"$bin" import schedules/ >/dev/null
week=2020-04-13
now() { date +%s.%N; }
ms() { python3 -c "print(round(($2 - $1) * 1000, 1))"; }

# lessoncast: a fresh process each time (so no cache): one packet, five times.
t0=$(now); for _ in 1 2 3 4 5; do "$bin" packet --grade 5 --week $week -o "$work/p.pdf" 2>/dev/null; done; t1=$(now)
one=$(python3 -c "print(round(($t1 - $t0) * 1000 / 5, 1))")
t0=$(now); "$bin" packet --all --week $week -o "$work/all" 2>/dev/null; t1=$(now)
all=$(ms $t0 $t1)

# Chromium: the same packet as print-ready HTML, printed to PDF.
"$bin" packet --grade 5 --week $week --format html -o "$work/p.html" 2>/dev/null
chrome() {
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --no-pdf-header-footer --print-to-pdf="$2" "file://$1" >/dev/null 2>&1
}
t0=$(now); for _ in 1 2 3; do chrome "$work/p.html" "$work/c.pdf"; done; t1=$(now)
chrome_one=$(python3 -c "print(round(($t1 - $t0) * 1000 / 3, 1))")
pages_ours=$(pdfinfo "$work/p.pdf" 2>/dev/null | awk '/^Pages/ {print $2}')
pages_chrome=$(pdfinfo "$work/c.pdf" 2>/dev/null | awk '/^Pages/ {print $2}')
chrome_all=$(python3 -c "print(round($chrome_one * 30, 0))")
echo "| route | one grade-5 packet | all 15 grades × 2 languages | pages (grade 5) |"
echo "|---|---|---|---|"
echo "| lessoncast packet (process start, query, draw, write) | ${one} ms | ${all} ms | ${pages_ours:-?} |"
echo "| chromium --headless --print-to-pdf of the HTML packet | ${chrome_one} ms | ~${chrome_all} ms (30 × one) | ${pages_chrome:-?} |"
python3 -c "print(f'speed-up: {${chrome_one} / ${one}:.0f}x for one packet')"
