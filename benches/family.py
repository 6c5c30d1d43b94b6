#!/usr/bin/env python3
"""What a family with a 2nd and a 5th grader and one TV is handed (issue 12), on the demo week
with work linked as teachers link it: four pieces of grade 5 work (three by series, one by
episode) and two of grade 2 (by series). Against a server on 127.0.0.1 only.

    cargo build --release
    python3 benches/family.py target/release/lessoncast [BASELINE_BINARY]

With a second binary (an older build), every figure is also measured on it in the same run and
reported as a ratio. Needs poppler-utils (pdftotext, pdfinfo). Figures:

- grade 5 packet: pages, "Work to do" blocks, the most times one piece of work is printed;
- grade 5 feed, the week: events, reminders, the most reminders at one minute;
- the family: what it has to open (feeds and packets), the reminders its calendars ring, the
  pairs of lessons with work that air at once on the family's one TV, and (where the binary has
  it) the family plan's feed and packet;
- the series-work packet of benches/hostile.py (20 assignments of 22 KB on one series): seconds
  to draw.
"""

import collections
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import PASSWORD, Server, post_json, request, series_work  # noqa: E402


def pdf_facts(pdf, titles):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True)
        text = subprocess.run(
            ["pdftotext", "-raw", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout.replace("\n", " ")
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    return {
        "pages": pages,
        "work_blocks": text.count("Work to do:"),
        "most_prints_of_one_work": max(text.count(t) for t in titles),
    }


def events(ics):
    """(start, has_alarm, summary) of each event, lines unfolded."""
    ics = ics.replace("\r\n ", "")
    out = []
    for block in ics.split("BEGIN:VEVENT")[1:]:
        start = re.search(r"DTSTART[^:]*:(\S+)", block).group(1)
        end = re.search(r"DTEND[^:]*:(\S+)", block)
        out.append((start, end.group(1) if end else start, "BEGIN:VALARM" in block))
    return out


def feed_facts(ics):
    ev = events(ics)
    at_minute = collections.Counter(s for s, _, alarm in ev if alarm)
    return {
        "events": len(ev),
        "reminders": sum(1 for _, _, a in ev if a),
        "most_reminders_at_one_minute": max(at_minute.values(), default=0),
    }


def overlaps(spans):
    """Pairs of (start, end) spans that overlap."""
    spans = sorted(spans)
    n = 0
    for i, (s, e) in enumerate(spans):
        for s2, _ in spans[i + 1 :]:
            if s2 >= e:
                break
            n += 1
    return n


def utc(stamp):
    # DTSTART in a feed: 20200413T160000Z, or a local time with TZID (compared as given: the
    # demo's stations share one zone).
    return stamp.rstrip("Z")


def measure(binary):
    srv = Server(binary)
    try:
        today = dt.date.today()
        monday = today - dt.timedelta(days=today.weekday())
        week = f"from={monday}&to={monday + dt.timedelta(days=6)}"
        _, body = post_json(srv.base + "/api/login", {"email": "rivera@bench.test", "password": PASSWORD})
        token = body["token"]
        titles = []

        def assign(grade, link, title):
            s, v = post_json(
                srv.base + "/api/assignments",
                {"title": title, "instructions": "Watch, then write three sentences.", "grades": [grade], "links": [link]},
                token,
            )
            assert s == 201, v
            titles.append(title)

        for grade, n_series, episode in (("5", 3, True), ("2", 2, False)):
            _, v = request(f"{srv.base}/api/airings?grade={grade}&{week}")
            airings = json.loads(v)["airings"]
            by_series = collections.Counter(a["series_key"] for a in airings)
            chosen = [k for k, _ in by_series.most_common(n_series)]
            for key in chosen:
                assign(grade, {"series": key}, f"Log for {key} (grade {grade})")
            if episode:
                # The most repeated episode of another series.
                eps = collections.Counter(
                    a["episode_key"]
                    for a in airings
                    if a["episode_key"] and a["series_key"] not in chosen
                )
                key = eps.most_common(1)[0][0]
                assign(grade, {"episode": key}, f"Notes on {key} (grade {grade})")

        out = {}
        _, pdf = request(f"{srv.base}/packets/5/{monday}.pdf", timeout=120)
        out["grade5_packet"] = pdf_facts(pdf, titles)
        feeds = {}
        for g in ("2", "5"):
            _, ics = request(f"{srv.base}/feeds/grades/{g}.ics?{week}")
            feeds[g] = ics.decode()
        out["grade5_feed"] = feed_facts(feeds["5"])
        # Before a family plan: two feeds and two packets; every lesson with work is one the
        # family has to fit on its TV.
        with_work = []
        for g in ("2", "5"):
            for block in feeds[g].replace("\r\n ", "").split("BEGIN:VEVENT")[1:]:
                if "Work to do" in block or "Then do" in block:
                    s = re.search(r"DTSTART[^:]*:(\S+)", block).group(1)
                    e = re.search(r"DTEND[^:]*:(\S+)", block)
                    with_work.append((utc(s), utc(e.group(1) if e else s)))
        family = {
            "documents": 4,
            "reminders": sum(feed_facts(feeds[g])["reminders"] for g in ("2", "5")),
            "lessons_with_work": len(with_work),
            "lessons_at_once": overlaps(with_work),
        }
        s, ics = request(f"{srv.base}/feeds/family.ics?grades=2,5&{week}")
        if s == 200:
            ev = events(ics.decode())
            _, pdf = request(f"{srv.base}/packets/family/{monday}.pdf?grades=2,5", timeout=120)
            family = {
                "documents": 2,
                "reminders": sum(1 for _, _, a in ev if a),
                "lessons_with_work": len(ev),
                "lessons_at_once": overlaps([(utc(a), utc(b)) for a, b, _ in ev]),
                "packet": pdf_facts(pdf, titles),
            }
        out["family"] = family
    finally:
        srv.stop()
    srv = Server(binary)
    try:
        out["series_work_packet_s"] = series_work(srv)["packet_s"]
    finally:
        srv.stop()
    return out


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    runs = {b: measure(b) for b in sys.argv[1:3]}
    print(json.dumps(runs, indent=2))
    if len(runs) == 2:
        new, old = (runs[b] for b in sys.argv[1:3])
        rows = [
            ("grade5_packet", "pages"),
            ("grade5_packet", "work_blocks"),
            ("grade5_packet", "most_prints_of_one_work"),
            ("grade5_feed", "reminders"),
            ("grade5_feed", "most_reminders_at_one_minute"),
            ("family", "documents"),
            ("family", "reminders"),
            ("family", "lessons_at_once"),
        ]
        for part, key in rows:
            a, b = new[part][key], old[part][key]
            print(f"{part}.{key}: {a} vs {b} (baseline): {a / b:.3f}x" if b else f"{part}.{key}: {a} vs {b}")
        a, b = new["series_work_packet_s"], old["series_work_packet_s"]
        print(f"series_work_packet_s: {a} vs {b} (baseline): {a / b:.3f}x")


if __name__ == "__main__":
    main()
