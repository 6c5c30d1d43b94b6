#!/usr/bin/env node
// Check a lessoncast iCalendar feed with Thunderbird's ical.js (npm "ical.js").
//
// Usage: node tests/ical/check.mjs FEED.ics EXPECTED.json
//
// Exit status: 0 the feed matches (prints "ok: N events"), 1 it does not
// (every difference is printed to stderr as "WHERE: FIELD: expected X, got Y"),
// 2 the check could not run (ical.js missing, bad arguments, unreadable input,
// malformed EXPECTED.json).  check.py does the same checks with Python's
// icalendar and prints the same messages; README.md describes them.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROG = 'check.mjs';
const MAX_OCTETS = 75;
// Properties that may appear at most once in a VEVENT (RFC 5545 3.6.1).
const SINGLE = ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'DURATION', 'SUMMARY',
  'DESCRIPTION', 'SEQUENCE', 'STATUS'];
const EVENT_KEYS = ['uid', 'start', 'end', 'summary', 'sequence', 'alarm_minutes'];
const EVENT_OPTIONAL = ['status', 'description_contains', 'categories'];
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

class Unusable extends Error {}

async function loadIcal() {
  let ICAL;
  try {
    ICAL = (await import('ical.js')).default;
  } catch (e) {
    if (e && (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND')) {
      const rel = path.relative(process.cwd(), HERE) || '.';
      throw new Unusable('the npm package ical.js is not installed; run: ' +
        `npm ci --prefix ${rel}`);
    }
    throw e;
  }
  try {
    const pinned = JSON.parse(readFileSync(path.join(HERE, 'package.json'), 'utf8'))
      .dependencies['ical.js'];
    const installed = JSON.parse(readFileSync(
      path.join(HERE, 'node_modules', 'ical.js', 'package.json'), 'utf8')).version;
    if (pinned && installed !== pinned) {
      process.stderr.write(`${PROG}: warning: ical.js ${installed} is installed but ` +
        `package.json pins ${pinned}\n`);
    }
  } catch { /* version check is best effort */ }
  // ical.js leaves properties it does not know (RFC 7986 NAME, X-WR-*) as
  // type "unknown", i.e. still escaped ("A\, B").  They are TEXT: say so,
  // so that ical.js itself unescapes them.
  for (const name of ['name', 'x-wr-calname', 'x-wr-timezone']) {
    ICAL.design.icalendar.property[name] = { defaultType: 'text' };
  }
  return ICAL;
}

// ---------------------------------------------------------------- helpers

const pad = (n, w = 2) => String(n).padStart(w, '0');

function fmtInstant(ms) {
  // 2020-04-13T16:00:00Z (milliseconds only when there are any)
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const fmtWall = (w) =>
  `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;

function parseInstant(s, what) {
  if (typeof s !== 'string' || !INSTANT_RE.test(s)) {
    throw new Unusable(`EXPECTED: ${what}: ${JSON.stringify(s)} is not an instant ` +
      'like 2020-04-13T16:00:00Z or 2020-04-13T09:00:00-07:00');
  }
  return Date.parse(s);
}

class Report {
  constructor() { this.lines = []; }
  diff(where, field, expected, got) {
    this.lines.push(`${where}: ${field}: expected ${j(expected)}, got ${j(got)}`);
  }
}
const j = (v) => JSON.stringify(v === undefined ? null : v);

// The tz database (Node's ICU) as a second opinion on the file's VTIMEZONE.
const dtfCache = new Map();
function tzdbFormatter(tzid) {
  if (!dtfCache.has(tzid)) {
    let f = null;
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tzid, hourCycle: 'h23', year: 'numeric', month: 'numeric',
        day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch { f = null; } // RangeError: not a zone the tz database knows
    dtfCache.set(tzid, f);
  }
  return dtfCache.get(tzid);
}

function tzdbWall(ms, fmt) {
  const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour % 24,
    minute: +p.minute, second: +p.second };
}
const wallAsUtc = (w) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

// The instants at which the tz database shows wall time `w` in the zone:
// one, two (repeated hour at fall-back) or none (skipped hour).
function tzdbInstants(w, fmt) {
  const guess = wallAsUtc(w);
  const found = [];
  for (const probe of [guess - 86400000, guess + 86400000]) {
    const offset = wallAsUtc(tzdbWall(probe, fmt)) - probe;
    const u = guess - offset;
    if (wallAsUtc(tzdbWall(u, fmt)) === guess && !found.includes(u)) found.push(u);
  }
  return found.sort((a, b) => a - b);
}

// ------------------------------------------------------------ EXPECTED.json

function loadExpected(file) {
  let raw;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Unusable(`cannot read ${file}: ${e.code || e.message}`);
  }
  try {
    raw = JSON.parse(raw);
  } catch (e) {
    throw new Unusable(`${file} is not valid JSON: ${e.message}`);
  }
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.events)) {
    throw new Unusable(`${file}: expected an object with an "events" list`);
  }
  const unknown = Object.keys(raw).filter((k) => !['calname', 'timezone', 'events'].includes(k));
  if (unknown.length) throw new Unusable(`${file}: unknown keys ${j(unknown.sort())}`);
  for (const key of ['calname', 'timezone']) {
    if (key in raw && typeof raw[key] !== 'string') throw new Unusable(`${file}: ${key} must be a string`);
  }
  const seen = new Set();
  raw.events.forEach((ev, i) => {
    const what = `${file}: events[${i}]`;
    if (!ev || typeof ev !== 'object' || Array.isArray(ev)) throw new Unusable(`${what} is not an object`);
    const missing = EVENT_KEYS.filter((k) => !(k in ev));
    const unk = Object.keys(ev).filter((k) => !EVENT_KEYS.includes(k) && !EVENT_OPTIONAL.includes(k));
    if (missing.length || unk.length) {
      throw new Unusable(`${what}: missing keys ${j(missing.sort())}, unknown keys ${j(unk.sort())}`);
    }
    if (typeof ev.uid !== 'string' || seen.has(ev.uid)) throw new Unusable(`${what}: uid must be a string, used once`);
    seen.add(ev.uid);
    ev._start = parseInstant(ev.start, `${what}.start`);
    ev._end = parseInstant(ev.end, `${what}.end`);
    if (typeof ev.summary !== 'string') throw new Unusable(`${what}: summary must be a string`);
    if (!Number.isInteger(ev.sequence)) throw new Unusable(`${what}: sequence must be an integer`);
    if (ev.alarm_minutes !== null && typeof ev.alarm_minutes !== 'number') {
      throw new Unusable(`${what}: alarm_minutes must be a number or null`);
    }
    if ('status' in ev && typeof ev.status !== 'string') throw new Unusable(`${what}: status must be a string`);
    for (const key of ['description_contains', 'categories']) {
      if (key in ev && !(Array.isArray(ev[key]) && ev[key].every((s) => typeof s === 'string'))) {
        throw new Unusable(`${what}: ${key} must be a list of strings`);
      }
    }
  });
  return raw;
}

// ------------------------------------------------------- physical lines

function lintLines(data, rep) {
  // CRLF endings, at most 75 octets a line, each line valid UTF-8.
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    rep.diff('line 1', 'encoding', 'no byte-order mark', 'UTF-8 byte-order mark');
  }
  const lines = []; // [number, content, terminator]
  let pos = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b !== 0x0d && b !== 0x0a) continue;
    let term = 'LF';
    if (b === 0x0d) term = data[i + 1] === 0x0a ? 'CRLF' : 'CR';
    lines.push([lines.length + 1, data.subarray(pos, i), term]);
    if (term === 'CRLF') i++;
    pos = i + 1;
  }
  if (pos < data.length) lines.push([lines.length + 1, data.subarray(pos), '']);
  const lf = lines.filter(([, , t]) => t === 'LF').length;
  if (lf && lf === lines.length) rep.diff('file', 'line endings', 'CRLF', `LF on all ${lf} lines`);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (const [n, content, term] of lines) {
    if (term === 'LF' && lf !== lines.length) rep.diff(`line ${n}`, 'line ending', 'CRLF', 'LF');
    else if (term === 'CR') rep.diff(`line ${n}`, 'line ending', 'CRLF', 'CR');
    else if (term === '') rep.diff(`line ${n}`, 'line ending', 'CRLF', 'end of file');
    if (content.length > MAX_OCTETS) {
      rep.diff(`line ${n}`, 'length', `<= ${MAX_OCTETS} octets`, `${content.length} octets`);
    }
    try {
      utf8.decode(content);
    } catch {
      rep.diff(`line ${n}`, 'encoding', 'valid UTF-8',
        'invalid UTF-8 (does a fold split a multi-byte character?)');
    }
  }
}

// ---------------------------------------------------------- the calendar

function text(comp, name) {
  const v = comp.getFirstPropertyValue(name.toLowerCase());
  return v === null || v === undefined ? null : String(v);
}

function wallOf(t) {
  return { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second };
}

// The UTC instant (ms) of an ICAL.Time read from DTSTART/DTEND, or null (reported).
function instant(ICAL, prop, t, where, field, zones, rep) {
  const name = field === 'start' ? 'DTSTART' : 'DTEND';
  if (!t) return null;
  if (t.isDate) {
    rep.diff(where, field, 'a date-time', `date ${t.toString()}`);
    return null;
  }
  const tzid = prop.getParameter('tzid');
  if (!tzid && t.zone === ICAL.Timezone.utcTimezone) return t.toJSDate().getTime();
  if (!t.zone || t.zone === ICAL.Timezone.localTimezone || t.zone.tzid === 'floating') {
    if (tzid) {
      rep.diff(where, `${name} TZID`, `a VTIMEZONE ${tzid} in the file`,
        'none (RFC 5545 requires one for every TZID); ical.js reads it as floating time');
    } else {
      rep.diff(where, field, 'UTC (Z) or TZID= time', `floating ${fmtWall(wallOf(t))} (no Z, no TZID)`);
    }
    return null;
  }
  const u = t.toJSDate().getTime();
  if (!tzid) return u;
  const wall = wallOf(t);
  const local = `${fmtWall(wall)} ${tzid}`;
  if (!zones.defined.has(tzid)) {
    // ical.js found the zone outside the file (its built-in UTC, GMT and Z).
    rep.diff(where, `${name} TZID`, `a VTIMEZONE ${tzid} in the file`,
      'none (RFC 5545 requires one for every TZID)');
  }
  // The zone registered with ICAL.TimezoneService must give the same instant.
  const registered = ICAL.TimezoneService.get(tzid);
  if (registered) {
    const viaService = new ICAL.Time(wall, registered).toUnixTime() * 1000;
    if (viaService !== u) {
      rep.diff(where, `${field} (${local})`, `${fmtInstant(u)} (VTIMEZONE in the file)`,
        `${fmtInstant(viaService)} (ICAL.TimezoneService)`);
    }
  }
  const fmt = tzdbFormatter(tzid);
  if (fmt) {
    const cands = tzdbInstants(wall, fmt);
    if (cands.length === 2) {
      rep.diff(where, field, 'an unambiguous local time',
        `${local} occurs twice (clocks fall back); ical.js and icalendar read it differently`);
      return u;
    }
    if (cands.length === 0) {
      rep.diff(where, field, 'an existing local time',
        `${local} is skipped (clocks spring forward); ical.js and icalendar read it differently`);
      return u;
    }
    if (cands[0] !== u) {
      rep.diff(where, `${field} (${local})`, `${fmtInstant(cands[0])} (tz database)`,
        `${fmtInstant(u)} (VTIMEZONE in the file)`);
    }
  }
  return u;
}

function checkEvent(ICAL, vevent, exp, zones, rep) {
  const uid = exp.uid;
  for (const name of SINGLE) {
    const n = vevent.getAllProperties(name.toLowerCase()).length;
    if (n > 1) rep.diff(uid, name, 'at most once', `${n} times`);
  }
  const event = new ICAL.Event(vevent);

  const stamp = vevent.getFirstProperty('dtstamp');
  if (!stamp) {
    rep.diff(uid, 'DTSTAMP', 'present', null);
  } else {
    const v = stamp.getFirstValue();
    if (!v || v.isDate || v.zone !== ICAL.Timezone.utcTimezone || stamp.getParameter('tzid')) {
      rep.diff(uid, 'DTSTAMP', 'a UTC date-time ending in Z', String(v));
    }
  }

  const startProp = vevent.getFirstProperty('dtstart');
  if (!startProp) rep.diff(uid, 'start', exp.start, null);
  const start = startProp ? instant(ICAL, startProp, event.startDate, uid, 'start', zones, rep) : null;
  if (start !== null && start !== exp._start) rep.diff(uid, 'start', fmtInstant(exp._start), fmtInstant(start));

  const endProp = vevent.getFirstProperty('dtend');
  const durProp = vevent.getFirstProperty('duration');
  let end = null;
  if (endProp) {
    if (durProp) rep.diff(uid, 'DURATION', 'absent when DTEND is given', durProp.getFirstValue().toString());
    end = instant(ICAL, endProp, event.endDate, uid, 'end', zones, rep);
  } else if (durProp && startProp) {
    // ICAL.Event computes endDate = DTSTART + DURATION
    end = start === null ? null : event.endDate.toJSDate().getTime();
  } else {
    rep.diff(uid, 'end', exp.end, null);
  }
  if (end !== null && end !== exp._end) rep.diff(uid, 'end', fmtInstant(exp._end), fmtInstant(end));

  const summary = vevent.hasProperty('summary') ? event.summary : null;
  if (summary !== exp.summary) rep.diff(uid, 'summary', exp.summary, summary);

  const seq = vevent.hasProperty('sequence') ? event.sequence : 0; // absent means 0
  if (seq !== exp.sequence) rep.diff(uid, 'sequence', exp.sequence, seq);

  if ('status' in exp) {
    const status = text(vevent, 'status');
    if (status !== exp.status) rep.diff(uid, 'status', exp.status, status);
  }

  checkAlarm(ICAL, vevent, exp, uid, start, end, rep);

  const desc = vevent.hasProperty('description') ? event.description : null;
  for (const want of exp.description_contains || []) {
    if (desc === null || !desc.includes(want)) rep.diff(uid, 'description_contains', want, desc);
  }

  if ('categories' in exp) {
    const cats = vevent.getAllProperties('categories').flatMap((p) => p.getValues().map(String));
    for (const want of exp.categories) {
      if (!cats.includes(want)) rep.diff(uid, 'categories', want, cats);
    }
  }
}

function checkAlarm(ICAL, vevent, exp, uid, start, end, rep) {
  const want = exp.alarm_minutes;
  const alarms = vevent.getAllSubcomponents('valarm');
  if (want === null) {
    if (alarms.length) rep.diff(uid, 'alarm_minutes', null, `${alarms.length} VALARM`);
    return;
  }
  if (alarms.length !== 1) {
    rep.diff(uid, 'alarm_minutes', want, `${alarms.length} VALARM`);
    return;
  }
  const alarm = alarms[0];
  const action = text(alarm, 'action');
  if (action === null) rep.diff(uid, 'VALARM ACTION', 'present', null);
  else if (action.toUpperCase() === 'DISPLAY' && text(alarm, 'description') === null) {
    rep.diff(uid, 'VALARM DESCRIPTION', 'present (ACTION:DISPLAY)', null);
  }
  const trig = alarm.getFirstProperty('trigger');
  if (!trig) {
    rep.diff(uid, 'alarm_minutes', want, 'VALARM without TRIGGER');
    return;
  }
  if (start === null) return; // already reported
  const t = trig.getFirstValue();
  let at;
  if (t instanceof ICAL.Duration) {
    const related = (trig.getParameter('related') || 'START').toUpperCase();
    if (related === 'END') {
      if (end === null) return;
      at = end + t.toSeconds() * 1000;
    } else {
      at = start + t.toSeconds() * 1000;
    }
  } else if (t instanceof ICAL.Time && !t.isDate && t.zone === ICAL.Timezone.utcTimezone) {
    at = t.toJSDate().getTime();
  } else {
    rep.diff(uid, 'alarm_minutes', want, `TRIGGER ${String(t)}`);
    return;
  }
  const minutes = (start - at) / 60000;
  if (minutes !== want) rep.diff(uid, 'alarm_minutes', want, minutes);
}

function checkTimezone(ICAL, cal, expected, zones, starts, rep) {
  // X-WR-TIMEZONE, and the file's VTIMEZONE of that name must work in ical.js:
  // registered with ICAL.TimezoneService, it must turn each event's local start
  // time (per the tz database) back into the event's instant.  Events whose
  // DTSTART already uses that TZID were checked that way in instant().
  const want = expected.timezone;
  const got = text(cal, 'x-wr-timezone');
  if (got !== want) rep.diff('VCALENDAR', 'X-WR-TIMEZONE', want, got);
  if (!zones.defined.has(want) || !zones.registered.has(want)) return;
  const zone = ICAL.TimezoneService.get(want);
  if (!zone) {
    rep.diff(`VTIMEZONE ${want}`, 'registered with ICAL.TimezoneService', true, false);
    return;
  }
  const fmt = tzdbFormatter(want);
  if (!fmt) return; // not a tz database name: nothing to compare with
  for (const [uid, start, tzid] of starts) {
    if (start === null || tzid === want) continue;
    const wall = tzdbWall(start, fmt);
    if (tzdbInstants(wall, fmt).length !== 1) continue; // repeated hour
    let byFile;
    try {
      byFile = new ICAL.Time(wall, zone).toUnixTime() * 1000;
    } catch (e) {
      rep.diff(uid, 'timezone', `${want} usable by ical.js`, `${e.name}: ${e.message}`);
      continue;
    }
    if (byFile !== start) {
      rep.diff(uid, `timezone (${fmtWall(wall)} ${want})`, `${fmtInstant(start)} (tz database)`,
        `${fmtInstant(byFile)} (VTIMEZONE in the file)`);
    }
  }
}

async function check(feedPath, expectedPath) {
  const ICAL = await loadIcal();
  const expected = loadExpected(expectedPath);
  let data;
  try {
    data = readFileSync(feedPath);
  } catch (e) {
    throw new Unusable(`cannot read ${feedPath}: ${e.code || e.message}`);
  }

  const rep = new Report();
  lintLines(data, rep);
  let jcal;
  try {
    jcal = ICAL.parse(new TextDecoder('utf-8').decode(data));
  } catch (e) {
    rep.diff('file', 'parse', 'an iCalendar stream ical.js can parse', `${e.name}: ${e.message}`);
    return [rep, 0];
  }
  // ICAL.parse gives one jCal component, or a list when there are several.
  let list = [];
  if (Array.isArray(jcal) && jcal.length) list = Array.isArray(jcal[0]) ? jcal : [jcal];
  const comps = list.map((c) => new ICAL.Component(c));
  if (comps.length !== 1 || comps[0].name !== 'vcalendar') {
    rep.diff('file', 'components', ['VCALENDAR'], comps.map((c) => c.name.toUpperCase()));
    return [rep, 0];
  }
  const cal = comps[0];

  if (text(cal, 'version') !== '2.0') rep.diff('VCALENDAR', 'VERSION', '2.0', text(cal, 'version'));
  if (!text(cal, 'prodid')) rep.diff('VCALENDAR', 'PRODID', 'present', text(cal, 'prodid'));
  if ('calname' in expected) {
    for (const name of ['X-WR-CALNAME', 'NAME']) {
      const got = text(cal, name);
      if (got !== expected.calname) rep.diff('VCALENDAR', name, expected.calname, got);
    }
  }

  // Register every VTIMEZONE before any event time is read.
  const zones = { defined: new Set(), registered: new Set() };
  for (const vtz of cal.getAllSubcomponents('vtimezone')) {
    const tzid = text(vtz, 'tzid');
    if (tzid === null) {
      rep.diff('VTIMEZONE', 'TZID', 'present', null);
      continue;
    }
    if (zones.defined.has(tzid)) {
      rep.diff(`VTIMEZONE ${tzid}`, 'count', 1, 'more than 1');
      continue;
    }
    zones.defined.add(tzid);
    try {
      ICAL.TimezoneService.register(vtz);
      zones.registered.add(tzid);
    } catch (e) {
      rep.diff(`VTIMEZONE ${tzid}`, 'usable by ical.js', true, `${e.name}: ${e.message}`);
    }
  }

  const byUid = new Map();
  const vevents = cal.getAllSubcomponents('vevent');
  vevents.forEach((ve, i) => {
    const uid = text(ve, 'uid');
    if (uid === null) {
      rep.diff(`VEVENT #${i + 1}`, 'UID', 'present', null);
      return;
    }
    if (!byUid.has(uid)) byUid.set(uid, []);
    byUid.get(uid).push(ve);
  });
  const starts = [];
  for (const exp of expected.events) {
    const found = byUid.get(exp.uid) || [];
    if (found.length !== 1) {
      rep.diff(exp.uid, 'count', 1, found.length);
      continue;
    }
    try {
      checkEvent(ICAL, found[0], exp, zones, rep);
    } catch (e) {
      // ical.js decodes values lazily: a bad value throws when it is read.
      rep.diff(exp.uid, 'parse', 'parsable values', `${e.name}: ${e.message}`);
      continue;
    }
    let s = null;
    const tzid = found[0].getFirstProperty('dtstart')?.getParameter('tzid') || null;
    try {
      const t = new ICAL.Event(found[0]).startDate;
      if (t && !t.isDate && t.zone && t.zone.tzid !== 'floating') s = t.toJSDate().getTime();
    } catch { s = null; }
    starts.push([exp.uid, s, tzid]);
  }
  const wanted = new Set(expected.events.map((e) => e.uid));
  for (const [uid, found] of byUid) {
    if (!wanted.has(uid)) rep.diff(uid, 'count', 0, found.length);
  }

  if ('timezone' in expected) checkTimezone(ICAL, cal, expected, zones, starts, rep);
  return [rep, vevents.length];
}

async function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write(`usage: node ${PROG} FEED.ics EXPECTED.json\n`);
    return 2;
  }
  let rep, n;
  try {
    [rep, n] = await check(argv[0], argv[1]);
  } catch (e) {
    if (e instanceof Unusable) {
      process.stderr.write(`${PROG}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (rep.lines.length) {
    process.stderr.write(rep.lines.map((l) => l + '\n').join(''));
    process.stderr.write(`${PROG}: FAIL: ${rep.lines.length} difference(s) in ${argv[0]}\n`);
    return 1;
  }
  process.stdout.write(`ok: ${n} events\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
