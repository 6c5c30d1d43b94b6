#!/usr/bin/env bash
# Fuzzes each target for SECONDS (default 30) with libFuzzer, starting from the seeds: the
# schedules we ship, the test fixtures, ../shared/schedules-real and fuzz/seeds/<target>. The
# corpus grows in fuzz/corpus/<target> (not committed); a crash stops the run, leaves its input
# in fuzz/artifacts/<target>/ and fails. Copy such an input into fuzz/seeds/<target>/ once it is
# fixed, so tests/fuzz_corpus.rs keeps it fixed. Needs the nightly toolchain and cargo-fuzz.
#
#   bash fuzz/run.sh 600            # ten minutes per target
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
targets=(xmltv tvss csv query feed)
(cd fuzz && cargo +nightly fuzz build -O)
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  seeds=(schedules tests/fixtures ../shared/schedules-real)
  [ -d "fuzz/seeds/$t" ] && seeds+=("fuzz/seeds/$t")
  echo "== fuzzing $t for ${secs}s"
  # -max_len covers the seeds' heads; the parsers stream, so longer inputs find nothing new.
  log=$(mktemp)
  if ! (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" "${seeds[@]/#/../}" -- \
      -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
      -print_final_stats=1) >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $t failed; its input, if it crashed, is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|DONE" "$log" || true
  rm -f "$log"
done
