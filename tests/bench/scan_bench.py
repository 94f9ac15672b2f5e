#!/usr/bin/python3
"""Deadline scan over many open cases, measured (make bench).

Fills the stack's database with N open cases, each with a running
investigation deadline spread over the next 60 days, lets hotlined's
scanner run every second, and meanwhile asks the daemon for a static page
(/style.css, answered on the loop without the database) as fast as one
client can. A scan that held the loop would show up as a latency spike.
Prints the scan times from the daemon's log and the page latencies with and
without scanning."""
import os
import re
import statistics
import sys
import threading
import time
import urllib.request

import fill


def latencies(url, seconds):
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        with urllib.request.urlopen(url + "style.css", timeout=10) as r:
            r.read()
        out.append((time.monotonic() - t0) * 1000.0)
    return out


def summary(ms):
    ms = sorted(ms)
    p99 = ms[int(len(ms) * 0.99) - 1]
    return f"{len(ms)} requests, p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms"


def main():
    stack, url, log, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    idle = latencies(url, 5)  # scans run, but find nothing
    print(f"scan bench: filling {count} open cases with investigation deadlines ...", flush=True)
    t0 = time.monotonic()
    # One statement per table, no trigger (fill.py): the old fill's
    # UPDATE of every case's state ran a per-row trigger whose query read
    # every case, n^2 rows (more than 10 minutes for 100,000 cases).
    fill.journal_and_cases(stack, count, minutes_apart=0, state="'investigation'",
                           category="'corruption'")
    fill.psql(stack, """
        SET session_replication_role = replica;
        INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis)
        SELECT id, 'investigation', (now() AT TIME ZONE 'Asia/Almaty')::date + (id % 60)::int,
               ((now() AT TIME ZONE 'Asia/Almaty')::date + (id % 60)::int + 1)::timestamp
                 AT TIME ZONE 'Asia/Almaty', 'working_days'
        FROM hotline.cases""")
    fill.analyze(stack)
    print(f"scan bench: filled in {time.monotonic() - t0:.1f} s", flush=True)

    size_before = os.path.getsize(log)
    busy = latencies(url, 12)  # the scanner runs every second meanwhile
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(size_before)
        text = f.read()
    scans = [(int(m.group(1)) + int(m.group(2)), float(m.group(3)), float(m.group(4))) for m in
             re.finditer(r"deadline scan: (?:\d+ registrations announced, )?"
                         r"(\d+) overdue and (\d+) ahead examined, \d+ notices, "
                         r"([0-9.]+) ms on the loop \(([0-9.]+) ms since", text)]
    queued = [float(x) for x in re.findall(r"deadline scan: notices queued in ([0-9.]+) ms", text)]
    if not scans:
        print("scan bench: no scan seen in the log", file=sys.stderr)
        return 1
    print(f"cores: {os.cpu_count()}")
    print(f"open cases: {count}")
    print(f"scans seen: {len(scans)}; deadlines examined per scan: max {max(r for r, _, _ in scans)}")
    print(f"scan work on the loop (rows in -> notices built): "
          f"max {max(t for _, t, _ in scans):.1f} ms, median {statistics.median(t for _, t, _ in scans):.1f} ms")
    print(f"scan from start to rows examined (database time included, loop free meanwhile): "
          f"max {max(t for _, _, t in scans):.1f} ms")
    if queued:
        print(f"scan to notices committed: max {max(queued):.1f} ms")
    print(f"static page, no open cases:   {summary(idle)}")
    print(f"static page while scanning:   {summary(busy)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
