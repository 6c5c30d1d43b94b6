#!/usr/bin/env python3
"""What a scheduled poll of a TVSS source costs when nothing changed, against the same poll of a
service that sends no validators (every poll downloads and re-reads every day, as a fixed URL
re-imported on a cron did before sources kept validators).

    python3 benches/tvss_poll.py target/release/lessoncast [POLLS]

A local server on 127.0.0.1 plays the PBS TV Schedules Service for one station: 14 days, each
with 5 feeds (channels) of 48 half-hour listings with their own episode titles and
descriptions, about the shape of the real KLRN responses. The first run imports all 14 days;
the next POLLS runs (default 5) find nothing changed. Prints the time and bytes of each kind of
run, and the ratios.
"""

import hashlib
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta

FEEDS = [("KLRNDT", "KLRN", "9.1"), ("KLRNDT2", "KLRN Create", "9.2"),
         ("KLRNDT3", "KLRN Kids", "9.3"), ("KLRNDT4", "KLRN World", "9.4"),
         ("KLRNDT5", "KLRN Learn", "9.5")]


def day_body(day):
    feeds = []
    for f, (short, full, channel) in enumerate(FEEDS):
        listings = []
        for slot in range(48):
            n = (day.toordinal() * 48 + slot) * 7 + f
            listings.append({
                "start_time": "%02d%02d" % (slot // 2, (slot % 2) * 30),
                "minutes": 30, "duration": 30,
                "title": "Series %d" % (n % 97),
                "episode_title": "Episode %d of the season" % n,
                "description": "A programme about %d things, for the whole family." % n,
                "episode_description": "In this episode, %d happens and then %d." % (n, n * 3),
                "nola_root": "SR%02d" % (n % 97), "nola_episode": "%06d" % n,
                "program_id": n % 97, "show_id": n, "type": "episode",
                "closed_captions": True, "hd": f == 0, "stereo": True,
                "language": "", "airing_type": "Rerun", "images": [],
            })
        feeds.append({"cid": "cid-%d" % f, "external_id": str(f), "short_name": short,
                      "full_name": full, "timezone": "America/Chicago",
                      "digital_channel": channel, "analog_channel": "",
                      "listings": listings})
    return json.dumps({"feeds": feeds}).encode()


class Service(http.server.BaseHTTPRequestHandler):
    etags = True
    served = 0
    statuses = []

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        # /tvss/klrn/day/YYYYMMDD/
        day = date(int(parts[3][:4]), int(parts[3][4:6]), int(parts[3][6:8]))
        body = day_body(day)
        tag = '"%s"' % hashlib.sha1(body).hexdigest()
        if Service.etags and self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            Service.statuses.append(304)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if Service.etags:
            self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)
        Service.served += len(body)
        Service.statuses.append(200)

    def log_message(self, *args):
        pass


def run(binary, env, *args):
    started = time.perf_counter()
    out = subprocess.run([binary, *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if out.returncode != 0:
        sys.exit("%s failed: %s%s" % (" ".join(args), out.stdout, out.stderr))
    return took, out.stdout


def measure(binary, etags, polls):
    Service.etags = etags
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, DATABASE_URL="sqlite://%s/bench.db" % d,
                   LESSONCAST_TVSS_BASE="http://127.0.0.1:%d/tvss/" % server.server_port,
                   LESSONCAST_PBS_KEY="bench", RUST_LOG="warn")
        run(binary, env, "migrate")
        run(binary, env, "source", "add", "KLRN", "--tvss", "KLRN", "--days", "14",
            "--tz", "America/Chicago")
        Service.served, Service.statuses = 0, []
        first, out = run(binary, env, "source", "run", "KLRN", "--json")
        first_bytes = Service.served
        added = json.loads(out).get("added")
        times, sent = [], []
        for _ in range(polls):
            Service.served = 0
            t, out = run(binary, env, "source", "run", "KLRN", "--json")
            times.append(t)
            sent.append(Service.served)
        outcome = json.loads(out)["outcome"]
    server.shutdown()
    return first, first_bytes, added, sum(times) / len(times), sum(sent) / len(sent), outcome


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/lessoncast"
    polls = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    base = measure(binary, False, polls)
    now = measure(binary, True, polls)
    print("| service | first run s | airings | unchanged poll s | bytes per unchanged poll | last outcome |")
    print("|---|---|---|---|---|---|")
    for name, m in [("no validators (baseline)", base), ("ETags (now)", now)]:
        print("| %s | %.2f | %s | %.3f | %s | %s |" % (name, m[0], m[2], m[3], f"{int(m[4]):,}", m[5]))
    print()
    print("unchanged poll: %.3f× the time, %.4f× the bytes of the baseline"
          % (now[3] / base[3], (now[4] or 0) / max(base[4], 1)))


if __name__ == "__main__":
    main()
