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
import subprocess
import sys
import threading
import time
import urllib.request

PSQL = "/usr/lib/postgresql/15/bin/psql"


def psql(stack, sql):
    subprocess.run([PSQL, "-h", f"{stack}/pg/run", "-U", "postgres", "-d", "hotline", "-q",
                    "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)


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
    # Bulk rows, not hotline.register_case: the chain is not what is
    # measured here, and a bench database is thrown away. At most 500,000
    # per year (the number has six digits), from 2100 on.
    psql(stack, f"""
        INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
                                     prev_hash, row_hash)
        SELECT 2100 + i / 500000, i % 500000 + 1,
               format('%s-%s', 2100 + i / 500000, lpad((i % 500000 + 1)::text, 6, '0')), now(),
               'web', '\\x00', '\\x00', '\\x00'
        FROM generate_series(0, {count} - 1) AS i""")
    psql(stack, """
        INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
                                   anonymous, language, content_key_sealed, content)
        SELECT id, sha256(id::text::bytea), 'corruption', 'no', true, 'ru', '\\x00', '\\x00'
        FROM hotline.journal WHERE year >= 2100""")
    psql(stack, """
        INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis)
        SELECT id, 'investigation', (now() AT TIME ZONE 'Asia/Almaty')::date + (id % 60)::int,
               ((now() AT TIME ZONE 'Asia/Almaty')::date + (id % 60)::int + 1)::timestamp
                 AT TIME ZONE 'Asia/Almaty', 'working_days'
        FROM hotline.cases""")
    psql(stack, "UPDATE hotline.cases SET state = 'investigation'")
    psql(stack, "ANALYZE")
    print(f"scan bench: filled in {time.monotonic() - t0:.1f} s", flush=True)

    size_before = os.path.getsize(log)
    busy = latencies(url, 12)  # the scanner runs every second meanwhile
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(size_before)
        text = f.read()
    scans = [(int(m.group(1)) + int(m.group(2)), float(m.group(3)), float(m.group(4))) for m in
             re.finditer(r"deadline scan: (\d+) overdue and (\d+) ahead examined, \d+ notices, "
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
