#!/usr/bin/env bash
# Self-test of the feed checkers: check.mjs (ical.js) and check.py (icalendar)
# must both pass samples/good.ics, fail samples/bad.ics naming its problems,
# and fail a handful of broken variants of good.ics made on the fly.
#
#   bash tests/ical/selftest.sh            # libraries already installed
#   bash tests/ical/selftest.sh --install  # npm ci + pip install first
#
# Exit status: 0 all passed, 1 something failed.  Needs node, python3.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
S="$HERE/samples"

if [[ "${1:-}" == "--install" ]]; then
  npm ci --prefix "$HERE" --no-audit --no-fund || exit 1
  python3 -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" || exit 1
elif [[ $# -gt 0 ]]; then
  echo "usage: bash $0 [--install]" >&2
  exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Any local zone must do: feeds carry their own zones and times in UTC.
export TZ=Australia/Lord_Howe

passed=0
failed=0

check_mjs() { node "$HERE/check.mjs" "$@"; }
check_py() { python3 "$HERE/check.py" "$@"; }

# expect LABEL WANT_EXIT CHECKER FEED EXPECTED [TEXT...]
# Runs CHECKER FEED EXPECTED; passes when it exits WANT_EXIT and its output
# (stdout and stderr) contains every TEXT.
expect() {
  local label=$1 want=$2 checker=$3 feed=$4 exp=$5 rc why=""
  shift 5
  "$checker" "$feed" "$exp" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [[ $rc == "$want" ]] || why="exit status $rc, expected $want"
  for text in "$@"; do
    if ! grep -qF -- "$text" "$TMP/out" "$TMP/err"; then
      why="${why:+$why; }no line containing: $text"
    fi
  done
  if [[ -z $why ]]; then
    passed=$((passed + 1))
    echo "PASS $checker $label"
  else
    failed=$((failed + 1))
    echo "FAIL $checker $label: $why"
    sed 's/^/    | /' "$TMP/out" "$TMP/err"
  fi
}

both() { # both LABEL WANT_EXIT FEED EXPECTED [TEXT...]
  local label=$1 want=$2
  shift 2
  expect "$label" "$want" check_mjs "$@"
  expect "$label" "$want" check_py "$@"
}

# variant NAME PERL_SUBSTITUTION: a copy of good.ics with one thing broken
variant() {
  perl -0pe "$2" "$S/good.ics" >"$TMP/$1.ics"
  if cmp -s "$S/good.ics" "$TMP/$1.ics"; then
    echo "selftest: variant $1 did not change good.ics; fix its substitution" >&2
    exit 1
  fi
  echo "$TMP/$1.ics"
}

GOOD_EXP="$S/good.expected.json"

# --- the two samples
both good 0 "$S/good.ics" "$GOOD_EXP" "ok: 3 events"
both bad 1 "$S/bad.ics" "$S/bad.expected.json" \
  'line 31: length: expected "<= 75 octets", got "90 octets"' \
  'airing-60@lessoncast: start: expected "2020-04-14T16:00:00Z", got "2020-04-14T23:00:00Z"'

# both checkers must describe bad.ics in the same words
check_mjs "$S/bad.ics" "$S/bad.expected.json" 2>&1 | grep -v '^check\.' >"$TMP/mjs.txt"
check_py "$S/bad.ics" "$S/bad.expected.json" 2>&1 | grep -v '^check\.' >"$TMP/py.txt"
if diff -u "$TMP/mjs.txt" "$TMP/py.txt" >"$TMP/diff"; then
  passed=$((passed + 1)); echo "PASS same report from both on bad.ics"
else
  failed=$((failed + 1)); echo "FAIL reports differ on bad.ics:"; sed 's/^/    | /' "$TMP/diff"
fi

# --- broken variants of good.ics
both "LF line endings" 1 "$(variant lf 's/\r\n/\n/g')" "$GOOD_EXP" \
  'file: line endings: expected "CRLF", got "LF on all 66 lines"'
both "fold splitting a UTF-8 character" 1 \
  "$(variant split 's/ages 9\r\n \xe2\x80\x93/ages 9\xe2\r\n \x80\x93/')" "$GOOD_EXP" \
  'line 34: encoding: expected "valid UTF-8"' 'line 35: encoding: expected "valid UTF-8"'
both "floating time" 1 "$(variant floating 's/DTSTART:20200413T160000Z/DTSTART:20200413T090000/')" "$GOOD_EXP" \
  'airing-42@lessoncast: start: expected "UTC (Z) or TZID= time", got "floating 2020-04-13T09:00:00 (no Z, no TZID)"'
both "TZID without VTIMEZONE" 1 "$(variant novtz 's/BEGIN:VTIMEZONE.*END:VTIMEZONE\r\n//s')" "$GOOD_EXP" \
  'airing-57@lessoncast: DTSTART TZID: expected "a VTIMEZONE America/Los_Angeles in the file"'
both "VTIMEZONE with pre-2007 US rules" 1 \
  "$(variant oldrules 's/BYMONTH=3;BYDAY=2SU/BYMONTH=4;BYDAY=1SU/; s/20070311T/20070401T/; s/BYMONTH=11;BYDAY=1SU/BYMONTH=10;BYDAY=-1SU/; s/20071104T/20071028T/')" \
  "$GOOD_EXP" \
  'airing-57@lessoncast: start (2020-10-31T23:00:00 America/Los_Angeles): expected "2020-11-01T06:00:00Z (tz database)", got "2020-11-01T07:00:00Z (VTIMEZONE in the file)"'
both "ambiguous local time" 1 "$(variant ambiguous 's/:20201031T230000/:20201101T013000/')" "$GOOD_EXP" \
  'airing-57@lessoncast: start: expected "an unambiguous local time", got "2020-11-01T01:30:00 America/Los_Angeles occurs twice'
both "missing DTSTAMP" 1 "$(variant nostamp 's/DTSTAMP:20201030T120000Z\r\n//')" "$GOOD_EXP" \
  'airing-57@lessoncast: DTSTAMP: expected "present", got null'
both "duplicate UID" 1 "$(variant dupuid 's/UID:airing-60/UID:airing-57/')" "$GOOD_EXP" \
  'airing-57@lessoncast: count: expected 1, got 2' 'airing-60@lessoncast: count: expected 1, got 0'
both "alarm minutes" 1 "$(variant alarm 's/TRIGGER:-PT15M/TRIGGER:-PT10M/')" "$GOOD_EXP" \
  'airing-42@lessoncast: alarm_minutes: expected 15, got 10'
broken=$(variant linebreak 's/Night\\, Night\\; Owl/Night\\, Night\r\nOwl/') # unescaped newline
expect "raw line break in SUMMARY" 1 check_mjs "$broken" "$GOOD_EXP" \
  'file: parse: expected "an iCalendar stream ical.js can parse", got "ParserError: invalid line'
expect "raw line break in SUMMARY" 1 check_py "$broken" "$GOOD_EXP" \
  'airing-57@lessoncast: parse: expected "a parsable value"' \
  'airing-57@lessoncast: summary: expected "KCET 28.1 · Odd Squad: Night, Night; Owl (overnight)", got "KCET 28.1 · Odd Squad: Night, Night"'
both "calendar name and VERSION" 1 "$(variant calname 's/NAME:KCET · Grade 5/NAME:KCET · Grade 6/; s/VERSION:2.0/VERSION:1.0/')" "$GOOD_EXP" \
  'VCALENDAR: VERSION: expected "2.0", got "1.0"' 'VCALENDAR: NAME: expected "KCET · Grade 5", got "KCET · Grade 6"'

# --- exit 2: the check cannot run
printf '{"events": [{"uid": "x"}]}' >"$TMP/incomplete.json"
both "malformed EXPECTED.json" 2 "$S/good.ics" "$TMP/incomplete.json" "missing keys"
mkdir "$TMP/nomodules" && cp "$HERE/check.mjs" "$TMP/nomodules/"
no_ical_js() { node "$TMP/nomodules/check.mjs" "$@"; }
no_icalendar() { python3 -I -S "$HERE/check.py" "$@"; } # -S: no site-packages
expect "without ical.js" 2 no_ical_js "$S/good.ics" "$GOOD_EXP" "ical.js is not installed" "npm ci --prefix"
expect "without icalendar" 2 no_icalendar "$S/good.ics" "$GOOD_EXP" "icalendar is not installed" "pip install -r"

echo "selftest: $passed passed, $failed failed"
[[ $failed == 0 ]]
