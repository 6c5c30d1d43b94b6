#!/usr/bin/env python3
"""Check a lessoncast iCalendar feed with the `icalendar` package from PyPI.

Usage: python3 tests/ical/check.py FEED.ics EXPECTED.json

Exit status: 0 the feed matches (prints "ok: N events"), 1 it does not (every
difference is printed to stderr as "WHERE: FIELD: expected X, got Y"), 2 the
check could not run (icalendar missing, bad arguments, unreadable input,
malformed EXPECTED.json).  check.mjs does the same checks with ical.js and
prints the same messages; README.md in this folder describes them.
"""

import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROG = "check.py"
UTC = timezone.utc
MAX_OCTETS = 75
# Properties that may appear at most once in a VEVENT (RFC 5545 3.6.1).
SINGLE = ("UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "SUMMARY",
          "DESCRIPTION", "SEQUENCE", "STATUS")
EVENT_KEYS = {"uid", "start", "end", "summary", "sequence", "alarm_minutes"}
EVENT_OPTIONAL = {"status", "description_contains", "categories"}
INSTANT_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Unusable(Exception):
    """The check cannot run at all: exit 2."""


def here_rel():
    try:
        rel = Path.relative_to(HERE, Path.cwd())
        return str(rel) or "."
    except ValueError:
        return str(HERE)


def load_icalendar():
    try:
        import icalendar  # noqa: F401
        from icalendar.timezone import tzp  # noqa: F401
    except ImportError as e:
        raise Unusable(
            f"the Python package icalendar is not installed ({e}); run: "
            f"pip install -r {here_rel()}/requirements.txt")
    import icalendar
    pinned = None
    try:
        for line in (HERE / "requirements.txt").read_text().splitlines():
            m = re.match(r"^icalendar==(\S+)", line.strip())
            if m:
                pinned = m.group(1)
    except OSError:
        pass
    version = getattr(icalendar, "__version__", "?")
    if pinned and version != pinned:
        print(f"{PROG}: warning: icalendar {version} is installed but "
              f"requirements.txt pins {pinned}", file=sys.stderr)
    return icalendar


# ---------------------------------------------------------------- helpers

def fmt_instant(d):
    """An aware datetime as 2020-04-13T16:00:00Z."""
    d = d.astimezone(UTC)
    s = d.strftime("%Y-%m-%dT%H:%M:%S")
    if d.microsecond:
        s += f".{d.microsecond:06d}".rstrip("0")
    return s + "Z"


def fmt_wall(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S")


def parse_instant(s, what):
    if not isinstance(s, str) or not INSTANT_RE.match(s):
        raise Unusable(f"EXPECTED: {what}: {json.dumps(s)} is not an instant "
                       "like 2020-04-13T16:00:00Z or 2020-04-13T09:00:00-07:00")
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def j(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class Report:
    def __init__(self):
        self.lines = []

    def diff(self, where, field, expected, got):
        self.lines.append(f"{where}: {field}: expected {j(expected)}, got {j(got)}")


def tzdb(tzid):
    """The tz database's zone for tzid, or None if it does not know it."""
    from zoneinfo import ZoneInfo
    try:
        return ZoneInfo(tzid)
    except Exception:
        return None


def tzdb_instants(wall, zone):
    """The instants at which the tz database's zone shows the naive `wall`
    time: one, two (repeated hour at fall-back) or none (skipped hour)."""
    found = []
    for fold in (0, 1):
        u = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if u.astimezone(zone).replace(tzinfo=None) == wall and u not in found:
            found.append(u)
    return found


# ------------------------------------------------------------ EXPECTED.json

def load_expected(path):
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise Unusable(f"cannot read {path}: {e.strerror}")
    except ValueError as e:
        raise Unusable(f"{path} is not valid JSON: {e}")
    if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
        raise Unusable(f"{path}: expected an object with an \"events\" list")
    unknown = set(raw) - {"calname", "timezone", "events"}
    if unknown:
        raise Unusable(f"{path}: unknown keys {sorted(unknown)}")
    for key in ("calname", "timezone"):
        if key in raw and not isinstance(raw[key], str):
            raise Unusable(f"{path}: {key} must be a string")
    seen = set()
    for i, ev in enumerate(raw["events"]):
        what = f"{path}: events[{i}]"
        if not isinstance(ev, dict):
            raise Unusable(f"{what} is not an object")
        missing = EVENT_KEYS - set(ev)
        unknown = set(ev) - EVENT_KEYS - EVENT_OPTIONAL
        if missing or unknown:
            raise Unusable(f"{what}: missing keys {sorted(missing)}, "
                           f"unknown keys {sorted(unknown)}")
        if not isinstance(ev["uid"], str) or ev["uid"] in seen:
            raise Unusable(f"{what}: uid must be a string, used once")
        seen.add(ev["uid"])
        ev["_start"] = parse_instant(ev["start"], f"{what}.start")
        ev["_end"] = parse_instant(ev["end"], f"{what}.end")
        if not isinstance(ev["summary"], str):
            raise Unusable(f"{what}: summary must be a string")
        if not isinstance(ev["sequence"], int) or isinstance(ev["sequence"], bool):
            raise Unusable(f"{what}: sequence must be an integer")
        am = ev["alarm_minutes"]
        if am is not None and (not isinstance(am, (int, float)) or isinstance(am, bool)):
            raise Unusable(f"{what}: alarm_minutes must be a number or null")
        if "status" in ev and not isinstance(ev["status"], str):
            raise Unusable(f"{what}: status must be a string")
        for key in ("description_contains", "categories"):
            if key in ev and not (isinstance(ev[key], list)
                                  and all(isinstance(s, str) for s in ev[key])):
                raise Unusable(f"{what}: {key} must be a list of strings")
    return raw


# ------------------------------------------------------- physical lines

def lint_lines(data, rep):
    """CRLF endings, at most 75 octets a line, each line valid UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        rep.diff("line 1", "encoding", "no byte-order mark", "UTF-8 byte-order mark")
    lines = []  # (line number, content, terminator)
    pos = 0
    for m in re.finditer(rb"\r\n|\r|\n", data):
        lines.append((len(lines) + 1, data[pos:m.start()], m.group()))
        pos = m.end()
    if pos < len(data):
        lines.append((len(lines) + 1, data[pos:], b""))
    lf = [n for n, _, t in lines if t == b"\n"]
    if lf and len(lf) == len(lines):
        rep.diff("file", "line endings", "CRLF", f"LF on all {len(lf)} lines")
    for n, content, term in lines:
        if term == b"\n" and len(lf) != len(lines):
            rep.diff(f"line {n}", "line ending", "CRLF", "LF")
        elif term == b"\r":
            rep.diff(f"line {n}", "line ending", "CRLF", "CR")
        elif term == b"":
            rep.diff(f"line {n}", "line ending", "CRLF", "end of file")
        if len(content) > MAX_OCTETS:
            rep.diff(f"line {n}", "length", f"<= {MAX_OCTETS} octets",
                     f"{len(content)} octets")
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            rep.diff(f"line {n}", "encoding", "valid UTF-8",
                     "invalid UTF-8 (does a fold split a multi-byte character?)")


# ---------------------------------------------------------- the calendar

def all_props(comp, name):
    v = comp.get(name)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def first(comp, name):
    v = all_props(comp, name)
    return v[0] if v else None


def unescape_text(raw):
    """RFC 5545 3.3.11 TEXT unescaping, in one left-to-right pass."""
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            n = raw[i + 1]
            out.append("\n" if n in "nN" else n)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def text(comp, name):
    v = first(comp, name)
    return None if v is None else str(v)


class Zones:
    """The file's VTIMEZONEs, turned into tzinfo objects by icalendar."""

    def __init__(self, cal, rep):
        from icalendar.timezone import tzp
        self.defined = {}
        for vtz in cal.walk("VTIMEZONE"):
            tzid = text(vtz, "TZID")
            where = f"VTIMEZONE {tzid}"
            if tzid is None:
                rep.diff("VTIMEZONE", "TZID", "present", None)
                continue
            if tzid in self.defined:
                rep.diff(where, "count", 1, "more than 1")
                continue
            try:
                self.defined[tzid] = vtz.to_tz(tzp, lookup_tzid=False)
            except Exception as e:  # noqa: BLE001 - report whatever it is
                rep.diff(where, "usable by icalendar", True, f"{type(e).__name__}: {e}")
                self.defined[tzid] = None


def instant(prop, where, field, zones, rep):
    """The UTC instant of a DTSTART/DTEND property, or None (reported)."""
    name = "DTSTART" if field == "start" else "DTEND"
    if prop is None:
        return None
    d = prop.dt
    if not isinstance(d, datetime):
        rep.diff(where, field, "a date-time", f"{type(d).__name__} {d}")
        return None
    tzid = prop.params.get("TZID")
    if d.tzinfo is None:
        if tzid:
            rep.diff(where, f"{name} TZID", f"a VTIMEZONE {tzid} in the file",
                     "none (RFC 5545 requires one for every TZID); "
                     "icalendar reads it as floating time")
        else:
            rep.diff(where, field, "UTC (Z) or TZID= time",
                     f"floating {fmt_wall(d)} (no Z, no TZID)")
        return None
    u = d.astimezone(UTC)
    if not tzid:
        return u
    wall = d.replace(tzinfo=None)
    local = f"{fmt_wall(wall)} {tzid}"
    if tzid not in zones.defined:
        rep.diff(where, f"{name} TZID", f"a VTIMEZONE {tzid} in the file",
                 "none (RFC 5545 requires one for every TZID)")
    zone = tzdb(tzid)
    if zone is not None:
        cands = tzdb_instants(wall, zone)
        if len(cands) == 2:
            rep.diff(where, field, "an unambiguous local time",
                     f"{local} occurs twice (clocks fall back); "
                     "ical.js and icalendar read it differently")
            return u
        if not cands:
            rep.diff(where, field, "an existing local time",
                     f"{local} is skipped (clocks spring forward); "
                     "ical.js and icalendar read it differently")
            return u
        filetz = zones.defined.get(tzid)
        if filetz is not None:
            by_file = wall.replace(tzinfo=filetz).astimezone(UTC)
            if by_file != cands[0]:
                rep.diff(where, f"{field} ({local})",
                         f"{fmt_instant(cands[0])} (tz database)",
                         f"{fmt_instant(by_file)} (VTIMEZONE in the file)")
    return u


def check_event(ev, exp, zones, rep):
    uid = exp["uid"]
    for name in SINGLE:
        n = len(all_props(ev, name))
        if n > 1:
            rep.diff(uid, name, "at most once", f"{n} times")

    stamp = first(ev, "DTSTAMP")
    if stamp is None:
        rep.diff(uid, "DTSTAMP", "present", None)
    elif not (isinstance(stamp.dt, datetime) and stamp.dt.tzinfo is not None
              and stamp.dt.utcoffset() == timedelta(0) and "TZID" not in stamp.params):
        rep.diff(uid, "DTSTAMP", "a UTC date-time ending in Z", str(stamp.to_ical(), "utf-8"))

    start_prop = first(ev, "DTSTART")
    if start_prop is None:
        rep.diff(uid, "start", exp["start"], None)
    start = instant(start_prop, uid, "start", zones, rep)
    if start is not None and start != exp["_start"]:
        rep.diff(uid, "start", fmt_instant(exp["_start"]), fmt_instant(start))

    end_prop, dur = first(ev, "DTEND"), first(ev, "DURATION")
    end = None
    if end_prop is not None:
        if dur is not None:
            rep.diff(uid, "DURATION", "absent when DTEND is given", str(dur.to_ical(), "utf-8"))
        end = instant(end_prop, uid, "end", zones, rep)
    elif dur is not None and isinstance(dur.dt, timedelta):
        end = start + dur.dt if start is not None else None
    else:
        rep.diff(uid, "end", exp["end"], None)
    if end is not None and end != exp["_end"]:
        rep.diff(uid, "end", fmt_instant(exp["_end"]), fmt_instant(end))

    summary = text(ev, "SUMMARY")
    if summary != exp["summary"]:
        rep.diff(uid, "summary", exp["summary"], summary)

    seq = first(ev, "SEQUENCE")
    seq = 0 if seq is None else int(seq)  # absent means 0
    if seq != exp["sequence"]:
        rep.diff(uid, "sequence", exp["sequence"], seq)

    if "status" in exp:
        status = text(ev, "STATUS")
        if status != exp["status"]:
            rep.diff(uid, "status", exp["status"], status)

    check_alarm(ev, exp, uid, start, end, rep)

    desc = text(ev, "DESCRIPTION")
    for want in exp.get("description_contains", []):
        if desc is None or want not in desc:
            rep.diff(uid, "description_contains", want, desc)

    if "categories" in exp:
        cats = []
        for prop in all_props(ev, "CATEGORIES"):
            cats.extend(str(c) for c in prop.cats)
        for want in exp["categories"]:
            if want not in cats:
                rep.diff(uid, "categories", want, cats)


def check_alarm(ev, exp, uid, start, end, rep):
    want = exp["alarm_minutes"]
    alarms = [c for c in ev.subcomponents if c.name == "VALARM"]
    if want is None:
        if alarms:
            rep.diff(uid, "alarm_minutes", None, f"{len(alarms)} VALARM")
        return
    if len(alarms) != 1:
        rep.diff(uid, "alarm_minutes", want, f"{len(alarms)} VALARM")
        return
    alarm = alarms[0]
    action = text(alarm, "ACTION")
    if action is None:
        rep.diff(uid, "VALARM ACTION", "present", None)
    elif action.upper() == "DISPLAY" and text(alarm, "DESCRIPTION") is None:
        rep.diff(uid, "VALARM DESCRIPTION", "present (ACTION:DISPLAY)", None)
    trig = first(alarm, "TRIGGER")
    if trig is None:
        rep.diff(uid, "alarm_minutes", want, "VALARM without TRIGGER")
        return
    if start is None:
        return  # already reported
    t = trig.dt
    if isinstance(t, timedelta):
        related = str(trig.params.get("RELATED", "START")).upper()
        if related == "END":
            if end is None:
                return
            at = end + t
        else:
            at = start + t
    elif isinstance(t, datetime) and t.tzinfo is not None:
        at = t.astimezone(UTC)
    else:
        rep.diff(uid, "alarm_minutes", want, f"TRIGGER {str(trig.to_ical(), 'utf-8')}")
        return
    minutes = (start - at).total_seconds() / 60
    if minutes == int(minutes):
        minutes = int(minutes)
    if minutes != want:
        rep.diff(uid, "alarm_minutes", want, minutes)


def check_timezone(cal, expected, zones, starts, rep):
    """X-WR-TIMEZONE, and the file's VTIMEZONE of that name must work: turned
    into a tzinfo by icalendar, it must turn each event's local start time
    (per the tz database) back into the event's instant.  Events whose DTSTART
    already uses that TZID were checked that way in instant()."""
    want = expected["timezone"]
    got = text(cal, "X-WR-TIMEZONE")
    if got != want:
        rep.diff("VCALENDAR", "X-WR-TIMEZONE", want, got)
    filetz = zones.defined.get(want)
    zone = tzdb(want)
    if filetz is None or zone is None:
        return  # no such VTIMEZONE, already reported unusable, or not a tz database name
    for uid, start, tzid in starts:
        if start is None or tzid == want:
            continue
        wall = start.astimezone(zone).replace(tzinfo=None)
        if len(tzdb_instants(wall, zone)) != 1:
            continue  # repeated hour
        try:
            by_file = wall.replace(tzinfo=filetz).astimezone(UTC)
        except Exception as e:  # noqa: BLE001
            rep.diff(uid, "timezone", f"{want} usable by icalendar", f"{type(e).__name__}: {e}")
            continue
        if by_file != start:
            rep.diff(uid, f"timezone ({fmt_wall(wall)} {want})",
                     f"{fmt_instant(start)} (tz database)",
                     f"{fmt_instant(by_file)} (VTIMEZONE in the file)")


def check(feed_path, expected_path):
    ical = load_icalendar()
    expected = load_expected(expected_path)
    try:
        data = Path(feed_path).read_bytes()
    except OSError as e:
        raise Unusable(f"cannot read {feed_path}: {e.strerror}")

    rep = Report()
    lint_lines(data, rep)
    try:
        comps = ical.Calendar.from_ical(data, multiple=True)
    except Exception as e:  # noqa: BLE001 - icalendar raises ValueError and friends
        rep.diff("file", "parse", "an iCalendar stream icalendar can parse",
                 f"{type(e).__name__}: {e}")
        return rep, 0
    if len(comps) != 1 or comps[0].name != "VCALENDAR":
        rep.diff("file", "components", ["VCALENDAR"], [c.name for c in comps])
        return rep, 0
    cal = comps[0]

    # icalendar skips values it cannot parse and only notes them in .errors
    for comp in cal.walk():
        for prop, err in comp.errors:
            where = text(comp, "UID") or comp.name
            rep.diff(where, prop or "parse", "a parsable value", err)

    if text(cal, "VERSION") != "2.0":
        rep.diff("VCALENDAR", "VERSION", "2.0", text(cal, "VERSION"))
    if not text(cal, "PRODID"):
        rep.diff("VCALENDAR", "PRODID", "present", text(cal, "PRODID"))
    if "calname" in expected:
        for name in ("X-WR-CALNAME", "NAME"):
            # The library knows neither as TEXT (it keeps them as vUnknown, escaped); both are
            # TEXT (RFC 7986 and the X-WR convention), as check.mjs registers them with ical.js.
            got = text(cal, name)
            if got is not None:
                got = unescape_text(got)
            if got != expected["calname"]:
                rep.diff("VCALENDAR", name, expected["calname"], got)

    zones = Zones(cal, rep)

    by_uid = {}
    events = cal.walk("VEVENT")
    for i, ev in enumerate(events):
        uid = text(ev, "UID")
        if uid is None:
            rep.diff(f"VEVENT #{i + 1}", "UID", "present", None)
            continue
        by_uid.setdefault(uid, []).append(ev)
    starts = []
    for exp in expected["events"]:
        found = by_uid.get(exp["uid"], [])
        if len(found) != 1:
            rep.diff(exp["uid"], "count", 1, len(found))
            continue
        check_event(found[0], exp, zones, rep)
        start_prop = first(found[0], "DTSTART")
        s, tzid = None, None
        if start_prop is not None:
            tzid = start_prop.params.get("TZID")
            if isinstance(start_prop.dt, datetime) and start_prop.dt.tzinfo is not None:
                s = start_prop.dt.astimezone(UTC)
        starts.append((exp["uid"], s, tzid))
    wanted = {e["uid"] for e in expected["events"]}
    for uid, found in by_uid.items():
        if uid not in wanted:
            rep.diff(uid, "count", 0, len(found))

    if "timezone" in expected:
        check_timezone(cal, expected, zones, starts, rep)
    return rep, len(events)


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0] if argv else PROG} FEED.ics EXPECTED.json", file=sys.stderr)
        return 2
    try:
        rep, n = check(argv[1], argv[2])
    except Unusable as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    if rep.lines:
        for line in rep.lines:
            print(line, file=sys.stderr)
        print(f"{PROG}: FAIL: {len(rep.lines)} difference(s) in {argv[1]}", file=sys.stderr)
        return 1
    print(f"ok: {n} events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
