#!/usr/bin/env python3
"""What one anonymous caller can make a `lessoncast serve` spend: the attacks of issue 10, each
bounded in count and time, against a server on 127.0.0.1 only.

    cargo build --release
    python3 benches/hostile.py target/release/lessoncast [BASELINE_BINARY]

With a second binary (an older build), each figure is also measured on it in the same run and
reported as a ratio. Only the Python standard library is used. Figures:

- logins: peak and settled RSS above idle under 64 concurrent sign-ins of unknown e-mails (with
  the per-network rate limit raised, so the bound shown is the one on concurrent checks), and
  how many of them got an answer;
- feed URLs: RSS above idle after 5,000 distinct feed URLs (alarms, then windows);
- far weeks: server CPU seconds for 100 ZIPs of weeks far from any data, 4 at a time;
- series work: the size of the public grade feed and the time of its packet when two teachers
  link ten 22 KB assignments each to one series.
"""

import concurrent.futures as cf
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "a long password for the bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(pid, field):
    """A field of /proc/PID/status in MB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def request(url, data=None, headers=None, timeout=60):
    """(status, body bytes); never raises on an HTTP status."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e).encode()


def post_json(url, body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    s, b = request(url, json.dumps(body).encode(), headers)
    try:
        return s, json.loads(b or b"null")
    except ValueError:
        return s, b.decode(errors="replace")


class Server:
    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="lessoncast-hostile-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            DATABASE_URL=f"sqlite://{self.dir}/bench.db",
            LESSONCAST_ADDR=f"127.0.0.1:{self.port}",
            LESSONCAST_BASE_URL=self.base,
            LESSONCAST_SCHEDULES=os.path.join(REPO, "schedules"),
            LESSONCAST_GRADE_RULES=os.path.join(REPO, "schedules/grade-rules.toml"),
            LESSONCAST_SIGNIN_PER_MINUTE="100000",
            RUST_LOG="error",
        )
        self.binary = binary
        for email in ("rivera@bench.test", "kim@bench.test"):
            subprocess.run(
                [binary, "user", "add", email, "--role", "teacher"],
                input=PASSWORD.encode(),
                env=self.env,
                cwd=self.dir,
                check=True,
                capture_output=True,
            )
        self.proc = subprocess.Popen(
            [binary, "serve"], env=self.env, cwd=self.dir, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if request(self.base + "/healthz", timeout=2)[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        time.sleep(1)

    def rss(self):
        return status(self.proc.pid, "VmRSS")

    def hwm(self):
        return status(self.proc.pid, "VmHWM")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def logins(srv):
    idle = srv.rss()

    def one(i):
        return post_json(
            srv.base + "/api/login",
            {"email": f"nobody{i}@bench.test", "password": "wrong password"},
        )[0]

    t = time.time()
    with cf.ThreadPoolExecutor(64) as pool:
        statuses = list(pool.map(one, range(64)))
    wall = time.time() - t
    peak = srv.hwm()
    time.sleep(3)
    return {
        "idle_mb": round(idle, 1),
        "peak_above_idle_mb": round(peak - idle, 1),
        "settled_above_idle_mb": round(srv.rss() - idle, 1),
        "answered": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "seconds": round(wall, 1),
    }


def feed_urls(srv):
    """5,000 distinct feed URLs: 2,500 the way the issue found (`alarm=1…2500`, endless keys
    for the old cache; refused now), 2,500 within the rules (long windows, listed alarms)."""
    idle = srv.rss()
    today = dt.date.today()
    urls = [f"{srv.base}/feeds/stations/KCET.ics?alarm={i}" for i in range(1, 2501)]
    alarms = [0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 1440]
    for i in range(2500):
        start = today - dt.timedelta(days=i % 50)
        end = start + dt.timedelta(days=300 + i // 50)
        urls.append(
            f"{srv.base}/feeds/stations/KCET.ics?from={start}&to={end}&alarm={alarms[i % 11]}"
        )
    t = time.time()
    with cf.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda u: request(u)[0], urls))
    wall = time.time() - t
    time.sleep(2)
    return {
        "above_idle_mb": round(srv.rss() - idle, 1),
        "peak_above_idle_mb": round(srv.hwm() - idle, 1),
        "answered": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "seconds": round(wall, 1),
    }


def far_weeks(srv):
    monday = dt.date(2100, 1, 4)  # a Monday
    urls = [
        f"{srv.base}/packets/{monday + dt.timedelta(weeks=i)}.zip" for i in range(100)
    ]
    cpu = cpu_seconds(srv.proc.pid)
    t = time.time()
    with cf.ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda u: request(u, timeout=120)[0], urls))
    return {
        "server_cpu_s": round(cpu_seconds(srv.proc.pid) - cpu, 2),
        "seconds": round(time.time() - t, 2),
        "answered": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }


def series_work(srv):
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    s, airings = request(
        f"{srv.base}/api/airings?grade=5&from={monday}&to={monday + dt.timedelta(days=6)}"
    )
    airings = json.loads(airings)
    airings = airings.get("airings", airings) if isinstance(airings, dict) else airings
    series = max(
        {a["series_key"] for a in airings},
        key=lambda k: sum(1 for a in airings if a["series_key"] == k),
    )
    created = 0
    for email in ("rivera@bench.test", "kim@bench.test"):
        _, body = post_json(
            srv.base + "/api/login", {"email": email, "password": PASSWORD}
        )
        token = body["token"]
        for i in range(10):
            s, _ = post_json(
                srv.base + "/api/assignments",
                {
                    "title": f"Long work {i}",
                    "instructions": ("Read and answer. " * 600)[:10000],
                    "instructions_es": ("Lee y contesta. " * 700)[:10000],
                    "materials": ("paper, pencil, " * 200)[:2000],
                    "minutes": 30,
                    "grades": ["5"],
                    "links": [{"series": series}],
                },
                token,
            )
            created += s == 201
    t = time.time()
    s, feed = request(f"{srv.base}/feeds/grades/5.ics")
    feed_s = time.time() - t
    t = time.time()
    ps, pdf = request(f"{srv.base}/packets/5/{monday}.pdf", timeout=120)
    return {
        "series": series,
        "airings_of_it": sum(1 for a in airings if a["series_key"] == series),
        "created": created,
        "feed_kb": round(len(feed) / 1024),
        "feed_s": round(feed_s, 2),
        "packet_status": ps,
        "packet_kb": round(len(pdf) / 1024),
        "packet_s": round(time.time() - t, 2),
    }


def measure(binary):
    results = {}
    for name, attack in [
        ("logins", logins),
        ("feed_urls", feed_urls),
        ("far_weeks", far_weeks),
        ("series_work", series_work),
    ]:
        # A fresh server each, so one attack's memory is not another's baseline.
        srv = Server(binary)
        try:
            results[name] = attack(srv)
        finally:
            srv.stop()
    return results


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    runs = {b: measure(b) for b in sys.argv[1:3]}
    print(json.dumps(runs, indent=2))
    if len(runs) == 2:
        new, old = (runs[b] for b in sys.argv[1:3])
        pairs = [
            ("logins", "peak_above_idle_mb"),
            ("logins", "settled_above_idle_mb"),
            ("feed_urls", "above_idle_mb"),
            ("far_weeks", "server_cpu_s"),
            ("series_work", "feed_kb"),
            ("series_work", "packet_s"),
        ]
        for attack, key in pairs:
            a, b = new[attack][key], old[attack][key]
            ratio = f"{a / b:.3f}x" if b else "n/a"
            print(f"{attack}.{key}: {a} vs {b} (baseline): {ratio}")


if __name__ == "__main__":
    main()
